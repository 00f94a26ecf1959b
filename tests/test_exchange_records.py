"""Monthly updates and aid projects through the spreadsheet exchange (DESIGN §5)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.exchange_helpers import (
    AID,
    csv_bytes,
    history_rows,
    problems,
    read_csv,
    read_xlsx,
    xlsx_bytes,
)
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MonthlyUpdateFactory,
)
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.aid.models import AidProject, ProjectProgress
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared.exchange import import_file
from twinning.shared.periods import add_months, format_period

pytestmark = pytest.mark.django_db

MONTHLY = ["committee", "period", "meeting_held", "activities", "trainings", "secondments",
           "pairings", "problems_solved", "investment_yuan", "jobs_created", "summary",
           "submitted_on"]
SUMMARY = "召开联席会议一次，协调解决道路硬化资金。"
LOCKED_MONTH = datetime.date(2025, 3, 1)


def run(kind, rows, *, user=None, data=None, name=None):
    name = name or f"{kind}.csv"
    return import_file(kind, name, data or csv_bytes(rows), user=user, dry_run=False)


@pytest.fixture
def open_month(settings):
    """The month being filed, kept open (not locked) whatever today's date."""
    settings.MONTHLY_LOCK_DAYS = 400
    return rules.last_due_period(timezone.localdate())


def _day_after(period, days):
    return add_months(period, 1) + datetime.timedelta(days=days - 1)


# Monthly updates


def test_a_row_with_a_date_is_submitted_by_that_day_and_one_without_is_a_draft(
    committee, second_committee, open_month
) -> None:
    late_day = rules.deadline(LOCKED_MONTH) + datetime.timedelta(days=3)
    report = run("monthly_updates", [
        MONTHLY,
        [committee.code, format_period(open_month), "是", "2", "1", "0", "3", "4", "5000.50", "6",
         SUMMARY, _day_after(open_month, 2).isoformat()],
        [committee.code, format_period(LOCKED_MONTH), "yes", "1", "", "", "", "", "", "",
         SUMMARY, late_day.isoformat()],
        [second_committee.code, format_period(open_month), "", "1", "", "", "", "", "", "", "",
         ""],
    ])
    assert report.ok, problems(report)
    assert report.created == 3
    filed = MonthlyUpdate.objects.get(committee=committee, period=open_month)
    assert (filed.status, filed.meeting_held, filed.activities, filed.pairings,
            filed.investment_yuan, filed.jobs_created) == (
        "submitted", True, 2, 3, Decimal("5000.50"), 6)
    assert rules.local_date(filed.first_submitted_at) == _day_after(open_month, 2)
    late = MonthlyUpdate.objects.get(committee=committee, period=LOCKED_MONTH)
    on = timezone.localdate()
    assert rules.filing_status(period=LOCKED_MONTH, today=on, status=late.status,
                               first_submitted_at=late.first_submitted_at) == rules.Filing.LATE
    draft = MonthlyUpdate.objects.get(committee=second_committee)
    assert (draft.status, draft.meeting_held, draft.first_submitted_at) == ("draft", None, None)


def test_monthly_updates_export_and_import_back_unchanged(
    client, department_user, committee, second_committee, open_month
) -> None:
    MonthlyUpdateFactory(committee=committee, period=open_month, investment_yuan=Decimal("12.30"))
    MonthlyUpdateFactory(committee=second_committee, period=open_month, meeting_held=None,
                         status="draft", first_submitted_at=None, summary="=SUM(A1)")
    MonthlyUpdateFactory(committee=committee, period=add_months(open_month, -3),
                         status="accepted")
    client.force_login(department_user)
    for params in ({"committee": committee.code}, {"month": format_period(open_month)}):
        content = client.get(reverse("export_monthly_updates", args=["xlsx"]), params).content
        before = history_rows()
        response = client.post(reverse("exchange_import"), {
            "kind": "monthly_updates", "file": SimpleUploadedFile("m.xlsx", content)})
        report = response.context["report"]
        assert report.ok, problems(report)
        assert report.unchanged == report.rows == 2
        assert history_rows() == before


def test_the_monthly_exports_show_what_their_page_lists(
    client, town_user, secretary_user, committee, second_committee, other_committee, open_month
) -> None:
    for c in (committee, second_committee, other_committee):
        MonthlyUpdateFactory(committee=c, period=open_month)
    MonthlyUpdateFactory(committee=second_committee, period=add_months(open_month, -1),
                         status="draft", first_submitted_at=None)
    client.force_login(town_user)
    month = read_csv(client.get(reverse("export_monthly_updates", args=["csv"])).content)
    assert sorted(row[0] for row in month[1:]) == [committee.code, second_committee.code]
    assert month[0][:3] == ["联合党组织", "月份", "召开联合党组织会议"]
    returned = client.get(reverse("export_monthly_updates", args=["csv"]), {"status": "returned"})
    assert read_csv(returned.content)[1:] == []
    client.force_login(secretary_user)
    own = read_csv(client.get(reverse("export_monthly_updates", args=["csv"]),
                              {"committee": committee.code}).content)
    assert [row[:2] for row in own[1:]] == [[committee.code, format_period(open_month)]]
    other = client.get(reverse("export_monthly_updates", args=["csv"]),
                       {"committee": second_committee.code})
    assert read_csv(other.content)[1:] == []
    assert read_csv(client.get(reverse("export_monthly_updates", args=["csv"])).content)[1:] == []


def test_the_monthly_pages_link_to_their_exports(client, department_user, committee) -> None:
    client.force_login(department_user)
    page = client.get(reverse("monthly_committee", args=[committee.code])).content.decode()
    assert f'href="/exchange/export/monthly_updates.csv?committee={committee.code}"' in page
    completeness = client.get(reverse("monthly_completeness"), {"town": committee.town.code})
    assert (f'href="/exchange/export/monthly_updates.xlsx?town={committee.town.code}"'
            in completeness.content.decode())


def test_workflow_rules_refuse_monthly_rows_with_nothing_written(
    committee, second_committee, other_committee, open_month
) -> None:
    accepted = MonthlyUpdateFactory(committee=committee, period=add_months(open_month, -1),
                                    status="accepted")
    submitted = MonthlyUpdateFactory(committee=second_committee, period=open_month)
    MonthlyUpdateFactory(committee=other_committee, period=LOCKED_MONTH, status="draft",
                         first_submitted_at=None, summary="")
    recorded = rules.local_date(submitted.first_submitted_at).isoformat()
    this_month = timezone.localdate().replace(day=1)
    before = history_rows()
    report = run("monthly_updates", [
        MONTHLY,
        [committee.code, format_period(accepted.period), "是", "9", "", "", "", "", "", "",
         SUMMARY, rules.local_date(accepted.first_submitted_at).isoformat()],
        [second_committee.code, format_period(open_month), "是", "2", "1", "", "", "", "", "",
         SUMMARY, _day_after(open_month, 1).isoformat()],
        [other_committee.code, format_period(LOCKED_MONTH), "否", "1", "", "", "", "", "", "",
         "", ""],
        [committee.code, format_period(this_month), "是", "", "", "", "", "", "", "", SUMMARY,
         ""],
        [committee.code, format_period(open_month), "也许", "", "", "", "", "", "", "", "短",
         format_period(open_month) + "-20"],
        ["CJ-NONE", "2024-13", "", "", "", "", "", "", "-5", "", "", "2024-02-30"],
        [committee.code, format_period(open_month), "", "", "", "", "", "", "", "", "", ""],
    ])
    assert not report.written
    by_row = {(row, letter): message for row, letter, message in problems(report)}
    assert "已审核通过" in by_row[(2, "B")]
    assert f"已于{recorded}首次报送" in by_row[(3, "L")]
    assert "锁定" in by_row[(4, "B")]
    assert "尚未结束" in by_row[(5, "B")]
    assert "无法识别" in by_row[(6, "C")]
    assert "该月结束之后" in by_row[(6, "L")] or "工作小结" in by_row[(6, "K")]
    assert "找不到编码为「CJ-NONE」" in by_row[(7, "A")]
    assert "2024-13" in by_row[(7, "B")]
    assert "不是有效日期" in by_row[(7, "L")]
    assert "与第6行重复" in by_row[(8, "B")]
    assert history_rows() == before
    assert MonthlyUpdate.objects.get(pk=accepted.pk).activities == accepted.activities


def test_a_submitted_month_keeps_its_first_day_and_a_draft_is_submitted_by_import(
    committee, second_committee, open_month
) -> None:
    submitted = MonthlyUpdateFactory(committee=committee, period=open_month)
    draft = MonthlyUpdateFactory(committee=second_committee, period=open_month, status="draft",
                                 first_submitted_at=None, submitted_at=None)
    first = rules.local_date(submitted.first_submitted_at).isoformat()
    report = run("monthly_updates", [
        MONTHLY,
        [committee.code, format_period(open_month), "是", "7", "1", "0", "0", "0", "0", "0",
         submitted.summary, first],
        [second_committee.code, format_period(open_month), "是", "2", "1", "0", "0", "0", "0",
         "0", SUMMARY, _day_after(open_month, 3).isoformat()],
    ])
    assert report.ok and report.changed == 2, problems(report)
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, submitted.activities,
            rules.local_date(submitted.first_submitted_at).isoformat()) == ("submitted", 7, first)
    assert (draft.status, rules.local_date(draft.first_submitted_at)) == (
        "submitted", _day_after(open_month, 3))


def test_a_reopened_locked_month_takes_an_import(committee) -> None:
    MonthlyUpdateFactory(committee=committee, period=LOCKED_MONTH, status="draft",
                         first_submitted_at=None, submitted_at=None)
    row = [committee.code, format_period(LOCKED_MONTH), "否", "4", "", "", "", "", "", "", "", ""]
    assert "锁定" in problems(run("monthly_updates", [MONTHLY, row]))[0][2]
    ReopenRequest.objects.create(committee=committee, period=LOCKED_MONTH, reason="补报材料",
                                 status=ReopenRequest.Status.GRANTED)
    assert run("monthly_updates", [MONTHLY, row]).changed == 1
    assert MonthlyUpdate.objects.get(committee=committee).activities == 4


def test_town_staff_import_their_towns_months_and_secretaries_none(
    town_user, secretary_user, committee, other_committee, open_month
) -> None:
    rows = [MONTHLY,
            [committee.code, format_period(open_month)] + [""] * 10,
            [other_committee.code, format_period(open_month)] + [""] * 10]
    report = run("monthly_updates", rows, user=town_user)
    assert problems(report) == [(3, "A", "不属于您的镇街。")]
    assert not MonthlyUpdate.objects.exists()
    with pytest.raises(PermissionDenied):
        run("monthly_updates", rows, user=secretary_user)


# Aid projects


def _aid_row(committee, title, funder, investment="0", jobs="0", status="planned",
             started="", finished="", category="产业", households="10"):
    return [committee.code, title, category, funder.code, investment, jobs, households, status,
            started, finished]


def test_new_projects_take_their_mechanism_from_the_funder_and_their_totals_from_a_report(
    committee
) -> None:
    enterprise = EnterpriseFactory(code="E-1")
    department = DepartmentFactory(code="D-1")
    report = run("aid_projects", [AID,
        _aid_row(committee, "大棚", enterprise, "120000.00", "8", "进行中", "2025-03-01"),
        _aid_row(committee, "道路", department, "", "", "已完成", "2025-01-01", "2025-06-30",
                 category="infrastructure"),
        _aid_row(committee, "培训班", committee.urban, category="培训"),
    ])
    assert report.ok, problems(report)
    greenhouse = AidProject.objects.with_progress().get(title="大棚")
    assert (greenhouse.mechanism, greenhouse.status, greenhouse.investment_actual,
            greenhouse.jobs_created) == ("enterprise", "active", Decimal("120000.00"), 8)
    assert list(greenhouse.reports.values_list("reported_on", "investment", "jobs")) == [
        (timezone.localdate(), Decimal("120000.00"), 8)]
    assert AidProject.objects.get(title="道路").mechanism == "department"
    assert AidProject.objects.get(title="培训班").mechanism == "residents"
    assert ProjectProgress.objects.count() == 1


def test_raising_a_total_adds_the_difference_and_the_same_file_writes_nothing(
    committee
) -> None:
    project = AidProjectFactory(committee=committee, title="养殖基地", status="done",
                                finished_on=datetime.date(2024, 12, 31),
                                investment_planned=Decimal("500000"), households=450)
    ProgressFactory(project=project, reported_on=datetime.date(2024, 6, 1),
                    investment=Decimal("300000.00"), jobs=5)
    rows = [AID, _aid_row(committee, "养殖基地", committee.urban, "450000.00", "9", "done",
                          "2024-03-01", "2024-12-31", households="450")]
    report = run("aid_projects", rows, name="养殖.csv")
    assert report.ok and report.changed == 1, problems(report)
    assert report.changes[0].cells == [("实际投资（元）", "300000.00", "450000.00"),
                                       ("新增就业（人）", "5", "9")]
    assert list(project.reports.values_list("reported_on", "investment", "jobs", "note")) == [
        (datetime.date(2024, 6, 1), Decimal("300000.00"), 5, ""),
        (datetime.date(2024, 12, 31), Decimal("150000.00"), 4, "按导入文件「养殖.csv」补记")]
    project.refresh_from_db()
    assert project.investment_planned == Decimal("500000.00")
    before = history_rows()
    again = run("aid_projects", rows)
    assert (again.unchanged, again.changed) == (1, 0)
    assert history_rows() == before


def test_bad_aid_rows_are_reported_where_they_are_with_nothing_written(committee) -> None:
    village = committee.memberships.first().village
    ProgressFactory(project=AidProjectFactory(committee=committee, title="路灯",
                                              category="infrastructure",
                                              started_on=datetime.date(2024, 5, 1)),
                    reported_on=datetime.date(2024, 6, 1), investment=Decimal("1000.00"), jobs=2)
    before = history_rows()
    report = run("aid_projects", [AID,
        _aid_row(committee, "村出资", village),
        _aid_row(committee, "路灯", committee.urban, "500.00", "2", "active", "2024-05-01",
                 category="基础设施"),
        _aid_row(committee, "计划项目", committee.urban, "100.00"),
        _aid_row(committee, "日期", committee.urban, status="done", started="2024-13-01"),
        _aid_row(committee, "路灯", committee.urban, category="其他", status="going"),
        ["CJ-NONE", "无名", "产业", "X-1", "abc", "1.5", "", "", "", ""],
    ])
    assert not report.written
    by_row = {(row, letter): message for row, letter, message in problems(report)}
    assert "是村党组织，不能作为帮扶项目的出资方" in by_row[(2, "D")]
    assert "合计为1000.00" in by_row[(3, "E")]
    assert "尚未开工" in by_row[(4, "E")]
    assert "不是有效日期" in by_row[(5, "I")]
    assert "已完成的项目须填写完成日期" in by_row[(5, "J")]
    assert "不是可选的值" in by_row[(6, "C")] and "不是可选的值" in by_row[(6, "H")]
    assert "与第3行重复" in by_row[(6, "B")]
    assert "找不到编码为「CJ-NONE」" in by_row[(7, "A")]
    assert "找不到编码为「X-1」" in by_row[(7, "D")]
    assert "不是最多2位小数的数" in by_row[(7, "E")]
    assert "不是整数" in by_row[(7, "F")]
    assert history_rows() == before
    assert AidProject.objects.count() == 1


def test_aid_projects_round_trip_as_xlsx_and_read_gb18030(
    client, department_user, committee, second_committee
) -> None:
    AidProjectFactory(committee=committee, title="@生姜种植", funder=EnterpriseFactory())
    client.force_login(department_user)
    content = client.get(reverse("export_aid_projects", args=["xlsx"])).content
    assert read_xlsx(content)[1][1] == "'@生姜种植"
    before = history_rows()
    response = client.post(reverse("exchange_import"), {
        "kind": "aid_projects", "file": SimpleUploadedFile("p.xlsx", content)})
    report = response.context["report"]
    assert report.ok and report.unchanged == report.rows == 1, problems(report)
    assert history_rows() == before
    rows = [["联合党组织", "项目名称", "类别", "出资方", "实际投资（元）", "状态", "开工日期"],
            [second_committee.code, "葱姜蒜基地", "产业", second_committee.urban.code, "86000",
             "进行中", "2024/5/1"]]
    for data in (csv_bytes(rows, "gb18030"), xlsx_bytes(rows)):
        assert import_file("aid_projects", "g.csv" if data[:2] != b"PK" else "g.xlsx", data,
                           user=None, dry_run=True).created == 1
    written = run("aid_projects", rows, data=csv_bytes(rows, "gb18030"))
    assert written.ok, problems(written)
    assert AidProject.objects.with_progress().get(title="葱姜蒜基地").investment_actual == 86000


def test_the_aid_export_follows_the_project_list(
    client, town_user, committee, other_committee
) -> None:
    for c, title in ((committee, "本镇项目"), (other_committee, "外镇项目")):
        AidProjectFactory(committee=c, title=title, category="training")
    client.force_login(town_user)
    rows = read_csv(client.get(reverse("export_aid_projects", args=["csv"])).content)
    assert [row[1] for row in rows[1:]] == ["本镇项目"]
    assert read_csv(client.get(reverse("export_aid_projects", args=["csv"]),
                               {"category": "industry"}).content)[1:] == []
    page = client.get(reverse("project_list"), {"q": "本镇"}).content.decode()
    assert 'href="/exchange/export/aid_projects.csv?q=' in page


def test_town_staff_cannot_import_projects_into_another_town(
    town_user, committee, other_committee
) -> None:
    report = run("aid_projects", [AID, _aid_row(other_committee, "越界", other_committee.urban)],
                 user=town_user)
    assert problems(report) == [(2, "A", "不属于您的镇街。")]
    assert not AidProject.objects.exists()


def test_templates_of_the_new_kinds_carry_their_headers(client, department_user) -> None:
    client.force_login(department_user)
    monthly = read_csv(client.get(reverse("exchange_template",
                                          args=["monthly_updates", "csv"])).content)
    assert len(monthly[0]) == len(MONTHLY) and monthly[0][-1] == "报送日期"
    aid = read_xlsx(client.get(reverse("exchange_template", args=["aid_projects", "xlsx"])).content)
    assert aid[0][:4] == ["联合党组织", "项目名称", "类别", "出资方"]
    assert aid[1][2] == "产业"


def test_the_commands_take_the_new_kinds(committee, tmp_path) -> None:
    path = tmp_path / "projects.csv"
    row = _aid_row(committee, "命令行项目", committee.urban, "0.00", category="industry")
    path.write_bytes(csv_bytes([AID, row]))
    out = StringIO()
    call_command("import_data", "aid_projects", str(path), stdout=out)
    assert "已导入 1 行" in out.getvalue()
    exported = tmp_path / "out.csv"
    call_command("export_data", "aid_projects", str(exported), stdout=StringIO())
    rows = read_csv(exported.read_bytes())
    assert rows[0] == [*AID, "planned_investment_yuan"]
    assert rows[1] == [*row, "0.00"]


def test_a_ledger_of_planned_projects_imports_with_their_planned_investment(committee) -> None:
    """DESIGN §5: a planned project's investment is in `planned_investment_yuan`; its actual
    `investment_yuan` is 0. The town's ledger imports as it is, and again changes nothing."""
    stored = AidProjectFactory(committee=committee, title="冷库", status="planned",
                               investment_planned=Decimal("100000"))
    rows = [[*AID, "planned_investment_yuan"],
            [*_aid_row(committee, "冷库", committee.urban, "0", households="10"), "350000.00"],
            [*_aid_row(committee, "光伏", committee.urban, "0"), "1,200,000"],
            [*_aid_row(committee, "培训", committee.urban, "0", category="培训"), ""]]
    report = run("aid_projects", rows)
    assert report.ok, problems(report)
    assert (report.created, report.changed) == (2, 1)
    assert ("计划投资（元）", "100000.00", "350000.00") in report.changes[0].cells
    planned = dict(AidProject.objects.values_list("title", "investment_planned"))
    assert planned == {"冷库": Decimal("350000.00"), "光伏": Decimal("1200000.00"),
                       "培训": Decimal("0.00")}
    assert not ProjectProgress.objects.exists()
    stored.refresh_from_db()
    assert stored.history.count() == 2
    before = history_rows()
    again = run("aid_projects", rows)
    assert (again.unchanged, again.changed, again.created) == (3, 0, 0), problems(again)
    assert history_rows() == before
    bad = run("aid_projects", [rows[0], [*rows[2][:-1], "-5"]])
    assert [p[:2] for p in problems(bad)] == [(2, "K")]
