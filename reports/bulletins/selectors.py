"""The figures of a month's bulletin, read from the database at one moment.

The bulletin PDF and the dashboard both call `bulletin_data`, so their numbers cannot
differ. Every figure is aggregated in the database; the number of queries does not depend
on the size of the city.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from branches.models import Branch, Town
from evaluations.assessments.selectors import assessment_summary
from evaluations.inspections import selectors as inspection_selectors
from evaluations.inspections.models import Inspection
from evaluations.reviews.selectors import review_summary
from evaluations.warnings.selectors import warnings_summary
from reports.bulletins.models import Bulletin, BulletinText, TypicalCase
from twinning.aid import outcomes
from twinning.aid.models import ProjectProgress
from twinning.aid.time_scope import TimeScope
from twinning.committees import selectors as committee_selectors
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.monthly import rules
from twinning.monthly import selectors as monthly_selectors
from twinning.monthly.rules import Filing as FilingStatus
from twinning.monthly.rules import Review
from twinning.shared.periods import add_months, month_end


@dataclass
class TownRow:
    code: str
    name: str
    committees: int
    villages: int


@dataclass
class Overview:
    """Section 一 总体情况."""

    headline: committee_selectors.Headline
    established: int
    dissolved: int
    villages_in: int
    villages_out: int
    by_town: list[TownRow] = field(default_factory=list)


@dataclass
class TrendPoint:
    period: datetime.date
    committees: int
    villages: int


@dataclass
class FilingMonth:
    period: datetime.date
    owed: int
    filed: int
    # Still being filed (its deadline has not passed): its share is not a rate yet.
    open: bool = False

    @property
    def rate(self) -> float | None:
        """Share of committees that filed (on time or late), in percent, one decimal; None
        while the month is still being filed, so a chart shows no fall that is not one."""
        if self.open:
            return None
        return round(self.filed * 100 / self.owed, 1) if self.owed else 0.0


@dataclass
class Filing:
    """Section 二 月度报告报送: the month's filing by town, the missing, 12 months' rate."""

    completeness: monthly_selectors.Completeness
    trend: list[FilingMonth]
    as_of: datetime.date
    deadline: datetime.date

    @property
    def open(self) -> bool:
        """The month's deadline has not passed on the day the figures were read."""
        return self.as_of <= self.deadline

    @property
    def not_yet(self) -> int:
        """Not filed yet while the deadline has not passed (a draft or nothing): with on time,
        late, returned and missing, the parts add up to the committees due."""
        return self.completeness.get(FilingStatus.DRAFT) + self.completeness.get(
            FilingStatus.PENDING)

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time(self) -> int:
        return self.completeness.get(FilingStatus.ON_TIME)

    @property
    def late(self) -> int:
        return self.completeness.get(FilingStatus.LATE)

    @property
    def missing(self) -> int:
        return self.completeness.get(FilingStatus.MISSING)

    @property
    def returned(self) -> int:
        return self.completeness.get(FilingStatus.RETURNED)

    # Of the filed (on time or late), where they stand in review: two states, never one
    # (the dashboard shows both; the bulletin counts what was filed).
    @property
    def awaiting(self) -> int:
        return self.completeness.review[Review.AWAITING]

    @property
    def accepted(self) -> int:
        return self.completeness.review[Review.ACCEPTED]

    @property
    def rate(self) -> float:
        """The share filed so far (on time or late), in percent, one decimal."""
        total = self.completeness.total
        return round(self.filed * 100 / total, 1) if total else 0.0


@dataclass
class AidMonth:
    period: datetime.date
    investment: Decimal
    jobs: int


@dataclass
class Aid:
    """Section 四 帮扶成效: this month and cumulative, by mechanism, and 12 months' trend."""

    month: outcomes.Outcomes
    cumulative: outcomes.Outcomes
    trend: list[AidMonth]

    def mechanisms(self) -> list[tuple[outcomes.MechanismRow, outcomes.MechanismRow]]:
        """Each mechanism's row this month beside its cumulative row."""
        return list(zip(self.month.by_mechanism, self.cumulative.by_mechanism, strict=True))

    def areas(self) -> list[tuple[outcomes.Area, list[tuple[outcomes.Item, outcomes.Item]]]]:
        """The five areas, each item's figure this month beside its cumulative figure."""
        return [
            (area, list(zip(area.items, total.items, strict=True)))
            for area, total in zip(self.month.areas(), self.cumulative.areas(), strict=True)
        ]


@dataclass
class ScoreMonth:
    period: datetime.date
    inspected: int
    average: Decimal | None


@dataclass
class Inspections:
    """Section 三 督查情况: scores and ranking, rectification items, 12 months' average."""

    scores: inspection_selectors.InspectionSummary
    rectifications: inspection_selectors.RectificationSummary
    trend: list[ScoreMonth]
    warnings: dict | None  # the annex: committees flagged at risk at the month's end


@dataclass
class BulletinData:
    period: datetime.date
    city: str
    overview: Overview
    trend: list[TrendPoint]
    filing: Filing
    inspections: Inspections
    aid: Aid
    cases: list[TypicalCase]
    next_steps: str
    # Section 六 appears only in a month when a review round or an assessment closed.
    reviews: Any = None
    assessments: Any = None

    @property
    def evaluations(self) -> bool:
        return self.reviews is not None or self.assessments is not None


def overview(period: datetime.date, committees: QuerySet, villages: QuerySet) -> Overview:
    end = month_end(period)
    month = (period, end)
    active = committee_selectors.active_on(committees, end)
    memberships = CommitteeVillage.objects.filter(committee__in=committees)
    per_town = dict(active.values_list("town_id").annotate(n=Count("id")).order_by())
    villages_per_town = dict(
        committee_selectors.memberships_on(end)
        .filter(committee__in=active)
        .values_list("committee__town_id")
        .annotate(n=Count("village_id", distinct=True))
        .order_by()
    )
    towns = Town.objects.filter(Q(id__in=per_town) | Q(id__in=villages.values("town_id")))
    return Overview(
        headline=committee_selectors.headline_figures(committees, villages, on=end),
        established=committees.filter(established_on__range=month).count(),
        dissolved=committees.filter(dissolved_on__range=month).count(),
        villages_in=memberships.filter(joined_on__range=month).count(),
        villages_out=memberships.filter(left_on__range=month).count(),
        by_town=[
            TownRow(t.code, t.name, per_town.get(t.pk, 0), villages_per_town.get(t.pk, 0))
            for t in towns.order_by("code")
        ],
    )


def coverage_trend(
    period: datetime.date, committees: QuerySet, months: int = 12
) -> list[TrendPoint]:
    """Committees and villages in force at each of the `months` month ends up to `period`.

    Two queries whatever the number of months or committees (conditional aggregates).
    """
    periods = [add_months(period, -i) for i in range(months - 1, -1, -1)]
    ends = [month_end(p) for p in periods]

    def running(prefix: str, start: str, stop: str, end: datetime.date) -> Q:
        return Q(**{f"{prefix}{start}__lte": end}) & (
            Q(**{f"{prefix}{stop}__isnull": True}) | Q(**{f"{prefix}{stop}__gt": end})
        )

    committee_counts = committees.aggregate(**{
        f"m{i}": Count("id", filter=running("", "established_on", "dissolved_on", end))
        for i, end in enumerate(ends)
    })
    village_counts = CommitteeVillage.objects.filter(committee__in=committees).aggregate(**{
        f"m{i}": Count(
            "village_id", distinct=True,
            filter=running("", "joined_on", "left_on", end)
            & running("committee__", "established_on", "dissolved_on", end),
        )
        for i, end in enumerate(ends)
    })
    return [
        TrendPoint(p, committee_counts[f"m{i}"], village_counts[f"m{i}"])
        for i, p in enumerate(periods)
    ]


def filing(period: datetime.date, committees: QuerySet, today: datetime.date) -> Filing:
    """Who filed the month's update on time, late or not at all, and the 12-month rate, counted
    in the database (twinning.monthly.selectors): 3 + 12 queries whatever the city's size."""
    trend = []
    for i in range(11, -1, -1):
        month = add_months(period, -i)
        owed, filed = monthly_selectors.filed_share(committees, month, today)
        trend.append(FilingMonth(month, owed, filed, open=today <= rules.deadline(month)))
    return Filing(completeness=monthly_selectors.filing_counts(committees, period, today),
                  trend=trend, as_of=today, deadline=rules.deadline(period))


def inspections(period: datetime.date, committees: QuerySet, today: datetime.date,
                with_warnings: bool = True) -> Inspections:
    """The month's inspections of the committees running at its end (evaluations' selectors),
    and the average score of each of the 12 months up to it (one grouped query); with
    `with_warnings`, the early-warning annex as it stood at the month's end."""
    running = committee_selectors.active_on(committees, month_end(period))
    first = add_months(period, -11)
    rows = (
        Inspection.objects.filter(committee__in=running, period__range=(first, period))
        .values("period").annotate(n=Count("id"), average=Avg("total")).order_by()
    )
    by_month = {r["period"]: r for r in rows}
    trend = []
    for i in range(12):
        month = add_months(first, i)
        row = by_month.get(month, {})
        average = row.get("average")
        trend.append(ScoreMonth(
            month, row.get("n", 0),
            None if average is None else Decimal(str(average)).quantize(Decimal("0.1")),
        ))
    return Inspections(
        scores=inspection_selectors.inspection_summary(period, running),
        rectifications=inspection_selectors.rectification_summary(period, committees, today),
        trend=trend,
        warnings=warnings_summary(period, running) if with_warnings else None,
    )


def aid(period: datetime.date, committees: QuerySet) -> Aid:
    """The outcomes of the month and up to its end (twinning.aid.outcomes), with a 12-month trend
    of investment and jobs reported (one grouped query)."""
    first = add_months(period, -11)
    rows = (
        ProjectProgress.objects.filter(
            project__committee__in=committees, reported_on__range=(first, month_end(period))
        )
        .annotate(month=TruncMonth("reported_on"))
        .values("month")
        .annotate(investment=Sum("investment"), jobs=Sum("jobs"))
        .order_by()
    )
    by_month = {_as_date(r["month"]): r for r in rows}
    trend = []
    for i in range(12):
        month = add_months(first, i)
        row = by_month.get(month, {})
        invested = Decimal(row.get("investment") or 0).quantize(Decimal("0.01"))
        trend.append(AidMonth(month, invested, row.get("jobs") or 0))
    return Aid(
        month=outcomes.outcomes(committees, TimeScope.month(period)),
        cumulative=outcomes.outcomes(committees, TimeScope.since_start(month_end(period))),
        trend=trend,
    )


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def bulletin_data(
    period: datetime.date,
    committees: QuerySet | None = None,
    villages: QuerySet | None = None,
    today: datetime.date | None = None,
    with_warnings: bool = True,
) -> BulletinData:
    """Everything a bulletin prints for `period`, for all committees or a filtered set.

    `today` decides which months count as missing (their deadline has passed); it is the
    build date for a bulletin and the current date for the dashboard.
    """
    today = today or timezone.localdate()
    committees = JointCommittee.objects.all() if committees is None else committees
    villages = Branch.objects.filter(kind=Branch.Kind.VILLAGE) if villages is None else villages
    text = BulletinText.objects.filter(period=period).first()
    return BulletinData(
        period=period,
        city=settings.PROGRAMME_CITY_NAME,
        overview=overview(period, committees, villages),
        trend=coverage_trend(period, committees),
        filing=filing(period, committees, today),
        inspections=inspections(period, committees, today, with_warnings),
        aid=aid(period, committees),
        cases=list(
            TypicalCase.objects.filter(period=period, committee__in=committees)
            .select_related("committee", "committee__town")
        ),
        next_steps=text.next_steps if text else "",
        reviews=review_summary(period, committees),
        assessments=assessment_summary(period, committees),
    )


def latest_published_bulletin() -> Bulletin | None:
    """The newest published version of the newest month: what every reader sees first."""
    return Bulletin.objects.filter(state=Bulletin.State.PUBLISHED).first()
