"""The bulletin's content: sections numbered without gaps, figures a reader can trust (units,
separators, one-decimal percentages, totals once, filing parts that add up), charts on round
ticks in the dashboard's colours, long lists cut and kept whole in the XLSX annex, and graded
early warnings."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.inspections.selectors import scoring_lines
from evaluations.warnings.selectors import committee_flags, warnings_summary
from reports.bulletins import charts, services
from reports.bulletins.models import Bulletin
from reports.bulletins.selectors import bulletin_data
from tests.factories import (
    MonthlyUpdateFactory,
    TownFactory,
    make_committee,
    make_inspection,
    make_publishable,
)
from tests.factories_aid import AidProjectFactory
from twinning.advisor.models import WarningSettings
from twinning.committees.models import JointCommittee
from twinning.templatetags.figures import money, pct, percent_of, qty, wan

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def city(town):
    return [make_committee(town=town, urban_kind=kind, villages=2,
                           established_on=datetime.date(2025, 1, 1))
            for kind in ("residents", "enterprise", "department")]


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="section" id="s\d">([^<]+)</h2>', html)


def test_sections_are_numbered_without_gaps_when_no_review_closed(city) -> None:
    make_publishable(OCTOBER, city[0])  # a typical case and the next steps
    html = services.bulletin_html(OCTOBER, 1)
    assert _titles(html) == ["一、总体情况", "二、月度报告报送", "三、督查情况", "四、帮扶成效",
                             "五、典型案例", "六、下步工作"]
    assert "七、" not in html


def test_sections_without_content_are_left_out_and_the_rest_close_up(city) -> None:
    html = services.bulletin_html(OCTOBER, 1)
    assert _titles(html) == ["一、总体情况", "二、月度报告报送", "三、督查情况", "四、帮扶成效"]


def test_the_early_warning_is_a_numbered_part_of_section_three(city) -> None:
    html = services.bulletin_html(OCTOBER, 1)
    warning = html.index("（二）风险预警")
    assert html.index('id="s3"') < warning < html.index('id="s4"')
    assert "附：风险预警" not in html


def test_figures_print_in_one_unit_with_separators_and_one_decimal() -> None:
    assert wan(0) == "0.00" and wan(Decimal(4600)) == "0.46"
    assert wan(Decimal("512000000")) == "51,200.00"
    assert money(Decimal("512000000")) == "5.12亿元"
    assert money(Decimal("87000")) == "8.70万元"
    assert money(Decimal("4600")) == "4,600元"
    assert qty(3739) == "3,739"
    assert pct(70) == "70.0%" and pct(Decimal("56.24")) == "56.2%"
    assert percent_of(367, 941) == "39.0%"


def test_a_money_column_never_mixes_yuan_and_wan(city) -> None:
    AidProjectFactory(committee=city[0], started_on=datetime.date(2026, 9, 1))
    html = services.bulletin_html(OCTOBER, 1)
    mechanism = html[html.index("按帮扶机制"):html.index("五个方面成效")]
    assert "元</td>" not in mechanism
    assert "投入（万元）" in mechanism


def test_a_table_prints_its_total_once_at_its_end(city) -> None:
    html = services.bulletin_html(OCTOBER, 1)
    assert "<tfoot>" not in html
    towns = html[html.index("各镇街分布"):]
    table = towns[:towns.index("</table>")]
    assert table.count("全市合计") == 1
    assert table.rstrip().endswith("</tr></tbody>")
    assert table.index("全市合计") > table.rindex(city[0].town.name)


def test_filing_parts_add_up_to_the_committees_due_before_the_deadline(city) -> None:
    MonthlyUpdateFactory(committee=city[0], period=NOVEMBER,
                         first_submitted_at=timezone.make_aware(datetime.datetime(2026, 12, 2)))
    data = bulletin_data(NOVEMBER, today=datetime.date(2026, 12, 4))
    f = data.filing
    assert f.open
    assert f.completeness.total == 3
    assert (f.on_time, f.late, f.returned, f.missing, f.not_yet) == (1, 0, 0, 0, 2)
    assert f.on_time + f.late + f.returned + f.missing + f.not_yet == f.completeness.total
    # The month still being filed is no fall in the 12-month rate.
    assert f.trend[-1].rate is None
    assert f.trend[-2].rate is not None


def test_the_bulletin_says_the_filing_is_still_open(city, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 12, 4))
    html = services.bulletin_html(NOVEMBER, 1)
    assert "报送尚未截止" in html and "尚未报送3个" in html
    assert "<th>尚未报送</th>" in html


def test_axes_tick_on_round_numbers_and_whole_ones_for_counts() -> None:
    assert charts.ticks(163, whole=True) == [0, 50, 100, 150, 200]
    assert charts.ticks(0.8, whole=True) == [0, 1]
    svg = charts.line_chart(["a", "b"], [("n", [0, 1])], title="t")
    assert re.findall(r">(\d+(?:\.\d+)?)</text>", svg) == ["0", "1"]
    assert "62.5" not in charts.bar_chart(["a"], [("n", [250])], title="t")
    assert ">80.0%</text>" in charts.hbar_chart(["镇"], [80.0], title="t", unit="%")


def test_chart_colours_are_the_dashboards(city) -> None:
    drawn = services.bulletin_charts(bulletin_data(OCTOBER))
    # static/js/dashboard.js: committees blue, villages red; jobs blue.
    strokes = re.findall(r'polyline[^>]*stroke="(#[0-9a-f]+)"', drawn["coverage_trend"])
    assert strokes == [charts.BLUE, charts.RED]
    assert f'stroke="{charts.BLUE}"' in drawn["aid_jobs_trend"]


def test_long_town_tables_print_top_and_bottom_and_name_the_annex(db, settings) -> None:
    settings.BULLETIN_TOWN_ROWS = 2
    for i in range(5):
        make_committee(town=TownFactory(code=f"T{i}", name=f"第{i}镇"), villages=2 + i % 3,
                       established_on=datetime.date(2025, 1, 1))
    bulletin = services.bulletin_request(period=OCTOBER)
    assert services.bulletin_build(bulletin.pk) == Bulletin.State.READY
    bulletin.refresh_from_db()
    data = bulletin_data(OCTOBER)
    html = services.bulletin_html(OCTOBER, bulletin.version, data,
                                  services.annex_workbook(data))
    assert "其余3个镇街见附件" in html
    assert f"附件：{bulletin.annex_filename}" in html
    book = load_workbook(io.BytesIO(bulletin.annex.read()))
    assert [r[0] for r in book["各镇街分布"].iter_rows(min_row=2, values_only=True)] == [
        f"第{i}镇" for i in range(5)]
    rows = sum(book[name].max_row - 1 for name in book.sheetnames)
    assert bulletin.annex_rows == rows and rows >= 5 * 4
    assert f"共{rows}行" in html


def test_the_annex_downloads_from_the_bulletin_page(client, department_user, city) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    services.bulletin_build(bulletin.pk)
    client.force_login(department_user)
    page = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert reverse("bulletin_annex", args=[bulletin.pk]) in page
    response = client.get(reverse("bulletin_annex", args=[bulletin.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "未报送名单" in book.sheetnames


def _scored(committee: JointCommittee, day: datetime.date, percent: Decimal) -> None:
    make_inspection(committee, visited_on=day, scores={
        line.criterion_id: (line.max_score * percent / 100).quantize(Decimal("0.1"))
        for line in scoring_lines()})


def test_a_trivial_fall_in_scores_is_not_a_risk(committee) -> None:
    for month, percent in ((3, "98.5"), (4, "95"), (5, "94")):
        _scored(committee, datetime.date(2025, month, 5), Decimal(percent))
    flags = committee_flags([committee], datetime.date(2025, 6, 30)).get(committee.pk, [])
    assert "falling" not in [f.rule for f in flags]


def test_a_meaningful_fall_below_the_floor_is(committee) -> None:
    for month, percent in ((3, "95"), (4, "88"), (5, "80")):
        _scored(committee, datetime.date(2025, month, 5), Decimal(percent))
    flags = committee_flags([committee], datetime.date(2025, 6, 30))[committee.pk]
    assert "falling" in [f.rule for f in flags]


def test_serious_warnings_print_and_the_rest_go_to_the_annex(committee, second_committee) -> None:
    WarningSettings.objects.create(months_running=0)  # neither has filed: leave that rule out
    AidProjectFactory(committee=committee, title="蔬菜大棚", started_on=datetime.date(2025, 1, 1))
    inspection = make_inspection(second_committee, visited_on=datetime.date(2025, 3, 12),
                                 items=[{"description": "台账不全"}])
    assert inspection.rectifications.count() == 1
    summary = warnings_summary(datetime.date(2025, 6, 1), JointCommittee.objects.all())
    assert [r["committee"] for r in summary["serious"]] == [second_committee]
    assert summary["others"] == 1 and summary["total"] == 2


def test_the_dashboard_says_as_of_which_day_it_counts_warnings(client, department_user) -> None:
    client.force_login(department_user)
    page = client.get(reverse("dashboard")).content.decode()
    today = timezone.localdate()
    assert f"截至{today.year}年{today.month}月{today.day}日（今天）的预警" in page
