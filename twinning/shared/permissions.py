"""Who may see and change what (DESIGN §2). The only module that knows about guardian.

`visible(user, queryset)` narrows any programme queryset to what the user may see, with
subqueries over the direct object-permission tables (no per-row checks); `can(user, action,
obj)` answers one question about one object. Views, templates and services ask these two.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from branches.models import Branch, Member, Town, UnitOffer
from twinning.committees.models import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    TownUserObjectPermission,
)
from twinning.shared.models import Role

MANAGE_TOWN = "manage_town"
MANAGE_COMMITTEE = "manage_committee"
INSPECT_COMMITTEE = "inspect_committee"

# Roles that may read members' personal data (names, phones, ratings), within their scope.
MEMBER_DATA_ROLES = {Role.DEPARTMENT, Role.TOWN, Role.SECRETARY}


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.DEPARTMENT
    cached = getattr(user, "_twinning_role", False)
    if cached is False:
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        cached = profile.role if profile else None
        user._twinning_role = cached
    return cached


def _town_ids(user: Any) -> QuerySet:
    return TownUserObjectPermission.objects.filter(
        user=user, permission__codename=MANAGE_TOWN
    ).values("content_object_id")


def _committee_ids(user: Any, codename: str) -> QuerySet:
    return CommitteeUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")


def _own_committee_ids(user: Any) -> QuerySet | None:
    """The committees a secretary or inspector is bound to; None for other roles."""
    role = role_of(user)
    if role == Role.SECRETARY:
        return _committee_ids(user, MANAGE_COMMITTEE)
    if role == Role.INSPECTOR:
        return _committee_ids(user, INSPECT_COMMITTEE)
    return None


def _visible_committees(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role == Role.DEPARTMENT:
        return qs
    if role == Role.TOWN:
        return qs.filter(town_id__in=_town_ids(user))
    own = _own_committee_ids(user)
    return qs.filter(id__in=own) if own is not None else qs.none()


def _visible_branches(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role == Role.DEPARTMENT:
        return qs
    committees = _visible_committees(user, JointCommittee.objects.all())
    in_committees = Q(id__in=committees.values("urban_id")) | Q(
        id__in=CommitteeVillage.objects.filter(committee__in=committees).values("village_id")
    )
    if role == Role.TOWN:
        return qs.filter(Q(town_id__in=_town_ids(user)) | in_committees)
    if role in (Role.SECRETARY, Role.INSPECTOR):
        return qs.filter(in_committees)
    return qs.none()


def member_branches(user: Any) -> Q:
    """The branches whose personal data (members, the secretary's name) the user may read.

    Town staff read their own town's branches; town staff and secretaries also the urban side
    and the current villages of their *active* committees. A dissolved committee, or a
    village that left, opens no one's view of members.
    """
    role = role_of(user)
    if role == Role.DEPARTMENT:
        return Q(pk__isnull=False)
    if role not in MEMBER_DATA_ROLES:
        return Q(pk__isnull=True)
    active = _visible_committees(user, JointCommittee.objects.filter(dissolved_on__isnull=True))
    reach = Q(id__in=active.values("urban_id")) | Q(
        id__in=CommitteeVillage.objects.filter(
            committee__in=active, left_on__isnull=True
        ).values("village_id")
    )
    if role == Role.TOWN:
        reach |= Q(town_id__in=_town_ids(user))
    return reach


def visible_for_members(user: Any, queryset: QuerySet, path: str = "member") -> QuerySet:
    """Rows about a member (ratings, help) are visible exactly where the member is; with
    `path` empty, the members themselves."""
    role = role_of(user)
    if role not in MEMBER_DATA_ROLES:
        return queryset.none()
    if role == Role.DEPARTMENT:
        return queryset
    branch = f"{path}__branch__in" if path else "branch__in"
    return queryset.filter(**{branch: Branch.objects.filter(member_branches(user))})


def _visible_members(user: Any, qs: QuerySet) -> QuerySet:
    return visible_for_members(user, qs, path="")


URBAN_OUT_OF_REACH = _("只能选择本镇街的城市党组织或组织部提供给本镇街的市直单位。")


def urban_choices(user: Any) -> QuerySet:
    """The branches the user may make a committee's urban side (DESIGN §2): any urban branch
    for the department; for town staff their own towns' urban branches and the city-level
    units the department offered to their towns; nothing for anyone else."""
    urban = Branch.objects.exclude(kind=Branch.Kind.VILLAGE)
    role = role_of(user)
    if role == Role.DEPARTMENT:
        return urban
    if role != Role.TOWN:
        return urban.none()
    towns = _town_ids(user)
    offered = UnitOffer.objects.filter(town_id__in=towns).values("branch_id")
    return urban.filter(Q(town_id__in=towns) | Q(id__in=offered))


def _visible_towns(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role in (Role.DEPARTMENT, Role.LEADER):
        return qs
    if role == Role.TOWN:
        return qs.filter(id__in=_town_ids(user))
    committees = _visible_committees(user, JointCommittee.objects.all())
    return qs.filter(id__in=committees.values("town_id"))


_VISIBLE = {
    JointCommittee: _visible_committees,
    Branch: _visible_branches,
    Member: _visible_members,
    Town: _visible_towns,
}


def register_visibility(model: type[Model], rule: Any) -> None:
    """Let another app say who sees its model, usually by delegating to its committee."""
    _VISIBLE[model] = rule


def visible(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of `queryset` the user may see; an unknown model shows nothing."""
    rule = _VISIBLE.get(queryset.model)
    if rule is None or role_of(user) is None:
        return queryset.none()
    return rule(user, queryset)


def visible_for_committees(user: Any, queryset: QuerySet, path: str = "committee") -> QuerySet:
    """Rows that hang off a committee are visible exactly where their committee is."""
    committees = _visible_committees(user, JointCommittee.objects.all())
    return queryset.filter(**{f"{path}__in": committees})


# Monthly updates are for those who file or review them: inspectors and leaders see none.
UPDATE_ROLES = {Role.DEPARTMENT, Role.TOWN, Role.SECRETARY}


def visible_updates(user: Any, queryset: QuerySet, path: str = "committee") -> QuerySet:
    """Monthly updates and what hangs off them, for the roles that file or review them."""
    if role_of(user) not in UPDATE_ROLES:
        return queryset.none()
    return visible_for_committees(user, queryset, path)


def committee_secretaries(committee_ids: Any) -> dict[int, list[int]]:
    """Ids of the users who manage each committee (its secretaries), by committee id."""
    rows = CommitteeUserObjectPermission.objects.filter(
        content_object_id__in=committee_ids,
        permission__codename=MANAGE_COMMITTEE,
        user__is_active=True,
    ).values_list("content_object_id", "user_id")
    found: dict[int, list[int]] = {}
    for committee_id, user_id in rows.order_by("content_object_id", "user_id"):
        found.setdefault(committee_id, []).append(user_id)
    return found


@dataclass
class Scope:
    """One user's reach, read once per request for the yes/no questions of `can`."""

    role: str | None
    towns: set[int] = field(default_factory=set)
    committees: set[int] = field(default_factory=set)


def scope_of(user: Any) -> Scope:
    cached = getattr(user, "_twinning_scope", None)
    if cached is not None:
        return cached
    role = role_of(user)
    scope = Scope(role=role)
    if role == Role.TOWN:
        scope.towns = set(_town_ids(user).values_list("content_object_id", flat=True))
    own = _own_committee_ids(user)
    if own is not None:
        scope.committees = set(own.values_list("content_object_id", flat=True))
    if role is not None:
        user._twinning_scope = scope
    return scope


def _committee_of(obj: Any) -> JointCommittee | None:
    if isinstance(obj, JointCommittee):
        return obj
    return getattr(obj, "committee", None)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether the user may do `action` on `obj` (or, with no object, at all).

    Actions: `view`, `change` (the committee's structure, branches, members), `create`,
    `manage` (the committee's own records: monthly updates, aid projects, reviews),
    `inspect`, `view_members`, `publish`, `view_bulletins`, `view_dashboard`, `admin`;
    for monthly updates `file` (the secretary writes and submits), `view_updates`, `review`
    (accept or return: department and town) and `grant_reopen` (the department only).
    """
    scope = scope_of(user)
    role = scope.role
    if role is None:
        return False
    if action == "file":
        # A committee's monthly update is written by its secretary only: the department and
        # the town review it and never write what they review.
        committee = _committee_of(obj)
        return (
            role == Role.SECRETARY and committee is not None and committee.pk in scope.committees
        )
    if role == Role.DEPARTMENT:
        return True
    if action in ("view_bulletins", "view_dashboard"):
        return role in (Role.TOWN, Role.LEADER)
    if action in ("publish", "admin", "advise") or role == Role.LEADER:
        return False
    if obj is None:
        # Without an object: may the user open a list, or start a new committee or branch?
        return action == "view" or (action == "create" and role == Role.TOWN)
    if action == "view":
        return visible(user, type(obj).objects.filter(pk=obj.pk)).exists()
    if action == "view_members":
        if role not in MEMBER_DATA_ROLES:
            return False
        if isinstance(obj, Branch):
            return Branch.objects.filter(member_branches(user), pk=obj.pk).exists()
        committee = _committee_of(obj)
        return committee is not None and committee.is_active and can(user, "view", committee)
    committee = _committee_of(obj)
    if isinstance(obj, Town):
        in_town = obj.pk in scope.towns
    elif committee is not None:
        in_town = committee.town_id in scope.towns
    else:
        town_id = obj.branch.town_id if isinstance(obj, Member) else getattr(obj, "town_id", None)
        in_town = town_id in scope.towns
    if role == Role.TOWN:
        return in_town and action in (
            "change", "create", "manage", "inspect", "view_updates", "review"
        )
    own = committee is not None and committee.pk in scope.committees
    if role == Role.SECRETARY:
        return own and action in ("manage", "view_updates")
    if role == Role.INSPECTOR:
        return own and action == "inspect"
    return False


# Per-committee rights by action, and the role that holds each.
_COMMITTEE_RIGHTS = {"manage": (MANAGE_COMMITTEE, Role.SECRETARY),
                     "inspect": (INSPECT_COMMITTEE, Role.INSPECTOR)}


def users_with(action: str, committee_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(user id, committee id) for the active users bound to these committees for `action`.

    `manage` gives each committee's secretaries, `inspect` its assigned inspectors. Town and
    department staff reach committees through their role, not a right on each committee, so
    they are not listed. One query.
    """
    codename, role = _COMMITTEE_RIGHTS[action]
    return list(
        CommitteeUserObjectPermission.objects.filter(
            permission__codename=codename,
            content_object_id__in=list(committee_ids),
            user__is_active=True,
            user__profile__role=role,
        )
        .order_by("user_id", "content_object_id")
        .values_list("user_id", "content_object_id")
    )


# Granting rights: used by add_user and the department's user pages.

def grant_town(user: Any, town: Town) -> None:
    assign_perm(f"branches.{MANAGE_TOWN}", user, town)
    _forget(user)


def grant_committee(user: Any, committee: JointCommittee, *, inspect: bool = False) -> None:
    codename = INSPECT_COMMITTEE if inspect else MANAGE_COMMITTEE
    assign_perm(f"twinning.{codename}", user, committee)
    _forget(user)


def revoke_committee(user: Any, committee: JointCommittee, *, inspect: bool = False) -> None:
    codename = INSPECT_COMMITTEE if inspect else MANAGE_COMMITTEE
    remove_perm(f"twinning.{codename}", user, committee)
    _forget(user)


def department_permissions() -> QuerySet:
    """Model permissions department staff hold in the admin."""
    return Permission.objects.filter(
        content_type__app_label__in=["branches", "twinning", "evaluations", "reports"]
    )


def _forget(user: Any) -> None:
    for attr in ("_twinning_scope", "_twinning_role"):
        if hasattr(user, attr):
            delattr(user, attr)
