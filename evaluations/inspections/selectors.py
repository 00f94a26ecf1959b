"""Reads for the inspection pages, the home page, the monthly bulletin and the reminders.

Every list is narrowed by `twinning.permissions.visible` and fetches what its page shows in
a fixed number of queries; the bulletin's figures are counted and summed in the database.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, Count, F, Max, Min, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    Rectification,
    overdue_on,
)
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.periods import month_end
from twinning.shared.reminders import OwedItem

OPEN = Rectification.Status.OPEN
CLOSED = Rectification.Status.CLOSED


@dataclass(frozen=True)
class ScoreLine:
    """One criterion as an inspection form shows it: what it is, its maximum, its score."""

    criterion_id: int
    name: str
    description: str
    max_score: Decimal
    score: Decimal | None = None


def scoring_lines(inspection: Inspection | None = None) -> list[ScoreLine]:
    """The criteria an inspection is scored on.

    A new inspection is scored on the active rubric; a recorded one on the criteria it was
    scored with, under the names and maxima of that time, whatever the rubric says now.
    """
    if inspection is None or inspection.pk is None:
        return [
            ScoreLine(c.pk, c.name, c.description, c.max_score)
            for c in InspectionCriterion.objects.filter(active=True)
        ]
    return [
        ScoreLine(s.criterion_id, s.criterion_name, s.criterion.description, s.max_score, s.score)
        for s in inspection.scores.select_related("criterion")
    ]


def inspectable_committees(user: Any) -> QuerySet:
    """Active committees the user may record inspections of (`can(user, "inspect", …)`)."""
    active = JointCommittee.objects.filter(dissolved_on__isnull=True)
    ids = [c.pk for c in permissions.visible(user, active) if permissions.can(user, "inspect", c)]
    return active.filter(pk__in=ids).select_related("town").order_by("town__code", "code")


def _in_town_or_committee(qs: QuerySet, filters: Mapping[str, Any]) -> QuerySet:
    if filters.get("town"):
        qs = qs.filter(committee__town__code=filters["town"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(committee__name__icontains=q) | Q(committee__code__iexact=q))
    return qs


def inspection_list(user: Any, filters: Mapping[str, Any]) -> QuerySet:
    """Inspections the user may see, by month, town, committee and score range."""
    qs = permissions.visible(user, Inspection.objects.all())
    if filters.get("month"):
        qs = qs.filter(period=filters["month"])
    qs = _in_town_or_committee(qs, filters)
    if filters.get("min_score") is not None:
        qs = qs.filter(total__gte=filters["min_score"])
    if filters.get("max_score") is not None:
        qs = qs.filter(total__lte=filters["max_score"])
    return (
        qs.select_related("committee", "committee__town")
        .annotate(
            items=Count("rectifications"),
            open_items=Count("rectifications", filter=Q(rectifications__status=OPEN)),
        )
        .order_by("-period", "-total", "committee__code")
    )


def inspection_detail(inspection: Inspection) -> dict[str, Any]:
    return {
        "scores": list(inspection.scores.all()),
        "rectifications": list(
            inspection.rectifications.select_related("submitted_by", "closed_by")
        ),
    }


RECTIFICATION_STATES = ("open", "awaiting", "closed")


def rectification_list(
    user: Any, filters: Mapping[str, Any], today: datetime.date
) -> QuerySet:
    """Rectification items the user may see, by state, overdue, town, committee and due date.

    `state`: `open` (整改中, evidence not yet submitted), `awaiting` (submitted, to confirm),
    `closed`. `overdue`: open and due before today, whether or not evidence is in.
    """
    qs = permissions.visible(user, Rectification.objects.all())
    state = filters.get("state")
    if state == "open":
        qs = qs.open().filter(submitted_on__isnull=True)
    elif state == "awaiting":
        qs = qs.awaiting_confirmation()
    elif state == "closed":
        qs = qs.filter(status=CLOSED)
    if filters.get("overdue"):
        qs = qs.overdue(today)
    qs = _in_town_or_committee(qs, filters)
    if filters.get("due_before"):
        qs = qs.filter(due_on__lt=filters["due_before"])
    # "open" sorts after "closed": descending puts the open items first. `stage` orders the
    # states as they follow each other (the list's 状态 column sorts by it).
    return (
        qs.select_related("committee", "committee__town", "inspection")
        .alias(stage=Case(When(status=CLOSED, then=Value(2)),
                          When(submitted_on__isnull=False, then=Value(1)), default=Value(0)))
        .order_by("-status", "due_on", "pk")
    )


@dataclass(frozen=True)
class RectificationCounts:
    open: int
    overdue: int
    awaiting: int


def rectification_counts(user: Any, today: datetime.date) -> RectificationCounts:
    """Open, overdue and awaiting-confirmation items within the user's reach; one query."""
    qs = permissions.visible(user, Rectification.objects.open())
    counts = qs.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_on(today)),
        awaiting=Count("pk", filter=Q(submitted_on__isnull=False)),
    )
    return RectificationCounts(**counts)


def rectifications_due(user: Any, count: int = 5) -> list[Rectification]:
    """The open items within the user's reach that fall due first (a secretary's home page)."""
    qs = permissions.visible(user, Rectification.objects.open())
    return list(qs.select_related("committee").order_by("due_on", "pk")[:count])


def committees_to_inspect(user: Any, period: datetime.date) -> list[JointCommittee]:
    """The user's inspectable committees, each with `inspection`: this month's, or None."""
    this_month = Inspection.objects.filter(period=period)
    committees = inspectable_committees(user).prefetch_related(
        Prefetch("inspections", queryset=this_month, to_attr="this_month")
    )
    result = list(committees)
    for committee in result:
        committee.inspection = committee.this_month[0] if committee.this_month else None
    # Those still to inspect first.
    result.sort(key=lambda c: c.inspection is not None)
    return result


# The monthly bulletin (DESIGN §4 三、督查情况).

@dataclass(frozen=True)
class TownScores:
    town: str
    committees: int
    inspected: int
    average: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None
    rank: int | None


@dataclass(frozen=True)
class InspectionSummary:
    period: datetime.date
    committees: int
    inspected: int
    average: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None
    by_town: list[TownScores]
    top: list[Inspection]
    bottom: list[Inspection]

    @property
    def not_inspected(self) -> int:
        return self.committees - self.inspected


def _one_place(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def inspection_summary(
    period: datetime.date, committees: QuerySet, *, extremes: int = 5
) -> InspectionSummary:
    """A month's inspection scores for some committees: counts, average, range, by town, and
    the `extremes` highest and lowest inspections.

    Averages are over the committees inspected that month, rounded to one decimal place.
    Towns rank by their average score, highest first; towns with no inspection come last,
    unranked. Ties share a rank (1, 2, 2, 4). Counted in the database: five queries.
    """
    inspections = Inspection.objects.filter(period=period, committee__in=committees)
    overall = inspections.aggregate(
        inspected=Count("pk"), average=Avg("total"), highest=Max("total"), lowest=Min("total")
    )
    committee_counts = {
        (row["town_id"], row["town__name"]): row["n"]
        for row in committees.order_by().values("town_id", "town__name").annotate(n=Count("pk"))
    }
    town_rows = {
        row["committee__town_id"]: row
        for row in inspections.order_by().values("committee__town_id").annotate(
            inspected=Count("pk"), average=Avg("total"), highest=Max("total"),
            lowest=Min("total"),
        )
    }
    towns = []
    for (town_id, name), n in committee_counts.items():
        row = town_rows.get(town_id, {})
        towns.append(
            (name, n, row.get("inspected", 0), _one_place(row.get("average")),
             _one_place(row.get("highest")), _one_place(row.get("lowest")))
        )
    towns.sort(key=lambda t: (t[3] is None, -(t[3] or 0), t[0]))
    by_town: list[TownScores] = []
    for index, town in enumerate(towns):
        rank = None
        if town[3] is not None:
            tied = by_town and by_town[-1].average == town[3]
            rank = by_town[-1].rank if tied else index + 1
        by_town.append(TownScores(*town, rank=rank))
    ranked = inspections.select_related("committee", "committee__town")
    return InspectionSummary(
        period=period,
        committees=sum(committee_counts.values()),
        inspected=overall["inspected"],
        average=_one_place(overall["average"]),
        highest=_one_place(overall["highest"]),
        lowest=_one_place(overall["lowest"]),
        by_town=by_town,
        top=list(ranked.order_by("-total", "committee__code")[:extremes]),
        bottom=list(ranked.order_by("total", "committee__code")[:extremes]),
    )


@dataclass(frozen=True)
class RectificationSummary:
    period: datetime.date
    as_of: datetime.date
    opened: int
    closed: int
    closed_on_time: int
    closed_late: int
    overdue: int
    open_at_end: int


def rectification_summary(
    period: datetime.date, committees: QuerySet, today: datetime.date
) -> RectificationSummary:
    """A month's rectification items for some committees, in one query.

    `opened`: raised by that month's inspections. `closed`: closed during the month, of which
    `closed_on_time` by their due date and `closed_late` after it. `overdue` and `open_at_end`:
    as the lists stood at the end of the month's last day (or today, for the current month) —
    overdue meaning open with the due date before that day.
    """
    first, last = period, month_end(period)
    as_of = min(last, today)
    in_month = Q(closed_on__gte=first, closed_on__lte=last)
    still_open = Q(inspection__visited_on__lte=as_of) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
    )
    counts = Rectification.objects.filter(committee__in=committees).aggregate(
        opened=Count("pk", filter=Q(inspection__period=period)),
        closed=Count("pk", filter=in_month),
        closed_late=Count("pk", filter=in_month & Q(closed_on__gt=F("due_on"))),
        overdue=Count("pk", filter=overdue_on(as_of)),
        open_at_end=Count("pk", filter=still_open),
    )
    return RectificationSummary(
        period=period, as_of=as_of, closed_on_time=counts["closed"] - counts["closed_late"],
        **counts,
    )


# Reminders: what each secretary owes (a source of twinning.reminders, registered in
# EvaluationsConfig.ready).

def rectifications_owed(today: datetime.date) -> list[OwedItem]:
    """Open rectification items, one entry for each secretary of the committee concerned:
    overdue ones are e-mailed too, the others are on the to-do list until their evidence is in.

    Items whose evidence is submitted and awaits confirmation are not owed by the committee
    and are left out. `url` is the item's path on the site. Two queries.
    """
    items = list(
        Rectification.objects.open()
        .filter(submitted_on__isnull=True, inspection__visited_on__lte=today)
        .select_related("committee")
        .order_by("due_on", "pk")
    )
    secretaries: dict[int, list[int]] = {}
    for user_id, committee_id in permissions.users_with("manage", {r.committee_id for r in items}):
        secretaries.setdefault(committee_id, []).append(user_id)
    owed = []
    for item in items:
        overdue = item.due_on < today
        values = {
            "days": (today - item.due_on).days, "item": _shorten(item.description),
            "committee": item.committee.name, "owner": item.owner,
            "due": item.due_on.isoformat(),
        }
        if overdue:
            text = _(
                "整改事项逾期%(days)s天：%(item)s（%(committee)s，责任人%(owner)s，期限%(due)s）"
            ) % values
        else:
            text = _(
                "整改事项待完成：%(item)s（%(committee)s，责任人%(owner)s，期限%(due)s）"
            ) % values
        url = reverse("rectification_detail", args=[item.pk])
        owed.extend(
            OwedItem(user_id=user_id, key=f"rectification:{item.pk}", text=text, url=url,
                     remind=overdue)
            for user_id in secretaries.get(item.committee_id, ())
        )
    # Grouped by person, each one's items by due date.
    return sorted(owed, key=lambda o: o.user_id)


def _shorten(text: str, length: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"

