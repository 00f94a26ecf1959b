"""The arithmetic of the outcome figures, money at display, time scopes and the prefill source."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import EnterpriseFactory, MemberFactory, make_committee
from tests.factories_aid import (
    ActivityFactory,
    AidProjectFactory,
    GovernanceFactory,
    HotIssueFactory,
    OutputFactory,
    PairingFactory,
    ProgressFactory,
    SecondmentFactory,
    first_village,
)
from twinning.aid import selectors as aid_selectors
from twinning.aid.models import AidProject, GovernanceRecord, HelpActivity, HotIssue
from twinning.aid.models import OutputKind as Output
from twinning.aid.outcomes import TimeScope, month_prefill, outcomes
from twinning.committees.models import JointCommittee
from twinning.templatetags.figures import qty, yuan

Status, Category, Kind = AidProject.Status, AidProject.Category, HelpActivity.Kind
D = Decimal
ALL = TimeScope.since_start()


def month(year: int, number: int) -> TimeScope:
    return TimeScope.month(datetime.date(year, number, 1))


def totals(scope: TimeScope, committees=None):
    return outcomes(committees or JointCommittee.objects.all(), scope).total


@pytest.fixture
def spanning(committee) -> AidProject:
    """An industry project reporting in January, February and March 2024."""
    project = AidProjectFactory(committee=committee, started_on=datetime.date(2024, 1, 10))
    for day, money, jobs in (((2024, 1, 20), "10000.50", 3), ((2024, 2, 15), "20000.25", 2),
                             ((2024, 3, 5), "5000.00", 0)):
        ProgressFactory(project=project, reported_on=datetime.date(*day), investment=D(money),
                        jobs=jobs)
    return project


def test_a_project_spanning_months_counts_in_each_what_its_reports_say(spanning) -> None:
    by_month = {n: totals(month(2024, n)) for n in (1, 2, 3, 4)}
    assert [(f.investment, f.jobs) for f in by_month.values()] == [
        (D("10000.50"), 3), (D("20000.25"), 2), (D("5000.00"), 0), (D("0.00"), 0)]
    year, since = totals(TimeScope.year(2024)), totals(ALL)
    assert (year.investment, year.jobs) == (D("35000.75"), 5)
    assert (since.investment, since.jobs) == (D("35000.75"), 5)
    # The project counts as started once, in January, whatever its reports.
    assert [f.cooperation_projects for f in by_month.values()] == [1, 0, 0, 0]
    # Its actual investment is the sum of its reports, wherever it is read.
    project = AidProject.objects.with_progress().get(pk=spanning.pk)
    assert (project.investment_actual, project.jobs_created) == (D("35000.75"), 5)
    assert aid_selectors.invested(AidProject.objects.all()) == D("35000.75")


def test_investment_splits_by_mechanism_and_category(town, committee) -> None:
    enterprise = EnterpriseFactory()
    department = make_committee(town=town, urban_kind="department")
    day = datetime.date(2024, 5, 1)
    cases = [
        # (committee, funder, category, investment, jobs)
        (committee, committee.urban, Category.INDUSTRY, "300000", 40),
        (committee, committee.urban, Category.INFRASTRUCTURE, "120000.10", 0),
        (committee, enterprise, Category.INDUSTRY, "500000", 60),
        (committee, enterprise, Category.TRAINING, "8000", 0),
        (department, department.urban, Category.INDUSTRY, "90000", 12),
        (department, department.urban, Category.INFRASTRUCTURE, "60000", 0),
    ]
    for i, (home, funder, category, money, jobs) in enumerate(cases):
        project = AidProjectFactory(committee=home, funder=funder, category=category,
                                    title=f"项目{i}", started_on=day)
        ProgressFactory(project=project, reported_on=day, investment=D(money), jobs=jobs)
    AidProjectFactory(committee=committee, status=Status.PLANNED, started_on=None, title="计划")
    result = outcomes(JointCommittee.objects.all(), ALL)
    f = result.total
    assert f.investment == D("1078000.10")
    assert f.partner_investment == D("928000.10")
    assert f.infrastructure_investment == D("180000.10")
    assert (f.jobs, f.cooperation_jobs) == (112, 100)
    assert (f.projects, f.cooperation_projects, f.department_projects,
            f.infrastructure_projects) == (6, 2, 1, 2)
    rows = {row.mechanism: (row.investment, row.jobs, row.projects, row.funders)
            for row in result.by_mechanism}
    assert rows == {
        "residents": (D("420000.10"), 40, 1, 1),
        "enterprise": (D("508000.00"), 60, 1, 1),
        "department": (D("150000.00"), 12, 1, 1),
    }
    by_form = dict(result.by_form)
    # An enterprise paying in a residents' committee's villages counts under that committee's
    # form, and under the enterprise's mechanism.
    assert by_form["村居联建"].investment == D("928000.10")
    assert by_form["部门村庄联建"].investment == D("150000.00")
    assert by_form["村企联建"].investment == D("0.00")


def test_funders_are_counted_once_and_only_with_investment(committee, second_committee) -> None:
    enterprise = EnterpriseFactory()
    day = datetime.date(2024, 5, 1)
    for home in (committee, second_committee):
        project = AidProjectFactory(committee=home, funder=enterprise, started_on=day)
        ProgressFactory(project=project, reported_on=day, investment=D("1000"))
    idle = AidProjectFactory(committee=committee, started_on=day, title="只报就业")
    ProgressFactory(project=idle, reported_on=day, investment=D("0"), jobs=4)
    result = outcomes(JointCommittee.objects.all(), ALL)
    assert result.mechanism("enterprise").funders == 1
    assert result.mechanism("residents").funders == 0
    assert result.mechanism("residents").jobs == 4


def test_projects_count_in_the_scope_they_started_in(committee) -> None:
    AidProjectFactory(committee=committee, started_on=datetime.date(2024, 3, 1), households=230,
                      extra_income=D("46000.50"), area_mu=D("5000"))
    AidProjectFactory(committee=committee, status=Status.DONE, title="已完成",
                      started_on=datetime.date(2024, 12, 1),
                      finished_on=datetime.date(2025, 2, 1), households=20)
    march, april = totals(month(2024, 3)), totals(month(2024, 4))
    assert (march.cooperation_projects, march.households, march.extra_income, march.area_mu) == (
        1, 230, D("46000.50"), D("5000.00"))
    assert (april.cooperation_projects, april.households) == (0, 0)
    assert totals(TimeScope.year(2024)).households == 250
    assert totals(TimeScope.year(2025)).cooperation_projects == 0


def test_infrastructure_outputs_add_up_in_their_units_by_completion(committee) -> None:
    project = AidProjectFactory(committee=committee, category=Category.INFRASTRUCTURE)
    for kind, quantity, day in ((Output.ROAD_KM, "1.20", (2024, 4, 1)),
                                (Output.ROAD_KM, "0.85", (2024, 5, 1)),
                                (Output.STREET_LAMPS, "40", (2024, 5, 2)),
                                (Output.OFFICE_AREA, "118", (2024, 5, 3))):
        OutputFactory(project=project, kind=kind, quantity=D(quantity),
                      completed_on=datetime.date(*day))
    assert totals(ALL).outputs == {
        "road_km": D("2.05"), "street_lamps": D("40.00"), "tap_water": D("0.00"),
        "office_area": D("118.00"), "cable_tv": D("0.00")}
    assert totals(month(2024, 4)).outputs["road_km"] == D("1.20")
    area = next(a for a in outcomes(JointCommittee.objects.all(), ALL).areas() if a.number == 4)
    printed = {item.label: (item.cell.value, item.cell.unit) for item in area.items}
    assert printed["硬化道路"] == (D("2.05"), "公里")
    assert printed["安装路灯"] == (D("40.00"), "盏")


def test_activities_count_sessions_and_people_or_pieces(committee, second_committee) -> None:
    for kind, count, day, home in (
        (Kind.TRAINING, 30, (2024, 5, 1), committee), (Kind.TRAINING, 25, (2024, 6, 1), committee),
        (Kind.INFORMATION, 12, (2024, 5, 9), second_committee),
        (Kind.STUDY_VISIT, 8, (2024, 5, 2), committee), (Kind.FELLOWSHIP, 60, (2024, 5, 3),
                                                         second_committee),
        (Kind.CULTURE, 100, (2024, 5, 4), committee), (Kind.VISIT, 15, (2024, 5, 5), committee),
    ):
        ActivityFactory(committee=home, kind=kind, count=count, held_on=datetime.date(*day))
    may = totals(month(2024, 5))
    assert (may.trainings, may.trainees) == (1, 30)
    assert (may.information_sessions, may.information) == (1, 12)
    assert (may.study_visits, may.study_visitors, may.fellowship, may.fellowship_people) == (
        1, 8, 1, 60)
    assert (may.culture, may.culture_people, may.visits, may.visit_people) == (1, 100, 1, 15)
    assert (totals(ALL).trainings, totals(ALL).trainees) == (2, 55)


def test_secondments_and_pairings_count_in_every_month_they_run(committee) -> None:
    SecondmentFactory(committee=committee, started_on=datetime.date(2024, 3, 15),
                      ended_on=datetime.date(2024, 5, 10))
    SecondmentFactory(committee=committee, started_on=datetime.date(2024, 5, 1), ended_on=None)
    PairingFactory(committee=committee, since=datetime.date(2024, 2, 1),
                   until=datetime.date(2024, 2, 29))
    assert [totals(month(2024, n)).secondments for n in (2, 3, 4, 5, 6)] == [0, 1, 1, 2, 1]
    assert [totals(month(2024, n)).pairings for n in (1, 2, 3)] == [0, 1, 0]
    assert totals(TimeScope.year(2024)).secondments == 2
    assert totals(TimeScope.year(2023)).secondments == 0


def test_hot_issues_are_taken_on_by_year_and_solved_by_date(committee) -> None:
    HotIssueFactory(committee=committee, year=2024, status=HotIssue.Status.SOLVED,
                    solved_on=datetime.date(2025, 1, 20))
    HotIssueFactory(committee=committee, year=2024, status=HotIssue.Status.IN_PROGRESS)
    HotIssueFactory(committee=committee, year=2025, status=HotIssue.Status.SOLVED,
                    solved_on=datetime.date(2025, 6, 1))
    assert [(f.hot_issues, f.hot_issues_solved) for f in (
        totals(TimeScope.year(2024)), totals(TimeScope.year(2025)), totals(ALL),
        totals(month(2025, 1)))] == [(2, 0), (1, 2), (3, 2), (1, 1)]


def test_governance_records_add_up_by_kind(committee) -> None:
    village = first_village(committee)
    other = committee.memberships.order_by("pk").last().village
    G = GovernanceRecord.Kind
    for kind, count, home in ((G.TEAM_ADJUSTED, 1, village), (G.TEAM_ADJUSTED, 1, other),
                              (G.RULES, 13, village), (G.RULES, 9, other),
                              (G.PROCEDURES, 4, village)):
        GovernanceFactory(committee=committee, village=home, kind=kind, count=count)
    f = totals(ALL)
    assert (f.teams_adjusted, f.rules, f.procedures) == (2, 22, 4)


def test_towns_and_forms_add_up_to_the_total(committee, other_committee) -> None:
    enterprise_led = make_committee(town=other_committee.town, urban_kind="enterprise")
    for i, home in enumerate((committee, other_committee, enterprise_led)):
        project = AidProjectFactory(committee=home)
        ProgressFactory(project=project, investment=D("1000.10") * (i + 1), jobs=i + 1)
        ActivityFactory(committee=home)
    result = outcomes(JointCommittee.objects.all(), ALL)
    assert [town.code for town, _ in result.by_town] == ["T-LD", "T-MZ"]
    assert sum(f.investment for _, f in result.by_town) == result.total.investment == D("6000.60")
    assert sum(f.trainings for _, f in result.by_form) == result.total.trainings == 3
    assert dict((label, f.jobs) for label, f in result.by_form) == {
        "村居联建": 3, "村企联建": 3, "部门村庄联建": 0}
    mine = outcomes(JointCommittee.objects.filter(town__code="T-MZ"), ALL)
    assert (mine.total.investment, [t.code for t, _ in mine.by_town]) == (D("1000.10"), ["T-MZ"])


def test_outcomes_make_the_same_queries_whatever_the_data(town, committee) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            outcomes(JointCommittee.objects.all(), TimeScope.year(2024)).areas()
        return len(ctx.captured_queries)

    ProgressFactory(project__committee=committee)
    small = count()
    for _ in range(4):
        home = make_committee(town=town)
        OutputFactory(project__committee=home)
        ProgressFactory(project__committee=home)
        SecondmentFactory(committee=home)
        HotIssueFactory(committee=home)
        GovernanceFactory(committee=home)
    assert count() == small == 10


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (D("0"), "0元"), (D("8700"), "8,700元"), (D("9999.50"), "9,999.50元"),
        (D("0.005"), "0.01元"), (D("9999.994"), "9,999.99元"),
        # Rounded to the fen it reaches 1万, so it is printed in 万元.
        (D("9999.995"), "1.00万元"), (D("10000"), "1.00万元"), (D("870000"), "87.00万元"),
        (D("35000.75"), "3.50万元"), (D("12345.4950"), "1.23万元"), (D("12350"), "1.24万元"),
        (D("512000000"), "51,200.00万元"), (D("-15000"), "-1.50万元"), (None, "—"), (7, "7元"),
    ],
)
def test_money_is_printed_in_yuan_or_wan_rounding_half_up(value, printed) -> None:
    assert yuan(value) == printed


def test_money_in_english_is_printed_in_full_yuan() -> None:
    with translation.override("en"):
        assert yuan(D("870000")) == "870,000 yuan"
        assert yuan(D("12.345")) == "12.35 yuan"


def test_quantities_drop_trailing_zeros() -> None:
    assert [qty(v) for v in (D("118.00"), D("41000.00"), D("3.50"), 9126, D("0.00"))] == [
        "118", "41,000", "3.5", "9,126", "0"]


def test_time_scope_from_the_page_parameters() -> None:
    today = datetime.date(2026, 3, 15)
    assert TimeScope.from_params({}, today=today) == ALL
    last_month = TimeScope.from_params({"scope": "month"}, today=today)
    assert (last_month.first, last_month.last) == (datetime.date(2026, 2, 1),
                                                   datetime.date(2026, 2, 28))
    assert last_month.label == "2026年2月" and last_month.period == "2026-02"
    with translation.override("en"):
        assert last_month.label == "February 2026"
    year = TimeScope.from_params({"scope": "year", "year": "2024"}, today=today)
    assert (year.first, year.last, year.label) == (
        datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "2024年")
    assert TimeScope.from_params({"scope": "year"}, today=today).first.year == 2026
    for params in ({"scope": "month", "period": "2026-13"}, {"scope": "year", "year": "abc"},
                   {"scope": "week"}):
        with pytest.raises(ValidationError):
            TimeScope.from_params(params, today=today)


def test_prefill_source_reports_each_committees_month(committee, second_committee) -> None:
    project = AidProjectFactory(committee=committee, started_on=datetime.date(2024, 4, 1))
    for day, money, jobs in (((2024, 4, 20), "1000.10", 2), ((2024, 5, 3), "2500.00", 4),
                             ((2024, 5, 28), "500.40", 1)):
        ProgressFactory(project=project, reported_on=datetime.date(*day), investment=D(money),
                        jobs=jobs)
    SecondmentFactory(committee=committee, started_on=datetime.date(2024, 4, 1),
                      ended_on=datetime.date(2024, 5, 1))
    SecondmentFactory(committee=committee, started_on=datetime.date(2024, 6, 1))
    PairingFactory(committee=committee, since=datetime.date(2024, 1, 1))
    HotIssueFactory(committee=committee, status=HotIssue.Status.SOLVED,
                    solved_on=datetime.date(2024, 5, 30))
    HotIssueFactory(committee=committee, status=HotIssue.Status.SOLVED,
                    solved_on=datetime.date(2024, 6, 1))
    for kind in (Kind.TRAINING, Kind.TRAINING, Kind.FELLOWSHIP, Kind.STUDY_VISIT,
                 Kind.INFORMATION):
        ActivityFactory(committee=committee, kind=kind, held_on=datetime.date(2024, 5, 15))
    ActivityFactory(committee=second_committee, kind=Kind.VISIT,
                    held_on=datetime.date(2024, 5, 31))
    MemberFactory(branch=committee.urban)
    with CaptureQueriesContext(connection) as ctx:
        figures = month_prefill([committee.pk, second_committee.pk], datetime.date(2024, 5, 1))
    assert len(ctx.captured_queries) == 5
    assert figures[committee.pk] == {
        "secondments": 1, "pairings": 1, "problems_solved": 1,
        "investment_yuan": D("3000.40"), "jobs_created": 5, "activities": 2, "trainings": 2,
    }
    assert figures[second_committee.pk] == {
        "secondments": 0, "pairings": 0, "problems_solved": 0,
        "investment_yuan": D("0.00"), "jobs_created": 0, "activities": 1, "trainings": 0,
    }
