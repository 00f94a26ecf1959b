"""Files in and out: encodings, XLSX, headers, limits, formula escaping, round trips."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest

from branches.models import Branch, Member
from tests.exchange_helpers import (
    csv_bytes,
    history_rows,
    problems,
    read_csv,
    read_xlsx,
    xlsx_bytes,
)
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    MonthlyUpdateFactory,
    TownFactory,
    VillageFactory,
    make_committee,
)
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.committees.services import committee_dissolve
from twinning.shared.exchange import KINDS, export_file, import_file, template_file
from twinning.shared.exchange.files import escape_formula, unescape_formula
from twinning.shared.exchange.resources import NumberWidget, PeriodWidget
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db

HEADER = ["编码", "名称", "类型", "所在镇街", "薄弱村"]
NOT_TEXT = "文件内容不是CSV文本（可能是二进制文件或UTF-16编码），请另存为“CSV UTF-8”。"
NOT_XLSX = "文件内容不是有效的 .xlsx 文件。"


@pytest.fixture
def registers(town, other_town):
    """Some of every register, with values that are awkward in a spreadsheet."""
    first = make_committee(town=town, villages=4, code="C-1", name="一联合党总支")
    second = make_committee(town=other_town, urban_kind="enterprise", villages=2, code="C-2")
    dissolved = make_committee(town=town, urban_kind="department", villages=3, code="C-3")
    committee_dissolve(committee=dissolved, dissolved_on=datetime.date(2025, 1, 1), reason="调整")
    village = first.memberships.first().village
    MemberFactory(branch=village, name="-减号开头", phone="+8613800000000", role="secretary")
    MemberFactory(branch=village, name="=SUM(A1:A2)", phone="@home", joined_on=None)
    MemberFactory(branch=second.urban, name="'=引号", phone="-1")
    EnterpriseFactory(code="E-FREE", name="无镇企业", industries="食品；物流")
    MonthlyUpdateFactory(committee=first, investment_yuan=Decimal("1234.50"),
                         summary="+加号开头的小结")
    MonthlyUpdateFactory(committee=second, status="draft", meeting_held=None,
                         first_submitted_at=None, submitted_at=None)
    ProgressFactory(project=AidProjectFactory(committee=first, title="=大棚", funder=second.urban),
                    investment=Decimal("86000"), jobs=3)
    return [first, second, dissolved]


@pytest.mark.parametrize("labels", [True, False], ids=["labels", "keys"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_round_trips_unchanged(registers, kind, fmt, labels) -> None:
    queryset = KINDS[kind].resource_class().get_queryset()
    content = export_file(kind, queryset, fmt, labels=labels)
    before = history_rows()
    report = import_file(kind, f"{kind}.{fmt}", content, user=None, dry_run=False)
    assert report.ok, problems(report)
    assert report.rows == queryset.count() > 0
    assert report.unchanged == report.rows and not report.changes
    assert history_rows() == before


def test_exports_write_keys_or_chinese_labels(registers) -> None:
    queryset = KINDS["branches"].resource_class().get_queryset().filter(code="E-FREE")
    assert read_csv(export_file("branches", queryset, "csv", labels=True)) == [
        ["编码", "名称", "类型", "所在镇街", "书记", "产业", "薄弱村"],
        ["E-FREE", "无镇企业", "企业", "", queryset.get().secretary, "食品；物流", "否"],
    ]
    rows = read_xlsx(export_file("branches", queryset, "xlsx", labels=False))
    assert rows[0] == ["code", "name", "kind", "town", "secretary", "industries", "weak"]
    assert rows[1][2] == "enterprise" and rows[1][6] == "no"


def test_formula_like_cells_are_escaped_and_come_back_as_they_were(registers) -> None:
    queryset = Member.objects.select_related("branch").filter(name__in=[
        "-减号开头", "=SUM(A1:A2)", "'=引号"]).order_by("name")
    rows = read_csv(export_file("members", queryset, "csv"))
    cells = {row[2]: row[5] for row in rows[1:]}
    assert cells == {"'-减号开头": "'+8613800000000", "'=SUM(A1:A2)": "'@home",
                     "''=引号": "'-1"}
    sheet = read_xlsx(export_file("members", queryset, "xlsx"))
    assert not any(str(cell).startswith("=") for row in sheet for cell in row if cell)
    for fmt in ("csv", "xlsx"):
        report = import_file("members", f"m.{fmt}", export_file("members", queryset, fmt),
                             user=None, dry_run=False)
        assert report.ok and report.unchanged == 3


@pytest.mark.parametrize("value", ["=1+1", "+86", "-5", "@x", "\tx", "\rx", "'=x", "''+x",
                                   "'plain", "plain", "", "中文"])
def test_escaping_is_undone_exactly(value) -> None:
    escaped = escape_formula(value)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_formula(escaped) == value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_gb18030(town, encoding) -> None:
    data = csv_bytes([HEADER, ["V-1", "王家我乐村", "村", town.code, "是"]], encoding)
    report = import_file("branches", "村.csv", data, user=None, dry_run=False)
    assert report.ok, problems(report)
    assert Branch.objects.get(code="V-1").name == "王家我乐村"


def test_xlsx_date_and_number_cells_are_read(town) -> None:
    village = VillageFactory(code="370782001", town=town)
    data = xlsx_bytes([
        ["所在党组织", "姓名", "入党日期", "联系电话"],
        [370782001, "张三", datetime.datetime(1998, 7, 1), 13800000000],
        [None, None, None, None],
        [370782001, "李四", datetime.date(2001, 7, 1), None],
    ])
    report = import_file("members", "党员.xlsx", data, user=None, dry_run=False)
    assert report.ok, problems(report)
    assert list(village.members.order_by("name").values_list("name", "joined_on", "phone")) == [
        ("张三", datetime.date(1998, 7, 1), "13800000000"),
        ("李四", datetime.date(2001, 7, 1), ""),
    ]


def test_only_the_first_sheet_is_read(town) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["V-1", "一村", "村", town.code, "否"])
    book.create_sheet("说明").append(["这不是数据"])
    out = io.BytesIO()
    book.save(out)
    report = import_file("branches", "b.xlsx", out.getvalue(), user=None, dry_run=False)
    assert report.ok and report.created == 1


def _file_problem(name: str, data: bytes) -> list:
    report = import_file("branches", name, data, user=None, dry_run=False)
    assert not report.written and not Branch.objects.exists()
    assert ImportRecord.objects.filter(status="rejected").exists()
    return problems(report)


def test_a_file_too_large_is_refused(settings, town) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = csv_bytes([HEADER, *([f"V-{i}", "村" * 50, "村", town.code, "否"] for i in range(8000))])
    assert _file_problem("big.csv", data) == [
        (None, "", "文件超过 1 MB 的上限，请分成几个文件导入。")]


def test_too_many_rows_are_refused(settings, town) -> None:
    settings.IMPORT_MAX_ROWS = 3
    data = csv_bytes([HEADER, *([f"V-{i}", "村", "村", town.code, "否"] for i in range(4))])
    assert _file_problem("rows.csv", data) == [
        (None, "", "数据行超过上限 3 行，请分成几个文件导入。")]


GARBAGE = {
    "a text file": ("b.txt", b"code,name\n", "只支持 .csv 或 .xlsx 文件。"),
    "an old xls": ("b.xls", b"\xd0\xcf\x11\xe0",
                   "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"),
    "binary named csv": ("b.csv", bytes(range(256)) * 4,
                         NOT_TEXT),
    "utf-16 csv": ("b.csv", "编码,名称\n".encode("utf-16"),
                   NOT_TEXT),
    "neither utf-8 nor gb18030": ("b.csv", b"code\n\xff\xfe\xfa\xfb",
                                  "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的CSV。"),
    "an xlsx named csv": ("b.csv", b"PK\x03\x04rest",
                          "文件内容不是CSV（看起来是Excel文件），请把扩展名改为 .xlsx。"),
    "random bytes named xlsx": ("b.xlsx", b"\x00\x01garbage" * 10, NOT_XLSX),
    "a broken zip named xlsx": ("b.xlsx", b"PK\x03\x04" + b"\x00" * 100,
                                "文件内容不是有效的 .xlsx 文件。"),
    "an empty file": ("b.csv", b"  \n", "文件是空的。"),
    "a header only": ("b.csv", "编码,名称\n".encode(), "文件只有表头，没有数据行。"),
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_a_file_of_the_wrong_type_or_not_parseable_gets_a_clear_error(db, case) -> None:
    name, data, message = GARBAGE[case]
    assert _file_problem(name, data) == [(None, "", message)]


def test_a_zip_that_is_no_workbook_is_refused(db) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert _file_problem("b.xlsx", out.getvalue()) == [
        (None, "", "无法读取 .xlsx 文件，文件可能已损坏。")]


def test_header_problems_are_reported_on_row_1(town) -> None:
    data = csv_bytes([["编码", "名字", "code", "", "kind"], ["V-1", "村", "V-1", "x", "村"]])
    assert _file_problem("b.csv", data) == [
        (1, "B", "无法识别的列名。可用的列：编码（code）、名称（name）、类型（kind）、"
                 "所在镇街（town）、书记（secretary）、产业（industries）、薄弱村（weak）。"),
        (1, "C", "与A列「编码」重复。"),
        (1, "D", "这一列有数据但没有列名。"),
    ]
    missing_key = csv_bytes([["名称"], ["村"]])
    assert _file_problem("b.csv", missing_key) == [(1, "", "缺少必需的列「编码」（code）。")]


def test_a_new_row_needs_the_columns_that_create_it(town) -> None:
    report = import_file("branches", "b.csv", csv_bytes([["code", "name"], ["V-1", "一村"]]),
                         user=None, dry_run=False)
    assert problems(report) == [(2, "", "新建记录须填写「类型」，文件中没有这一列。")]


def test_cells_past_the_header_are_refused(town) -> None:
    data = csv_bytes([["code", "name"], ["V-1", "一村", "多余"]])
    assert _file_problem("b.csv", data) == [(None, "", "第2行的数据超出了表头的列数。")]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_headers_and_an_example_row(kind, fmt) -> None:
    content = template_file(kind, fmt)
    rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
    resource = KINDS[kind].resource_class
    assert rows[0] == resource.headers(labels=True)
    assert len(rows) == 2 and all(rows[1][:2])


def test_a_template_uploaded_unchanged_writes_nothing(db) -> None:
    """Its example rows are fictional (codes starting 示例): uploaded as they are, every
    register refuses them with the reason and writes nothing."""
    from branches.models import Town

    for kind in KINDS:
        report = import_file(kind, "t.xlsx", template_file(kind, "xlsx"), user=None,
                             dry_run=False)
        assert not report.ok and problems(report)[0][0] == 2, kind
        assert "这是模板中的示例行" in problems(report)[0][2], kind
    assert not Town.objects.exists()


# Widgets the next registers (monthly updates, aid projects) need


@pytest.mark.parametrize(("places", "text", "value"), [
    (0, "12", 12), (0, "1,200", 1200), (0, "5.00", 5), (2, "1234.5", Decimal("1234.50")),
    (2, "", None),
])
def test_numbers_are_read(places, text, value) -> None:
    assert NumberWidget(places).clean(text) == value


@pytest.mark.parametrize(("places", "text", "message"), [
    (0, "1.5", "「1.5」不是整数。"), (0, "十", "「十」不是整数。"),
    (2, "1.234", "「1.234」不是最多2位小数的数。"), (2, "NaN", "「NaN」不是最多2位小数的数。"),
])
def test_numbers_that_are_not_numbers_are_refused(places, text, message) -> None:
    with pytest.raises(ValueError, match=message):
        NumberWidget(places).clean(text)


def test_periods_are_months() -> None:
    widget = PeriodWidget()
    assert widget.clean("2025-03") == datetime.date(2025, 3, 1)
    assert widget.clean(datetime.datetime(2025, 3, 17)) == datetime.date(2025, 3, 1)
    assert widget.render(datetime.date(2025, 3, 1)) == "2025-03"
    with pytest.raises(ValueError):
        widget.clean("2025-13")


def test_file_extensions_are_read_in_any_case(db) -> None:
    TownFactory(code="T-1")
    content = export_file("towns", KINDS["towns"].resource_class().get_queryset(), "xlsx")
    report = import_file("towns", "TOWNS.XLSX", content, user=None, dry_run=True)
    assert report.ok and report.unchanged == 1
