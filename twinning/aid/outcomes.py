"""The programme's outcomes in the five areas of DESIGN §1: every figure pages and bulletin print.

All aggregation of aid projects and mutual-help records lives here. Functions take a committee
queryset already narrowed by the caller's permissions and a `TimeScope` (a month, a year or
since the start), and compute in the database: each kind of record is read once, grouped by
town and form (and by mechanism where it applies), and the few grouped rows are folded into the
total, the towns and the forms. A page therefore costs the same queries whatever the data.

Time rules: a progress report, output, activity, governance record or solved issue counts in
the scope holding its date; a project counts (as started, with its households, income and
area) in the scope holding its start, once it is active or done; a secondment or pairing counts
in every scope it overlaps; a hot issue is taken on in its year.

The reference figures of DESIGN §1, as computed here (fields of `Figures`):
- "21 residents' committees and 28 enterprises invested over 500 million yuan":
  `partner_investment` — investment reported for projects funded by residents' committees
  (强居带动) or enterprises (企业拉动), of any category; the funders are `MechanismRow.funders`,
  the distinct funders with investment reported in the scope.
- "77 new cooperation projects": `cooperation_projects` — industry projects funded by residents'
  committees or enterprises that started in the scope. "Over 9,000 jobs": `cooperation_jobs`,
  the jobs reported for those projects.
- "Departments helped start 57 projects": `department_projects` — industry projects funded by a
  department that started in the scope. "Departments gave 780+ pieces of information": the
  `information` of the department–village form in `by_form` — pieces of market and technical
  information given (activities of kind information, their count).
- "9.8 million yuan+ in village infrastructure": `infrastructure_investment` — investment
  reported for infrastructure projects, whoever funded them.
- "138 leadership teams adjusted; 310+ rules; 220+ procedures": `teams_adjusted`, `rules`,
  `procedures` — governance records dated in the scope.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from branches.models import Town
from twinning.aid.models import (
    COOPERATION_MECHANISMS,
    OUTPUT_UNITS,
    ZERO,
    AidProject,
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    InfrastructureOutput,
    Mechanism,
    MemberPairing,
    OutputKind,
    ProjectProgress,
    Secondment,
)
from twinning.aid.time_scope import TimeScope
from twinning.committees.models import JointCommittee

Category = AidProject.Category
Activity = HelpActivity.Kind
CENT = Decimal("0.01")


def _outputs() -> dict[str, Decimal]:
    return dict.fromkeys(OutputKind.values, ZERO)


@dataclass
class Figures:
    """The outcome figures of one slice (everything, a town or a form) in one scope."""

    # 1. Quality of rural cadres.
    trainings: int = 0
    trainees: int = 0
    study_visits: int = 0
    study_visitors: int = 0
    secondments: int = 0
    pairings: int = 0
    # 2. The role of village party organisations.
    teams_adjusted: int = 0
    rules: int = 0
    procedures: int = 0
    hot_issues: int = 0
    hot_issues_solved: int = 0
    # 3. Rural economy.
    investment: Decimal = ZERO
    partner_investment: Decimal = ZERO
    jobs: int = 0
    cooperation_projects: int = 0
    cooperation_jobs: int = 0
    department_projects: int = 0
    projects: int = 0
    households: int = 0
    extra_income: Decimal = ZERO
    area_mu: Decimal = ZERO
    information: int = 0
    information_sessions: int = 0
    # 4. Infrastructure.
    infrastructure_projects: int = 0
    infrastructure_investment: Decimal = ZERO
    outputs: dict[str, Decimal] = field(default_factory=_outputs)
    # 5. Rural civilisation.
    fellowship: int = 0
    fellowship_people: int = 0
    culture: int = 0
    culture_people: int = 0
    visits: int = 0
    visit_people: int = 0

    def add(self, name: str, value: Any) -> None:
        setattr(self, name, getattr(self, name) + (value or 0))


# Which Figures fields an activity kind adds to: (activities held, people or pieces).
ACTIVITY_FIELDS = {
    Activity.TRAINING: ("trainings", "trainees"),
    Activity.STUDY_VISIT: ("study_visits", "study_visitors"),
    Activity.INFORMATION: ("information_sessions", "information"),
    Activity.FELLOWSHIP: ("fellowship", "fellowship_people"),
    Activity.CULTURE: ("culture", "culture_people"),
    Activity.VISIT: ("visits", "visit_people"),
}
GOVERNANCE_FIELDS = {
    GovernanceRecord.Kind.TEAM_ADJUSTED: "teams_adjusted",
    GovernanceRecord.Kind.RULES: "rules",
    GovernanceRecord.Kind.PROCEDURES: "procedures",
}


@dataclass
class MechanismRow:
    """Outcome area 3 for one mechanism (强居带动 / 企业拉动 / 部门推动)."""

    mechanism: str
    label: str
    investment: Decimal = ZERO
    jobs: int = 0
    projects: int = 0  # industry projects started
    funders: int = 0  # distinct funders with investment reported


@dataclass(frozen=True)
class Cell:
    value: Any
    money: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Item:
    """One figure as a page prints it."""

    label: str
    cell: Cell


@dataclass(frozen=True)
class Area:
    number: int
    title: str
    items: list[Item]


@dataclass(frozen=True)
class _Measure:
    name: str
    label: Promise
    unit: Promise | str = ""
    money: bool = False

    def item(self, figures: Figures) -> Item:
        return Item(str(self.label), self.cell(figures))

    def cell(self, figures: Figures) -> Cell:
        return Cell(getattr(figures, self.name), self.money, str(self.unit))


_m = _Measure  # short, for the tables below


AREAS: tuple[tuple[Promise, tuple[_Measure, ...]], ...] = (
    (_("农村干部素质"), (
        _m("trainings", _("培训"), _("次")),
        _m("trainees", _("培训人次"), _("人次")),
        _m("secondments", _("互派挂职干部"), _("人")),
        _m("study_visits", _("考察学习"), _("次")),
        _m("study_visitors", _("考察学习人次"), _("人次")),
        _m("pairings", _("党员结对"), _("对")),
    )),
    (_("村级组织作用"), (
        _m("teams_adjusted", _("调整村级班子"), _("个")),
        _m("rules", _("制定修订规章制度"), _("项")),
        _m("procedures", _("规范工作流程"), _("项")),
        _m("hot_issues", _("承接热点难点问题"), _("个")),
        _m("hot_issues_solved", _("解决热点难点问题"), _("个")),
    )),
    (_("农村经济发展"), (
        _m("partner_investment", _("强居带动、企业拉动投入"), money=True),
        _m("investment", _("帮扶投入合计"), money=True),
        _m("cooperation_projects", _("新上合作项目"), _("个")),
        _m("cooperation_jobs", _("合作项目安置就业"), _("人")),
        _m("department_projects", _("部门帮助上项目"), _("个")),
        _m("information", _("提供市场和技术信息"), _("条")),
        _m("jobs", _("新增就业合计"), _("人")),
        _m("households", _("受益农户"), _("户")),
        _m("extra_income", _("带动增收"), money=True),
        _m("area_mu", _("种植养殖面积"), _("亩")),
    )),
    (_("基础设施"), (
        _m("infrastructure_investment", _("基础设施投入"), money=True),
        _m("infrastructure_projects", _("基础设施项目"), _("个")),
    )),
    (_("乡风文明"), (
        _m("fellowship", _("联谊活动"), _("次")),
        _m("fellowship_people", _("联谊活动人次"), _("人次")),
        _m("culture", _("文化活动"), _("次")),
        _m("culture_people", _("文化活动人次"), _("人次")),
        _m("visits", _("走访慰问"), _("次")),
        _m("visit_people", _("走访慰问人次"), _("人次")),
    )),
)
INFRASTRUCTURE_AREA = 3  # index in AREAS: its items end with the physical outputs
# The columns of the by-town and by-form tables.
TABLE_MEASURES = (
    _m("partner_investment", _("强居带动、企业拉动投入"), money=True),
    _m("investment", _("帮扶投入合计"), money=True),
    _m("cooperation_projects", _("合作项目"), _("个")),
    _m("department_projects", _("部门项目"), _("个")),
    _m("jobs", _("新增就业"), _("人")),
    _m("infrastructure_investment", _("基础设施投入"), money=True),
    _m("trainings", _("培训"), _("次")),
    _m("secondments", _("挂职"), _("人")),
    _m("information", _("提供信息"), _("条")),
    _m("teams_adjusted", _("调整班子"), _("个")),
    _m("hot_issues_solved", _("解决热点难点"), _("个")),
)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Outcomes:
    """Every outcome figure of some committees in one scope."""

    scope: TimeScope
    total: Figures
    by_town: list[tuple[Town, Figures]]
    by_form: list[tuple[str, Figures]]
    by_mechanism: list[MechanismRow]

    def mechanism(self, mechanism: str) -> MechanismRow:
        return next(row for row in self.by_mechanism if row.mechanism == mechanism)

    def areas(self) -> list[Area]:
        """The five areas with their figures, in the order DESIGN §1 names them."""
        areas = []
        for number, (title, measures) in enumerate(AREAS, start=1):
            items = [m.item(self.total) for m in measures]
            if number - 1 == INFRASTRUCTURE_AREA:
                items += [
                    Item(str(kind.label), Cell(self.total.outputs[kind], unit=str(unit)))
                    for kind, unit in OUTPUT_UNITS.items()
                ]
            areas.append(Area(number, str(title), items))
        return areas

    @staticmethod
    def columns() -> list[str]:
        return [str(m.label) for m in TABLE_MEASURES]

    @staticmethod
    def column_units() -> list[str]:
        """Each column's one unit: money in 万元 (a bulletin's tables), else the count's."""
        return ["万元" if m.money else str(m.unit) for m in TABLE_MEASURES]

    def town_rows(self) -> list[Row]:
        return _rows((town.name, figures) for town, figures in self.by_town)

    def form_rows(self) -> list[Row]:
        return _rows(self.by_form)


def _rows(slices: Iterable[tuple[str, Figures]]) -> list[Row]:
    return [Row(label, [m.cell(figures) for m in TABLE_MEASURES]) for label, figures in slices]


class _Slices:
    """Folds rows grouped by (town, form) into the total, the towns and the forms."""

    def __init__(self) -> None:
        self.total = Figures()
        self.towns: dict[int, Figures] = defaultdict(Figures)
        self.forms: dict[str, Figures] = defaultdict(Figures)

    def fold(self, rows: Iterable[dict[str, Any]], apply: Callable[[Figures, dict], None]) -> None:
        for row in rows:
            for figures in (self.total, self.towns[row["town"]], self.forms[row["form"]]):
                apply(figures, row)


def _exact(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every Decimal sum back at two places. PostgreSQL sums numerics exactly;
    SQLite sums them as floats and returns them unscaled, off by far less than a fen."""
    return [
        {key: value.quantize(CENT) if isinstance(value, Decimal) else value
         for key, value in row.items()}
        for row in rows
    ]


def _grouped(
    qs: QuerySet, path: str, keys: Mapping[str, str] | None = None, **measures: Any
) -> list[dict[str, Any]]:
    """`qs` grouped by its committee's town and form (`path` leads to the committee) and by
    the further `keys` (name → lookup), with the aggregate `measures`."""
    group = {"town": F(f"{path}__town_id"), "form": F(f"{path}__form")}
    own = []  # the model's own fields keep their names; an alias may not shadow a field
    for name, lookup in (keys or {}).items():
        if name == lookup:
            own.append(name)
        else:
            group[name] = F(lookup)
    return _exact(qs.order_by().values(*own, **group).annotate(**measures))


Mechanisms = dict[str, MechanismRow]


def _fold_reports(slices: _Slices, mechanisms: Mechanisms, projects: QuerySet,
                  scope: TimeScope) -> None:
    """Investment and jobs: the progress reports dated in the scope."""
    rows = _grouped(
        ProjectProgress.objects.filter(project__in=projects).filter(scope.dated("reported_on")),
        "project__committee", {"mechanism": "project__mechanism", "category": "project__category"},
        investment=Sum("investment"), jobs=Sum("jobs"),
    )

    def apply(figures: Figures, row: dict) -> None:
        investment, jobs = row["investment"], row["jobs"]
        figures.add("investment", investment)
        figures.add("jobs", jobs)
        if row["mechanism"] in COOPERATION_MECHANISMS:
            figures.add("partner_investment", investment)
            if row["category"] == Category.INDUSTRY:
                figures.add("cooperation_jobs", jobs)
        if row["category"] == Category.INFRASTRUCTURE:
            figures.add("infrastructure_investment", investment)

    slices.fold(rows, apply)
    for row in rows:
        mechanisms[row["mechanism"]].investment += row["investment"]
        mechanisms[row["mechanism"]].jobs += row["jobs"]


def _fold_started(slices: _Slices, mechanisms: Mechanisms, projects: QuerySet,
                  scope: TimeScope) -> None:
    """Projects that started in the scope, with their households, income and area."""
    rows = _grouped(
        projects.filter(status__in=AidProject.STARTED).filter(scope.dated("started_on")),
        "committee", {"mechanism": "mechanism", "category": "category"},
        n=Count("id"), households=Sum("households"), income=Sum("extra_income"),
        area=Sum("area_mu"),
    )

    def apply(figures: Figures, row: dict) -> None:
        figures.add("projects", row["n"])
        figures.add("households", row["households"])
        figures.add("extra_income", row["income"])
        figures.add("area_mu", row["area"])
        if row["category"] == Category.INDUSTRY:
            coop = row["mechanism"] in COOPERATION_MECHANISMS
            figures.add("cooperation_projects" if coop else "department_projects", row["n"])
        elif row["category"] == Category.INFRASTRUCTURE:
            figures.add("infrastructure_projects", row["n"])

    slices.fold(rows, apply)
    for row in rows:
        if row["category"] == Category.INDUSTRY:
            mechanisms[row["mechanism"]].projects += row["n"]


def _count_funders(mechanisms: Mechanisms, projects: QuerySet, scope: TimeScope) -> None:
    """Distinct funders with investment reported in the scope, per mechanism."""
    rows = (
        ProjectProgress.objects.filter(project__in=projects, investment__gt=0)
        .filter(scope.dated("reported_on")).order_by()
        .values("project__mechanism").annotate(n=Count("project__funder", distinct=True))
    )
    for row in rows:
        mechanisms[row["project__mechanism"]].funders = row["n"]


def _fold_outputs(slices: _Slices, projects: QuerySet, scope: TimeScope) -> None:
    def apply(figures: Figures, row: dict) -> None:
        figures.outputs[row["kind"]] += row["quantity"]

    slices.fold(_grouped(
        InfrastructureOutput.objects.filter(project__in=projects)
        .filter(scope.dated("completed_on")),
        "project__committee", {"kind": "kind"}, quantity=Sum("quantity"),
    ), apply)


def _fold_activities(slices: _Slices, committees: QuerySet, scope: TimeScope) -> None:
    def apply(figures: Figures, row: dict) -> None:
        held, people = ACTIVITY_FIELDS[row["kind"]]
        figures.add(held, row["n"])
        figures.add(people, row["people"])

    slices.fold(_grouped(
        HelpActivity.objects.filter(committee__in=committees).filter(scope.dated("held_on")),
        "committee", {"kind": "kind"}, n=Count("id"), people=Sum("count"),
    ), apply)


def _fold_spans(slices: _Slices, committees: QuerySet, scope: TimeScope) -> None:
    """Secondments and pairings running at any time in the scope."""
    for model, name, start, end in (
        (Secondment, "secondments", "started_on", "ended_on"),
        (MemberPairing, "pairings", "since", "until"),
    ):
        slices.fold(_grouped(
            model.objects.filter(committee__in=committees).filter(scope.running(start, end)),
            "committee", n=Count("id"),
        ), lambda figures, row, name=name: figures.add(name, row["n"]))


def _fold_hot_issues(slices: _Slices, committees: QuerySet, scope: TimeScope) -> None:
    """Issues taken on in the scope's years, and issues solved in the scope."""
    solved = Q(status=HotIssue.Status.SOLVED) & scope.dated("solved_on")
    taken = scope.years("year")
    issues = HotIssue.objects.filter(committee__in=committees)
    if scope.kind != TimeScope.ALL:
        # An issue of last year solved this January counts as solved this year.
        issues = issues.filter(taken | solved)

    def apply(figures: Figures, row: dict) -> None:
        figures.add("hot_issues", row["taken"])
        figures.add("hot_issues_solved", row["solved"])

    slices.fold(_grouped(
        issues, "committee",
        taken=Count("id", filter=taken or None), solved=Count("id", filter=solved),
    ), apply)


def _fold_governance(slices: _Slices, committees: QuerySet, scope: TimeScope) -> None:
    slices.fold(_grouped(
        GovernanceRecord.objects.filter(committee__in=committees).filter(scope.dated("done_on")),
        "committee", {"kind": "kind"}, n=Sum("count"),
    ), lambda figures, row: figures.add(GOVERNANCE_FIELDS[row["kind"]], row["n"]))


def outcomes(committees: QuerySet, scope: TimeScope) -> Outcomes:
    """The five outcome areas for `committees` in `scope`, by town, form and mechanism.

    Ten queries whatever the number of committees and records.
    """
    slices = _Slices()
    mechanisms = {m.value: MechanismRow(m.value, str(m.label)) for m in Mechanism}
    projects = AidProject.objects.filter(committee__in=committees)
    _fold_reports(slices, mechanisms, projects, scope)
    _fold_started(slices, mechanisms, projects, scope)
    _count_funders(mechanisms, projects, scope)
    _fold_outputs(slices, projects, scope)
    _fold_activities(slices, committees, scope)
    _fold_spans(slices, committees, scope)
    _fold_hot_issues(slices, committees, scope)
    _fold_governance(slices, committees, scope)
    towns = Town.objects.filter(id__in=committees.values("town_id")).order_by("code")
    return Outcomes(
        scope=scope,
        total=slices.total,
        by_town=[(town, slices.towns[town.pk]) for town in towns],
        by_form=[(str(label), slices.forms[value])
                 for value, label in JointCommittee.Form.choices],
        by_mechanism=list(mechanisms.values()),
    )


# Report once: what these records say about a committee's month, for the monthly update.

PREFILL_ACTIVITIES = (Activity.FELLOWSHIP, Activity.STUDY_VISIT, Activity.CULTURE, Activity.VISIT)


def month_prefill(
    committee_ids: Iterable[int], period: datetime.date
) -> dict[int, dict[str, Any]]:
    """MonthlyUpdate figures for each committee in the month starting at `period`.

    `secondments` and `pairings` active in the month; `problems_solved`: hot issues solved in
    it; `investment_yuan` and `jobs_created`: the progress reports dated in it; `activities`:
    fellowship, study visits, cultural activities and visits held in it; `trainings`: trainings
    held in it (information given is neither). One query per kind of record.
    """
    ids = list(committee_ids)
    scope = TimeScope.month(period)
    result = {
        pk: {"secondments": 0, "pairings": 0, "problems_solved": 0, "investment_yuan": ZERO,
             "jobs_created": 0, "activities": 0, "trainings": 0}
        for pk in ids
    }

    def put(rows: Iterable[dict[str, Any]], **keys: str) -> None:
        for row in rows:
            for key, column in keys.items():
                result[row["committee_pk"]][key] += row[column] or 0

    def by_committee(qs: QuerySet, path: str = "committee_id", **measures: Any) -> QuerySet:
        return qs.order_by().values(committee_pk=F(path)).annotate(**measures)

    for model, key, start, end in (
        (Secondment, "secondments", "started_on", "ended_on"),
        (MemberPairing, "pairings", "since", "until"),
    ):
        rows = by_committee(model.objects.filter(committee_id__in=ids)
                            .filter(scope.running(start, end)), n=Count("id"))
        put(rows, **{key: "n"})
    put(by_committee(
        HotIssue.objects.filter(committee_id__in=ids, status=HotIssue.Status.SOLVED)
        .filter(scope.dated("solved_on")), n=Count("id"),
    ), problems_solved="n")
    put(_exact(by_committee(
        ProjectProgress.objects.filter(project__committee_id__in=ids)
        .filter(scope.dated("reported_on")),
        "project__committee_id", investment=Sum("investment"), jobs=Sum("jobs"),
    )), investment_yuan="investment", jobs_created="jobs")
    put(by_committee(
        HelpActivity.objects.filter(committee_id__in=ids).filter(scope.dated("held_on")),
        activities=Count("id", filter=Q(kind__in=PREFILL_ACTIVITIES)),
        trainings=Count("id", filter=Q(kind=Activity.TRAINING)),
    ), activities="activities", trainings="trainings")
    return result
