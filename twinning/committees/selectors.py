"""Reads that feed the committee pages, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from branches.models import Branch, Member
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared import permissions


def active_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=CommitteeVillage.objects.filter(left_on__isnull=True)
        .select_related("village")
        .order_by("village__code"),
        to_attr="active_memberships",
    )


def committee_list(user: Any, params: dict[str, str]) -> QuerySet:
    """Committees the user may see, searched and filtered by the list page's parameters."""
    qs = permissions.visible(user, JointCommittee.objects.all())
    q = params.get("q", "").strip()
    if q:
        by_village = CommitteeVillage.objects.filter(village__name__icontains=q).values(
            "committee_id"
        )
        qs = qs.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(urban__name__icontains=q)
            | Q(id__in=by_village)
        )
    for key in ("form", "formation"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("town"):
        qs = qs.filter(town__code=params["town"])
    status = params.get("status", "active")
    if status == "active":
        qs = qs.filter(dissolved_on__isnull=True)
    elif status == "dissolved":
        qs = qs.filter(dissolved_on__isnull=False)
    return qs.select_related("urban", "town").prefetch_related(active_memberships())


@dataclass
class Officer:
    title: str
    member: Member


OFFICER_ROLES = (Member.Role.SECRETARY, Member.Role.DEPUTY, Member.Role.COMMITTEE)


def committee_officers(committee: JointCommittee, villages: list[Branch]) -> list[Officer]:
    """The joint committee's officers as DESIGN §1 derives them from the member branches.

    The urban branch's secretary is the joint committee's secretary (书记); each village
    secretary is a deputy secretary (副书记); the other members of the original branch
    committees are committee members (委员).
    """
    branch_ids = [committee.urban_id, *(v.pk for v in villages)]
    members = Member.objects.filter(branch_id__in=branch_ids, role__in=OFFICER_ROLES)
    officers: list[Officer] = []
    for member in members.select_related("branch").order_by("branch__code", "name"):
        if member.role == Member.Role.SECRETARY:
            title = "书记" if member.branch_id == committee.urban_id else "副书记"
        else:
            title = "委员"
        officers.append(Officer(title=title, member=member))
    order = {"书记": 0, "副书记": 1, "委员": 2}
    officers.sort(key=lambda o: (order[o.title], o.member.branch_id != committee.urban_id))
    return officers


def committee_detail(committee: JointCommittee, *, with_members: bool) -> dict[str, Any]:
    memberships = list(committee.memberships.select_related("village", "village__town"))
    villages = [m.village for m in memberships if m.is_active]
    return {
        "memberships": memberships,
        "villages": villages,
        "officers": committee_officers(committee, villages) if with_members else [],
    }


@dataclass
class Headline:
    committees: int
    by_form: list[tuple[str, int]]
    villages_joined: int
    villages_total: int

    @property
    def share(self) -> int:
        """Villages joined as a whole percentage of all village branches (DESIGN §1: 39%)."""
        if not self.villages_total:
            return 0
        return round(self.villages_joined * 100 / self.villages_total)


def active_on(committees: QuerySet, day: datetime.date | None) -> QuerySet:
    """Committees running on `day` (today's running committees when no day is given)."""
    if day is None:
        return committees.filter(dissolved_on__isnull=True)
    return committees.filter(established_on__lte=day).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )


def memberships_on(day: datetime.date | None) -> QuerySet:
    """Village memberships in force on `day` (today's when no day is given)."""
    if day is None:
        return CommitteeVillage.objects.filter(left_on__isnull=True)
    return CommitteeVillage.objects.filter(joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def headline_figures(
    committees: QuerySet, villages: QuerySet, on: datetime.date | None = None
) -> Headline:
    """Coverage figures for a set of committees against a set of village branches.

    With `on`, the figures are those in force on that day (a bulletin's month end);
    without it, today's.
    """
    active = active_on(committees, on)
    counts = dict(active.values_list("form").annotate(n=Count("id")).order_by())
    joined = memberships_on(on).filter(committee__in=active)
    return Headline(
        committees=sum(counts.values()),
        by_form=[(label, counts.get(value, 0)) for value, label in JointCommittee.Form.choices],
        villages_joined=joined.values("village_id").distinct().count(),
        villages_total=villages.filter(kind=Branch.Kind.VILLAGE).count(),
    )


def free_villages(town_ids: QuerySet | list[int] | None = None) -> QuerySet:
    """Village branches in no active committee, optionally within some towns."""
    taken = CommitteeVillage.objects.filter(left_on__isnull=True).values("village_id")
    qs = Branch.objects.filter(kind=Branch.Kind.VILLAGE).exclude(id__in=taken)
    if town_ids is not None:
        qs = qs.filter(town_id__in=town_ids)
    return qs.select_related("town").order_by("town__code", "name")


def village_choices(committee: JointCommittee) -> QuerySet:
    """The villages that may join `committee`: free villages of its town."""
    return free_villages([committee.town_id])


