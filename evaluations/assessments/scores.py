"""How an assessment's proposed scores are computed from the half-year's records.

The half-year runs from 1 January to 30 June (上半年) or 1 July to 31 December (下半年). Each
criterion names a `source`; its proposed score is `max_points × fraction`, rounded half up
to one decimal, where the fraction (0 to 1) comes from these records of the committee:

- `party_building` (党建工作): the monthly inspections of months in the half:
  Σ inspection total ÷ Σ inspection maximum (the mean inspection score as a share of the
  maximum). No inspection in the half: 0.
- `filing` (报送与督查): ½ × on-time filing + ½ × rectifications closed on time, where
  on-time filing = months of the half the committee owed (it existed then) whose deadline has
  passed and whose monthly update was first submitted by the deadline ÷ those months; and
  rectifications closed on time = items due in the half (due date passed) closed (销号) on or
  before their due date ÷ those items. A part with nothing owed counts in full.
- Outcomes for villages, each normalised against the round: a committee's value `v` among the
  `n` committees assessed gets the mid-rank percentile
  p(v) = (number below v + (number equal to v − 1) ÷ 2) ÷ (n − 1); a value of 0 gets 0, and a
  sole committee with a value above 0 gets 1. Equal values get equal points, the best gets 1.
  - `mutual_help` (互帮互助): secondments and member pairings running at any time in the half,
    plus hot issues solved in the half.
  - `economy` (经济发展): the mean of three percentiles — investment reported in the half for
    projects other than infrastructure; such projects started in the half (active or done);
    jobs reported in the half.
  - `infrastructure` (基础设施): investment reported in the half for infrastructure projects.
  - `civilisation` (乡风文明): fellowship, cultural activities and visits held in the half.
- `manual`: proposed 0; the department enters the score with its reason.

Judged by outcomes, not clicks (DESIGN §3): nothing here reads log-ins, online time,
sessions, page views or check-ins, and no criterion may be built on them.

`propose` makes the same nine queries whatever the number of committees: every kind of
record is aggregated per committee in the database.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from evaluations.assessments.models import AssessmentCriterion
from evaluations.inspections.models import Inspection, Rectification
from twinning.aid.models import (
    AidProject,
    HelpActivity,
    HotIssue,
    MemberPairing,
    ProjectProgress,
    Secondment,
)
from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate
from twinning.monthly.rules import Filing
from twinning.shared.periods import add_months

Source = AssessmentCriterion.Source
ONE = Decimal(1)
ZERO = Decimal(0)
HALF = Decimal("0.5")
TENTH = Decimal("0.1")
CIVILISATION_KINDS = (HelpActivity.Kind.FELLOWSHIP, HelpActivity.Kind.CULTURE,
                      HelpActivity.Kind.VISIT)
INFRASTRUCTURE = AidProject.Category.INFRASTRUCTURE


@dataclass(frozen=True)
class Proposal:
    """A criterion's fraction (0–1) for one committee and the figures it came from."""

    fraction: Decimal
    basis: str

    def points(self, max_points: Decimal) -> Decimal:
        return (max_points * self.fraction).quantize(TENTH, rounding=ROUND_HALF_UP)


def half_bounds(year: int, half: str) -> tuple[datetime.date, datetime.date]:
    if half == "first":
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def percentiles(values: dict[int, Decimal]) -> dict[int, Decimal]:
    """The mid-rank percentile of each value among all of them (see the module docstring)."""
    n = len(values)
    ordered = sorted(values.values())
    result = {}
    for key, value in values.items():
        if value <= 0:
            result[key] = ZERO
        elif n == 1:
            result[key] = ONE
        else:
            below = sum(1 for v in ordered if v < value)
            equal = sum(1 for v in ordered if v == value)
            result[key] = (Decimal(below) + Decimal(equal - 1) / 2) / Decimal(n - 1)
    return result


def _share(part: int | Decimal, whole: int | Decimal, empty: Decimal = ONE) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else empty


def _per_committee(qs: QuerySet, path: str = "committee_id", **measures: Any) -> dict[int, dict]:
    rows = qs.order_by().values(path).annotate(**measures)
    return {row[path]: row for row in rows}


class _Records:
    """The half-year's records of a set of committees, aggregated per committee."""

    def __init__(self, committees: Sequence[JointCommittee], first: datetime.date,
                 last: datetime.date, today: datetime.date) -> None:
        self.committees = committees
        self.ids = [c.pk for c in committees]
        self.first, self.last, self.today = first, last, today

    def _running(self, start: str, end: str) -> Q:
        return Q(**{f"{start}__lte": self.last}) & (
            Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": self.first})
        )

    def filing(self) -> dict[int, Proposal]:
        months = [add_months(self.first, i) for i in range(6)]
        due = [m for m in months if rules.deadline(m) < self.today]
        found = {
            (c, p): (s, first)
            for c, p, s, first in MonthlyUpdate.objects.filter(
                committee_id__in=self.ids, period__in=due
            ).values_list("committee_id", "period", "status", "first_submitted_at")
        }
        items = _per_committee(
            Rectification.objects.filter(
                committee_id__in=self.ids, due_on__range=(self.first, self.last),
                due_on__lt=self.today,
            ),
            due=Count("id"),
            on_time=Count("id", filter=Q(status=Rectification.Status.CLOSED,
                                         closed_on__lte=F("due_on"))),
        )
        result = {}
        for committee in self.committees:
            owed = [m for m in due if rules.committee_owes(committee, m)]
            on_time = sum(
                1 for m in owed
                if rules.filing_status(
                    period=m, today=self.today, status=found.get((committee.pk, m), (None,))[0],
                    first_submitted_at=found.get((committee.pk, m), (None, None))[1],
                ) == Filing.ON_TIME
            )
            row = items.get(committee.pk, {"due": 0, "on_time": 0})
            fraction = (_share(on_time, len(owed)) + _share(row["on_time"], row["due"])) / 2
            result[committee.pk] = Proposal(fraction, _(
                "按时报送%(on_time)s/%(owed)s个月；按期整改销号%(closed)s/%(due)s项"
            ) % {"on_time": on_time, "owed": len(owed), "closed": row["on_time"],
                 "due": row["due"]})
        return result

    def party_building(self) -> dict[int, Proposal]:
        rows = _per_committee(
            Inspection.objects.filter(committee_id__in=self.ids,
                                      period__range=(self.first, self.last)),
            n=Count("id"), total=Sum("total"), max_total=Sum("max_total"),
        )
        result = {}
        for pk in self.ids:
            row = rows.get(pk)
            if row is None or not row["max_total"]:
                result[pk] = Proposal(ZERO, _("本半年无督查记录"))
                continue
            total, max_total = Decimal(row["total"]), Decimal(row["max_total"])
            result[pk] = Proposal(_share(total, max_total), _(
                "督查%(n)s次，合计得分%(total)s/%(max)s"
            ) % {"n": row["n"], "total": _plain(total), "max": _plain(max_total)})
        return result

    def _normalised(self, values: dict[int, Decimal], basis: dict[int, str]) -> dict[int, Proposal]:
        ranks = percentiles(values)
        return {pk: Proposal(ranks[pk], basis[pk]) for pk in self.ids}

    def mutual_help(self) -> dict[int, Proposal]:
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for model, key, start, end in ((Secondment, "secondments", "started_on", "ended_on"),
                                       (MemberPairing, "pairings", "since", "until")):
            rows = _per_committee(
                model.objects.filter(committee_id__in=self.ids).filter(self._running(start, end)),
                n=Count("id"),
            )
            for pk, row in rows.items():
                counts[pk][key] = row["n"]
        solved = _per_committee(
            HotIssue.objects.filter(committee_id__in=self.ids, status=HotIssue.Status.SOLVED,
                                    solved_on__range=(self.first, self.last)),
            n=Count("id"),
        )
        for pk, row in solved.items():
            counts[pk]["solved"] = row["n"]
        values = {pk: Decimal(sum(counts[pk].values())) for pk in self.ids}
        basis = {pk: _("挂职%(s)s人、结对%(p)s对、解决热点难点问题%(h)s件") % {
            "s": counts[pk]["secondments"], "p": counts[pk]["pairings"],
            "h": counts[pk]["solved"]} for pk in self.ids}
        return self._normalised(values, basis)

    def _progress(self) -> dict[int, dict[str, Decimal]]:
        rows = (
            ProjectProgress.objects.filter(project__committee_id__in=self.ids,
                                           reported_on__range=(self.first, self.last))
            .order_by().values("project__committee_id")
            .annotate(
                economy_yuan=Sum("investment", filter=~Q(project__category=INFRASTRUCTURE)),
                infrastructure_yuan=Sum("investment",
                                        filter=Q(project__category=INFRASTRUCTURE)),
                jobs_total=Sum("jobs"),
            )
        )
        return {row["project__committee_id"]: row for row in rows}

    def economy_and_infrastructure(self) -> tuple[dict[int, Proposal], dict[int, Proposal]]:
        progress = self._progress()
        started = _per_committee(
            AidProject.objects.filter(
                committee_id__in=self.ids, status__in=AidProject.STARTED,
                started_on__range=(self.first, self.last),
            ).exclude(category=INFRASTRUCTURE),
            n=Count("id"),
        )

        def figure(pk: int, key: str) -> Decimal:
            return _money(progress.get(pk, {}).get(key))

        investment = {pk: figure(pk, "economy_yuan") for pk in self.ids}
        jobs = {pk: figure(pk, "jobs_total") for pk in self.ids}
        projects = {pk: Decimal(started.get(pk, {}).get("n", 0)) for pk in self.ids}
        ranks = [percentiles(investment), percentiles(projects), percentiles(jobs)]
        economy = {
            pk: Proposal(sum(r[pk] for r in ranks) / 3, _(
                "投资%(investment)s元、新开工项目%(projects)s个、新增就业%(jobs)s个"
            ) % {"investment": _plain(investment[pk]), "projects": int(projects[pk]),
                 "jobs": int(jobs[pk])})
            for pk in self.ids
        }
        infra = {pk: figure(pk, "infrastructure_yuan") for pk in self.ids}
        infrastructure = self._normalised(
            infra, {pk: _("基础设施投资%(yuan)s元") % {"yuan": _plain(infra[pk])}
                    for pk in self.ids},
        )
        return economy, infrastructure

    def civilisation(self) -> dict[int, Proposal]:
        rows = _per_committee(
            HelpActivity.objects.filter(committee_id__in=self.ids, kind__in=CIVILISATION_KINDS,
                                        held_on__range=(self.first, self.last)),
            n=Count("id"),
        )
        values = {pk: Decimal(rows.get(pk, {}).get("n", 0)) for pk in self.ids}
        return self._normalised(values, {
            pk: _("联谊、文化活动和走访慰问%(n)s次") % {"n": int(values[pk])} for pk in self.ids
        })


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats: bring them back to fen.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _plain(value: Decimal) -> str:
    """A figure without trailing zeros: 170, 12.5, 30000."""
    return f"{value.normalize():f}"


def propose(
    committees: Iterable[JointCommittee], year: int, half: str, today: datetime.date
) -> dict[int, dict[str, Proposal]]:
    """For each committee (by id), the proposal of every source, from the half's records."""
    first, last = half_bounds(year, half)
    records = _Records(list(committees), first, last, today)
    economy, infrastructure = records.economy_and_infrastructure()
    by_source = {
        Source.PARTY_BUILDING: records.party_building(),
        Source.FILING: records.filing(),
        Source.MUTUAL_HELP: records.mutual_help(),
        Source.ECONOMY: economy,
        Source.INFRASTRUCTURE: infrastructure,
        Source.CIVILISATION: records.civilisation(),
    }
    manual = Proposal(ZERO, _("人工评分"))
    return {
        pk: {**{source: values[pk] for source, values in by_source.items()},
             Source.MANUAL: manual}
        for pk in records.ids
    }
