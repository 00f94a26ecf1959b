"""Reads that feed the branch and member pages."""

from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from branches.models import Branch, Member, Town
from twinning.shared import permissions

# A membership that exists (not the empty row of an outer join) and has not ended; one filter()
# call, so both conditions hold for the same membership.
CURRENT_VILLAGE = {"committee_memberships__pk__isnull": False,
                   "committee_memberships__left_on__isnull": True}


def branch_list(user: Any, params: dict[str, str]) -> QuerySet:
    # `personal`: whether the user may read this branch's secretary (personal data).
    qs = permissions.visible(user, Branch.objects.all()).annotate(
        personal=ExpressionWrapper(permissions.member_branches(user),
                                   output_field=BooleanField()))
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q)
                       | Q(secretary__icontains=q, personal=True))
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("town"):
        qs = qs.filter(town__code=params["town"])
    qs = qs.annotate(joined=Exists(Branch.objects.filter(pk=OuterRef("pk"), **CURRENT_VILLAGE)))
    if params.get("weak") == "yes":
        qs = qs.filter(weak=True)
    if params.get("joined") == "yes":
        qs = qs.filter(joined=True)
    elif params.get("joined") == "no":
        qs = qs.filter(joined=False, kind=Branch.Kind.VILLAGE)
    return qs.select_related("town").annotate(member_count=Count("members")).order_by("code")


def branch_detail(branch: Branch) -> dict[str, Any]:
    return {
        "offered_towns": [offer.town for offer in branch.offers.select_related("town")],
        "memberships": list(
            branch.committee_memberships.select_related("committee").order_by("-joined_on")
        ),
        "led_committees": list(branch.led_committees.select_related("town")),
    }


def member_list(user: Any, params: dict[str, str]) -> QuerySet:
    qs = permissions.visible(user, Member.objects.all())
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(number=q) | Q(branch__name__icontains=q))
    if params.get("branch"):
        qs = qs.filter(branch__code=params["branch"])
    if params.get("role"):
        qs = qs.filter(role=params["role"])
    return qs.select_related("branch", "branch__town")


def town_list(user: Any, params: dict[str, str]) -> QuerySet:
    qs = permissions.visible(user, Town.objects.all())
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


# Branches know nothing of committees' models: they ask through the relations the committees
# declare on them (`committee_memberships`, `led_committees`).

def in_committees(branches: QuerySet) -> QuerySet:
    """Ids of these branches that are a current village of a committee."""
    return branches.filter(**CURRENT_VILLAGE).values_list("pk", flat=True).distinct()


def leading_committees(branches: QuerySet) -> QuerySet:
    """Ids of these branches that are the urban side of a committee (dissolved ones too)."""
    return branches.filter(led_committees__isnull=False).values_list("pk", flat=True).distinct()


def member_branch_choices(user: Any) -> QuerySet:
    """The branches the user may register a member in: those they see, and for town staff
    only those of their own towns."""
    branches = permissions.visible(user, Branch.objects.all())
    if permissions.can(user, "list_own_towns"):
        branches = branches.filter(town__in=permissions.visible(user, Town.objects.all()))
    return branches.select_related("town").order_by("name", "code")
