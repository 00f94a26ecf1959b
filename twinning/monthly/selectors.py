"""Reads for the monthly pages: one month of a committee, its recent months, completeness.

Every function here makes a fixed number of queries whatever the number of committees.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from branches.models import Town
from twinning.aid.outcomes import month_prefill
from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.monthly.rules import Filing, Review
from twinning.shared import kept_figures, permissions
from twinning.shared.periods import add_months, format_period, month_end, parse_period

GRID_MONTHS = 12


def owing_in(qs: QuerySet, period: datetime.date) -> QuerySet:
    """Committees of `qs` that existed in the month and so owe its update."""
    return qs.filter(established_on__lte=month_end(period)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period)
    )


@dataclass
class MonthState:
    """One committee's month as a page shows it."""

    committee: JointCommittee
    period: datetime.date
    update: MonthlyUpdate | None
    today: datetime.date
    granted: bool = False
    pending_request: ReopenRequest | None = None
    answered_request: ReopenRequest | None = None

    @property
    def deadline(self) -> datetime.date:
        return rules.deadline(self.period)

    @property
    def lock_date(self) -> datetime.date:
        return rules.lock_date(self.period)

    @property
    def filing(self) -> Filing:
        update = self.update
        return rules.filing_status(
            period=self.period,
            today=self.today,
            status=update.status if update else None,
            first_submitted_at=update.first_submitted_at if update else None,
        )

    @property
    def filing_badge(self) -> str:
        return rules.FILING_BADGES[self.filing]

    @cached_property
    def closed_reason(self) -> str:
        return rules.closed_reason(
            self.committee, self.period, self.update, self.today, granted=self.granted
        )

    @property
    def locked(self) -> bool:
        """Closed by the lock (not by being submitted): a reopen request can open it."""
        return self.closed_reason == rules.lock_message(self.period)

    @property
    def month_over(self) -> bool:
        """The month has ended: its update may be submitted (before, only a draft)."""
        return rules.month_over(self.period, self.today)

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days


def month_state(
    committee: JointCommittee, period: datetime.date, today: datetime.date
) -> MonthState:
    """A committee's month with its update, attachments and reopen requests (four queries)."""
    update = (
        MonthlyUpdate.objects.filter(committee=committee, period=period)
        .select_related("submitted_by", "reviewed_by", "updated_by")
        .prefetch_related("attachments")
        .first()
    )
    if update is not None:
        update.committee = committee
    requests = list(
        ReopenRequest.objects.filter(committee=committee, period=period).select_related(
            "requested_by", "decided_by"
        )
    )
    return MonthState(
        committee=committee,
        period=period,
        update=update,
        today=today,
        granted=any(r.status == ReopenRequest.Status.GRANTED for r in requests),
        pending_request=next(
            (r for r in requests if r.status == ReopenRequest.Status.PENDING), None
        ),
        answered_request=next(
            (r for r in requests if r.status != ReopenRequest.Status.PENDING), None
        ),
    )


def prefill_for(committee: JointCommittee, period: datetime.date) -> dict[str, Any]:
    """Report once (最多报一次): what the aid and mutual-help records already say about the
    committee's month; the form starts from these figures and the secretary confirms or
    corrects them (one query per kind of record)."""
    return month_prefill([committee.pk], period)[committee.pk]


def committee_months(
    committee: JointCommittee, today: datetime.date, count: int = GRID_MONTHS
) -> list[MonthState]:
    """The committee's last `count` months that are due, newest first, in two queries."""
    last = rules.last_due_period(today)
    periods = [
        p
        for p in (add_months(last, -i) for i in range(count))
        if rules.committee_owes(committee, p)
    ]
    updates = {
        u.period: u for u in MonthlyUpdate.objects.filter(committee=committee, period__in=periods)
    }
    granted = set(
        ReopenRequest.objects.filter(
            committee=committee, period__in=periods, status=ReopenRequest.Status.GRANTED
        ).values_list("period", flat=True)
    )
    return [MonthState(committee, p, updates.get(p), today, granted=p in granted) for p in periods]


@dataclass
class Cell:
    period: datetime.date
    filing: Filing | None  # None: the committee did not exist that month
    month: str = ""  # the period as YYYY-MM
    url: str = ""  # the month's update page
    review: Review | None = None  # a filed month: awaiting review or accepted

    @property
    def badge(self) -> str:
        return rules.FILING_BADGES[self.filing] if self.filing else ""

    @property
    def short(self) -> str:
        return rules.FILING_SHORT[self.filing] if self.filing else ""

    @property
    def label(self) -> str:
        """The cell's title: its filing, and for a filed month where it stands in review."""
        if self.filing is None:
            return ""
        return f"{self.filing.label} · {self.review.label}" if self.review else self.filing.label


@dataclass
class GridRow:
    committee: JointCommittee
    cells: list[Cell]
    current: Cell
    submitted_at: datetime.datetime | None = None
    nudge: Any = None  # its latest 催报 for the month (twinning.monthly.nudges.NudgeMark)

    @property
    def unfiled(self) -> bool:
        """The month is not filed (missing, a draft, nothing yet, returned): 催报 may reach it."""
        return self.current.filing not in (None, Filing.ON_TIME, Filing.LATE)


@dataclass
class TownCounts:
    town: Town
    counts: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)  # by `Review`: awaiting, accepted

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def get(self, filing: str) -> int:
        return self.counts[filing]


@dataclass
class Completeness:
    period: datetime.date
    months: list[datetime.date]
    counts: Counter
    by_town: list[TownCounts]
    missing: list[JointCommittee]
    rows: list[GridRow]
    # Of the filed (on time or late): how many await review and how many were accepted.
    review: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def filed(self) -> int:
        return self.counts[Filing.ON_TIME] + self.counts[Filing.LATE]

    @property
    def unfiled(self) -> int:
        """Not filed: missing, a draft, nothing yet, or returned (those a 催报 reaches)."""
        return self.total - self.filed

    def get(self, filing: str) -> int:
        return self.counts[filing]


def _grid(
    owing: list[JointCommittee], period: datetime.date, today: datetime.date, months: int
) -> tuple[list[datetime.date], list[GridRow]]:
    """Each committee's filing for `period` and the `months` before it: one query."""
    window = [add_months(period, -i) for i in range(months - 1, -1, -1)]
    rows = MonthlyUpdate.objects.filter(committee__in=owing, period__in=window).values_list(
        "committee_id", "period", "status", "first_submitted_at", "submitted_at"
    )
    found = {(c, p): (s, first, last) for c, p, s, first, last in rows}
    labels = {month: format_period(month) for month in window}
    grid = []
    for committee in owing:
        # A month's page is the committee's monthly page plus YYYY-MM/ (the `monthly_update`
        # route): one reverse per row instead of one per cell.
        base = reverse("monthly_committee", args=[committee.code])
        cells = []
        for month in window:
            status_, first, _last = found.get((committee.pk, month), (None, None, None))
            filing = (
                rules.filing_status(
                    period=month, today=today, status=status_, first_submitted_at=first
                )
                if rules.committee_owes(committee, month)
                else None
            )
            cells.append(Cell(month, filing, labels[month], f"{base}{labels[month]}/",
                              rules.review_state(status_) if filing else None))
        last = found.get((committee.pk, period), (None, None, None))[2]
        grid.append(GridRow(committee, cells, cells[-1], last))
    return window, grid


def completeness(
    committees: QuerySet,
    period: datetime.date,
    today: datetime.date,
    *,
    status: str = "",
    months: int = GRID_MONTHS,
) -> Completeness:
    """Each committee's filing for `period` and the `months` before it, counted by town.

    Two queries whatever the number of committees: the committees that owed the month, and
    their updates of the whole window. The work in Python grows with the committees; a page
    uses `completeness_page`, which builds the grid for one page only.
    """
    owing = list(owing_in(committees, period).select_related("town").order_by("town__code", "code"))
    window, grid = _grid(owing, period, today, months)
    counts: Counter = Counter()
    review: Counter = Counter()
    by_town: dict[int, TownCounts] = {}
    for row in grid:
        counts[row.current.filing] += 1
        town_counts = by_town.setdefault(row.committee.town_id, TownCounts(row.committee.town))
        town_counts.counts[row.current.filing] += 1
        if row.current.review:
            review[row.current.review] += 1
            town_counts.review[row.current.review] += 1
    return Completeness(
        review=review,
        period=period,
        months=window,
        counts=counts,
        by_town=sorted(by_town.values(), key=lambda t: t.town.code),
        missing=[r.committee for r in grid if r.current.filing == Filing.MISSING],
        rows=[r for r in grid if not status or status in (r.current.filing, r.current.review)],
    )


def _filing_conditions(period: datetime.date, today: datetime.date) -> dict[str, Q]:
    """`rules.filing_status` as conditions on committees annotated with their update's
    `u_status` and `u_first` (first submission) for `period`: the same rule, in the database."""
    cutoff = timezone.make_aware(
        datetime.datetime.combine(rules.deadline(period), datetime.time.min)
    ) + datetime.timedelta(days=1)
    filed = Q(u_status__in=[MonthlyUpdate.Status.SUBMITTED, MonthlyUpdate.Status.ACCEPTED])
    conditions = {
        Filing.RETURNED: Q(u_status=MonthlyUpdate.Status.RETURNED),
        Filing.ON_TIME: filed & (Q(u_first__lt=cutoff) | Q(u_first__isnull=True)),
        Filing.LATE: filed & Q(u_first__gte=cutoff),
    }
    draft = Q(u_status=MonthlyUpdate.Status.DRAFT)
    if today > rules.deadline(period):
        conditions[Filing.MISSING] = Q(u_status__isnull=True) | draft
    else:
        conditions[Filing.DRAFT] = draft
        conditions[Filing.PENDING] = Q(u_status__isnull=True)
    return conditions


# Where the filed months stand in review, as conditions like `_filing_conditions`'.
REVIEW_CONDITIONS = {
    Review.AWAITING: Q(u_status=MonthlyUpdate.Status.SUBMITTED),
    Review.ACCEPTED: Q(u_status=MonthlyUpdate.Status.ACCEPTED),
}


def status_condition(status: str, period: datetime.date, today: datetime.date) -> Q:
    """The completeness filter's `status`: a filing or a review state (nothing if unknown)."""
    conditions = {**_filing_conditions(period, today), **REVIEW_CONDITIONS}
    return conditions.get(status, Q(pk__in=[]))


def _with_update(committees: QuerySet, period: datetime.date) -> QuerySet:
    update = MonthlyUpdate.objects.filter(committee=OuterRef("pk"), period=period)
    return owing_in(committees, period).annotate(
        u_status=Subquery(update.values("status")[:1]),
        u_first=Subquery(update.values("first_submitted_at")[:1]),
    )


def filing_counts(
    committees: QuerySet, period: datetime.date, today: datetime.date
) -> Completeness:
    """The month's filing counted in the database: totals, by town, and the missing by name.

    The same figures as `completeness` for its month, without the grid; three queries
    however many committees, for the home pages, the dashboard and the bulletin.
    """
    conditions = _filing_conditions(period, today)
    annotated = _with_update(committees, period)
    rows = list(
        annotated.order_by()
        .values("town_id")
        .annotate(**{key: Count("id", filter=q)
                     for key, q in {**conditions, **REVIEW_CONDITIONS}.items()})
    )
    towns = Town.objects.in_bulk([row["town_id"] for row in rows])
    counts: Counter = Counter()
    review: Counter = Counter()
    by_town = []
    for row in rows:
        town_counts = Counter({key: row[key] for key in conditions if row[key]})
        town_review = Counter({key: row[key] for key in REVIEW_CONDITIONS if row[key]})
        counts.update(town_counts)
        review.update(town_review)
        by_town.append(TownCounts(towns[row["town_id"]], town_counts, town_review))
    missing = (
        list(
            annotated.filter(conditions[Filing.MISSING])
            .select_related("town")
            .order_by("town__code", "code")
        )
        if Filing.MISSING in conditions
        else []
    )
    return Completeness(
        period=period,
        months=[period],
        counts=counts,
        by_town=sorted(by_town, key=lambda t: t.town.code),
        missing=missing,
        rows=[],
        review=review,
    )


def kept_filing_counts(
    committees: QuerySet, period: datetime.date, today: datetime.date
) -> Completeness:
    """`filing_counts`, kept until the data changes (twinning.shared.kept_figures): the home
    pages and the completeness page show the same counts for the same committees."""
    return kept_figures.remember("filing", filing_counts, committees, period, today)


def filed_share(
    committees: QuerySet, period: datetime.date, today: datetime.date
) -> tuple[int, int]:
    """(committees that owed the month, committees that filed it on time or late): one query."""
    conditions = _filing_conditions(period, today)
    done = conditions[Filing.ON_TIME] | conditions[Filing.LATE]
    row = _with_update(committees, period).aggregate(
        owed=Count("id"), filed=Count("id", filter=done)
    )
    return row["owed"], row["filed"]


def _visible_in_town(user: Any, town: str) -> QuerySet:
    committees = permissions.visible(user, JointCommittee.objects.all())
    return committees.filter(town__code=town) if town else committees


def completeness_rows(
    user: Any, period: datetime.date, today: datetime.date, *, town: str = "", status: str = ""
) -> QuerySet:
    """The committees the completeness page lists as filtered: those the user may see (in one
    town), that owed `period`, with the month's filing `status` if one is asked for."""
    owing = _with_update(_visible_in_town(user, town), period)
    if status:
        owing = owing.filter(status_condition(status, period, today))
    return owing.select_related("town").order_by("town__code", "code")


def completeness_for(
    user: Any,
    period: datetime.date,
    today: datetime.date,
    *,
    town: str = "",
    status: str = "",
    page: str | None = None,
    per_page: int = 50,
) -> tuple[Completeness, Page]:
    """The completeness page over the committees the user may see (optionally one town):
    the month's counts from the database, and the 12-month grid for one page of committees.
    A fixed number of queries, and work that does not grow with the city."""
    report = kept_filing_counts(_visible_in_town(user, town), period, today)
    rows = completeness_rows(user, period, today, town=town, status=status)
    current = Paginator(rows, per_page).get_page(page)
    report.months, grid = _grid(list(current.object_list), period, today, GRID_MONTHS)
    report.rows = grid
    current.object_list = grid
    return report, current


def due_months_for_secretary(user: Any, today: datetime.date) -> list[MonthState]:
    """The month being filed now, for each active committee the user files for (3 queries)."""
    period = rules.last_due_period(today)
    committees = owing_in(
        permissions.visible(user, JointCommittee.objects.filter(dissolved_on__isnull=True)),
        period,
    ).select_related("town")
    committees = [c for c in committees if permissions.can(user, "file", c)]
    updates = {
        u.committee_id: u
        for u in MonthlyUpdate.objects.filter(committee__in=committees, period=period)
    }
    requests = list(
        ReopenRequest.objects.filter(committee__in=committees, period=period).order_by(
            "-requested_at"
        )
    )
    states = []
    for committee in committees:
        mine = [r for r in requests if r.committee_id == committee.pk]
        states.append(
            MonthState(
                committee,
                period,
                updates.get(committee.pk),
                today,
                granted=any(r.status == ReopenRequest.Status.GRANTED for r in mine),
                pending_request=next(
                    (r for r in mine if r.status == ReopenRequest.Status.PENDING), None
                ),
            )
        )
    return states


def pending_reopen_requests(user: Any) -> QuerySet:
    """Reopen requests waiting for the department, oldest first."""
    return (
        permissions.visible(
            user, ReopenRequest.objects.filter(status=ReopenRequest.Status.PENDING)
        )
        .select_related("committee", "requested_by")
        .order_by("requested_at")
    )


def requested_period(value: str, today: datetime.date) -> tuple[datetime.date, str]:
    """The completeness page's month (`?month=YYYY-MM`): by default the month being filed, and
    never a later one; with the message when the value is no month ("" when it is)."""
    default = rules.last_due_period(today)
    try:
        period = parse_period(value or format_period(default))
    except ValidationError as error:
        return default, error.messages[0]
    return min(period, default), ""


def update_export(user: Any, params: Any) -> QuerySet:
    """The monthly updates a page lists, for its export, never more: with `committee`, the
    months of that committee's monthly page; otherwise the updates of the completeness page's
    rows as filtered (`month`, `town`, `status`)."""
    today = timezone.localdate()
    updates = MonthlyUpdate.objects.select_related("committee").order_by(
        "committee__code", "-period"
    )
    code = params.get("committee", "")
    if code:
        committee = permissions.visible(user, JointCommittee.objects.filter(code=code)).first()
        if committee is None or not permissions.can(user, "view_updates", committee):
            return updates.none()
        periods = [state.period for state in committee_months(committee, today)]
        return updates.filter(committee=committee, period__in=periods)
    if not permissions.can(user, "view_completeness"):
        return updates.none()
    period, _error = requested_period(params.get("month", ""), today)
    rows = completeness_rows(
        user, period, today, town=params.get("town", ""), status=params.get("status", "")
    )
    return updates.filter(committee__in=rows.values("pk"), period=period)


@dataclass
class Waiting:
    """A submitted update in the review queue, and how long it has waited."""

    update: MonthlyUpdate
    days: int

    @property
    def overdue(self) -> bool:
        return self.days > settings.MONTHLY_REVIEW_FLAG_DAYS


def review_queue(user: Any) -> QuerySet:
    """Updates waiting for this user's review (已报送·待审核), oldest first: town staff their
    towns', the department all; nobody else any."""
    if not permissions.can(user, "review"):
        return MonthlyUpdate.objects.none()
    return (
        permissions.visible(
            user, MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.SUBMITTED)
        )
        .select_related("committee__town", "committee__urban", "submitted_by")
        .prefetch_related("attachments")
        .order_by("submitted_at", "pk")
    )


def waiting_rows(updates: Any, today: datetime.date) -> list[Waiting]:
    return [
        Waiting(u, (today - rules.local_date(u.submitted_at)).days if u.submitted_at else 0)
        for u in updates
    ]

