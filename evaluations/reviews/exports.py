"""党内统计 第八表 民主评议党员情况: a round's results in the party statistics shape, as XLSX.

One row per committee (the committee that reviewed the member, with its town) and a total
row; the figures are the round page's (`selectors.round_progress`). The handling of
members rated 不合格 (限期改正, 劝其退党, 除名) is not recorded here, so those columns are left
out and a note says so rather than printing numbers we do not have.
"""

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from branches.models import Town
from evaluations.reviews.models import ReviewRound
from evaluations.reviews.selectors import Counts
from twinning.committees.models import JointCommittee

TABLE8_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "党内统计 第八表 民主评议党员情况"
# (header, width, value of a row's counts); the first three columns name the row.
NAME_COLUMNS = (("序号", 6), ("镇街", 12), ("联合党组织", 34))
COUNT_COLUMNS = (
    ("应参加评议党员数", 10, "total"),
    ("参加评议党员数", 10, "rated"),
    ("评为优秀的", 9, "excellent"),
    ("合格的", 9, "qualified"),
    ("基本合格的", 9, "basic"),
    ("不合格的", 9, "unqualified"),
    ("其中：已安排专人帮促的", 11, "helped"),
)
NOTES = (
    "注：1. 应参加评议党员数为评议开启时各联合党组织名单上的党员数；"
    "参加评议党员数为已评定等次的党员数，等于优秀、合格、基本合格、不合格四项之和。",
    "2. 本系统未记录不合格党员的组织处置（限期改正、劝其退党、除名），本表不含这几栏。",
    "3. 城市党组织同时牵头多个联合党组织的，其党员只在成立最早的一个联合党组织参加评议。",
)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _text(value: str) -> str:
    """A cell that a spreadsheet must never take for a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _scope(towns: Sequence[Town]) -> str:
    return "、".join(t.name for t in towns) if towns else "全市"


def table8_filename(review_round: ReviewRound, towns: Sequence[Town]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return f"第八表-民主评议党员情况-{review_round}-{_scope(towns)}.xlsx"


def table8_xlsx(
    review_round: ReviewRound,
    rows: Sequence[tuple[JointCommittee, Counts]],
    totals: Counts,
    towns: Sequence[Town],
) -> io.BytesIO:
    """The workbook in memory, ready to send; in Chinese whatever the page's language, as the
    party statistics are."""
    with translation.override(settings.LANGUAGE_CODE):
        return _workbook(review_round, rows, totals, towns)


def _workbook(
    review_round: ReviewRound,
    rows: Sequence[tuple[JointCommittee, Counts]],
    totals: Counts,
    towns: Sequence[Town],
) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "第八表"
    width = len(NAME_COLUMNS) + len(COUNT_COLUMNS)
    state = "已锁定" if review_round.is_locked() else "评议进行中，数据截至导出时"
    sheet.append([f"{TITLE}（{review_round}）"])
    sheet.append([
        f"统计范围：{_scope(towns)}　评议时间：{review_round.opened_on:%Y-%m-%d}至"
        f"{review_round.locked_on:%Y-%m-%d}（{state}）　"
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"
    ])
    sheet.append([h for h, _ in NAME_COLUMNS] + [h for h, _, _ in COUNT_COLUMNS])
    for number, (committee, counts) in enumerate(rows, start=1):
        sheet.append([number, _text(committee.town.name), _text(committee.name)]
                     + [getattr(counts, key) for _, _, key in COUNT_COLUMNS])
    total_label = "合计" if towns else "全市合计"
    sheet.append(["", "", total_label] + [getattr(totals, key) for _, _, key in COUNT_COLUMNS])
    for note in NOTES:
        sheet.append([note])

    for row in (1, 2, *range(len(rows) + 5, len(rows) + 5 + len(NOTES))):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    header, last = 3, len(rows) + 4
    for row in sheet.iter_rows(min_row=header, max_row=last, max_col=width):
        for cell in row:
            cell.border = BOX
            if cell.row in (header, last):
                cell.font = Font(bold=True)
    for cell in sheet[header]:
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    columns = [w for _, w in NAME_COLUMNS] + [w for _, w, _ in COUNT_COLUMNS]
    for index, column_width in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
