"""The bulletin's spreadsheet annex (附件): every row the PDF leaves out.

The PDF prints the most telling town rows and the first names of a long list
(`reports.bulletins.condense`); the annex holds them all, one sheet per list, built from the
same `BulletinData` at the same moment, and is stored with the version.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook

from reports.bulletins.selectors import BulletinData
from twinning.aid.outcomes import TABLE_MEASURES
from twinning.shared.exchange.files import bold_row

WAN = Decimal(10000)


@dataclass
class Annex:
    content: bytes
    rows: dict[str, int] = field(default_factory=dict)  # data rows by sheet title

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _safe(value: object) -> object:
    # A cell beginning with = + - @ would be read as a formula by a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _wan(value: Decimal) -> float:
    return float((value / WAN).quantize(Decimal("0.01")))


def _sheets(data: BulletinData) -> list[tuple[str, list[str], list[list[object]]]]:
    o, f, s = data.overview, data.filing, data.inspections.scores
    sheets = [
        ("各镇街分布", ["镇街", "联合党组织（个）", "联建村（个）"],
         [[t.name, t.committees, t.villages] for t in o.by_town]),
        ("月度报告报送", ["镇街", "应报", "按时", "逾期", "退回", "未到期尚未报送", "未报送",
                          "报送率（%）"],
         [[t.town.name, t.total, t.get("on_time"), t.get("late"), t.get("returned"),
           t.get("draft") + t.get("pending"), t.get("missing"),
           round((t.get("on_time") + t.get("late")) * 100 / t.total, 1) if t.total else 0.0]
          for t in f.completeness.by_town]),
        ("未报送名单", ["镇街", "编码", "联合党组织"],
         [[m.town.name, m.code, m.name] for m in f.completeness.missing]),
        ("各镇街督查得分", ["排名", "镇街", "联合党组织", "已督查", "平均分", "最高分", "最低分"],
         [[t.rank, t.town, t.committees, t.inspected,
           None if t.average is None else float(t.average),
           None if t.highest is None else float(t.highest),
           None if t.lowest is None else float(t.lowest)] for t in s.by_town]),
        ("各镇街帮扶情况",
         ["镇街"] + [f"{m.label}（万元）" if m.money else f"{m.label}（{m.unit}）"
                     for m in TABLE_MEASURES],
         [[row.label] + [_wan(c.value) if c.money else c.value for c in row.cells]
          for row in data.aid.month.town_rows()]),
    ]
    w = data.inspections.warnings
    if w:
        sheets.append((
            "风险预警", ["镇街", "编码", "联合党组织", "等级", "预警事项", "起始日期"],
            [[r["committee"].town.name, r["committee"].code, r["committee"].name,
              "重点" if r.get("serious") else "一般", flag.reason, flag.since]
             for r in w["rows"] for flag in r["flags"]],
        ))
    if data.reviews:
        sheets.append((
            "各镇街评议情况", ["镇街", "参加评议（名）", "优秀", "合格", "基本合格", "不合格",
                               "已安排帮促"],
            [[t.name, t.counts.rated, t.counts.excellent, t.counts.qualified,
              t.counts.basic, t.counts.unqualified, t.counts.helped]
             for t in data.reviews.by_town],
        ))
    return sheets


def annex_workbook(data: BulletinData) -> Annex:
    """The annex as XLSX bytes, and how many data rows each sheet holds."""
    book = Workbook(write_only=True)
    counts = {}
    for title, header, rows in _sheets(data):
        sheet = book.create_sheet(title)
        sheet.append(bold_row(sheet, header))
        for row in rows:
            sheet.append([_safe(v) for v in row])
        counts[title] = len(rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return Annex(buffer.getvalue(), counts)
