"""Who may see and change what (DESIGN §2): the one role policy, and the only module that
knows about roles and guardian.

Every decision is a named action: `can(user, action, obj)` answers one question about one
object (or, with no object, whether the user may do it at all), and `visible(user, queryset)`
narrows any programme queryset to what the user may see, with subqueries over the direct
object-permission tables (no per-row checks). Views, templates (through `may`), the navigation
and services ask by action, never by role.

The policy sits below every app and imports none: the committees concept binds the programme's
core models (`bind`), and each app says in its `ready()` how its rows hang off a committee or a
member (`register_visibility`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from twinning.shared.grants import GRANTS
from twinning.shared.models import Role

DEPARTMENT, TOWN, SECRETARY, INSPECTOR, LEADER = Role.values


@dataclass(frozen=True)
class ProgrammeModels:
    """The models the policy's reach is made of, bound by the committees concept."""

    town: type[Model]
    branch: type[Model]
    member: type[Model]
    offer: type[Model]
    committee: type[Model]
    membership: type[Model]
    town_right: type[Model]
    committee_right: type[Model]


_bound: list[ProgrammeModels] = []


def bind(models: ProgrammeModels) -> None:
    _bound[:] = [models]


def _m() -> ProgrammeModels:
    return _bound[0]


MANAGE_TOWN = "manage_town"
MANAGE_COMMITTEE = "manage_committee"
INSPECT_COMMITTEE = "inspect_committee"
# What only the secretary of the object's own committee does, whoever else may see it.
OWN_SECRETARY_ACTIONS = ("file", "answer_action_items")

URBAN_OUT_OF_REACH = _("只能选择本镇街的城市党组织或组织部提供给本镇街的市直单位。")


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


def holders(action: str) -> Q:
    """Users who may do `action` at all, as a filter on users (for notices and reminders)."""
    return Q(profile__role__in=sorted(GRANTS.get(action, (DEPARTMENT,))))


def _town_ids(user: Any) -> QuerySet:
    return _m().town_right.objects.filter(
        user=user, permission__codename=MANAGE_TOWN
    ).values("content_object_id")


def _committee_ids(user: Any, codename: str) -> QuerySet:
    return _m().committee_right.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")


def _own_committee_ids(user: Any) -> QuerySet | None:
    """The committees a secretary or inspector is bound to; None for other roles."""
    role = role_of(user)
    if role == SECRETARY:
        return _committee_ids(user, MANAGE_COMMITTEE)
    if role == INSPECTOR:
        return _committee_ids(user, INSPECT_COMMITTEE)
    return None


def _visible_committees(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role == DEPARTMENT:
        return qs
    if role == TOWN:
        return qs.filter(town_id__in=_town_ids(user))
    own = _own_committee_ids(user)
    return qs.filter(id__in=own) if own is not None else qs.none()


def _committees(user: Any) -> QuerySet:
    return _visible_committees(user, _m().committee.objects.all())


def _visible_branches(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role == DEPARTMENT:
        return qs
    committees = _committees(user)
    in_committees = Q(id__in=committees.values("urban_id")) | Q(
        id__in=_m().membership.objects.filter(committee__in=committees).values("village_id")
    )
    if role == TOWN:
        return qs.filter(Q(town_id__in=_town_ids(user)) | in_committees)
    if role in (SECRETARY, INSPECTOR):
        return qs.filter(in_committees)
    return qs.none()


def member_branches(user: Any) -> Q:
    """The branches whose personal data (members, the secretary's name) the user may read.

    Town staff read their own town's branches; town staff and secretaries also the urban side
    and the current villages of their *active* committees. A dissolved committee, or a
    village that left, opens no one's view of members.
    """
    role = role_of(user)
    if role == DEPARTMENT:
        return Q(pk__isnull=False)
    if role not in GRANTS["view_member_data"]:
        return Q(pk__isnull=True)
    active = _visible_committees(user, _m().committee.objects.filter(dissolved_on__isnull=True))
    reach = Q(id__in=active.values("urban_id")) | Q(
        id__in=_m().membership.objects.filter(
            committee__in=active, left_on__isnull=True
        ).values("village_id")
    )
    if role == TOWN:
        reach |= Q(town_id__in=_town_ids(user))
    return reach


def visible_for_members(user: Any, queryset: QuerySet, path: str = "member") -> QuerySet:
    """Rows about a member (ratings, help) are visible exactly where the member is; with
    `path` empty, the members themselves."""
    role = role_of(user)
    if role not in GRANTS["view_member_data"]:
        return queryset.none()
    if role == DEPARTMENT:
        return queryset
    branch = f"{path}__branch__in" if path else "branch__in"
    return queryset.filter(**{branch: _m().branch.objects.filter(member_branches(user))})


def urban_choices(user: Any) -> QuerySet:
    """The branches the user may make a committee's urban side (DESIGN §2): any urban branch
    for the department; for town staff their own towns' urban branches and the city-level
    units the department offered to their towns; nothing for anyone else."""
    branch = _m().branch
    urban = branch.objects.exclude(kind=branch.Kind.VILLAGE)
    role = role_of(user)
    if role == DEPARTMENT:
        return urban
    if role != TOWN:
        return urban.none()
    towns = _town_ids(user)
    offered = _m().offer.objects.filter(town_id__in=towns).values("branch_id")
    return urban.filter(Q(town_id__in=towns) | Q(id__in=offered))


def _visible_towns(user: Any, qs: QuerySet) -> QuerySet:
    role = role_of(user)
    if role in (DEPARTMENT, LEADER):
        return qs
    if role == TOWN:
        return qs.filter(id__in=_town_ids(user))
    return qs.filter(id__in=_committees(user).values("town_id"))


def visible_for_committees(user: Any, queryset: QuerySet, path: str = "committee") -> QuerySet:
    """Rows that hang off a committee are visible exactly where their committee is."""
    return queryset.filter(**{f"{path}__in": _committees(user)})


@dataclass(frozen=True)
class Visibility:
    """How an app's rows are seen: by the holders of `readers`, where their committee (at
    `committee`) and the member they are about (at `member`) are seen. Holders of `city_wide`
    see every row; users without `only[0]` see just the rows matching `only[1]`."""

    readers: str = "view"
    committee: str | None = "committee"
    member: str | None = None
    city_wide: str | None = None
    only: tuple[str, Q] | None = None
    # The committee path crosses a to-many relation: narrow by a subquery, so that a row
    # reached through several related rows is listed once.
    many: bool = False

    def narrow(self, user: Any, qs: QuerySet) -> QuerySet:
        if not can(user, self.readers):
            return qs.none()
        if self.only is not None and not can(user, self.only[0]):
            qs = qs.filter(self.only[1])
        if self.city_wide is not None and can(user, self.city_wide):
            return qs
        if self.committee is not None and self.many:
            reached = visible_for_committees(user, qs.model.objects.all(), self.committee)
            qs = qs.filter(pk__in=reached.values("pk"))
        elif self.committee is not None:
            qs = visible_for_committees(user, qs, self.committee)
        return qs if self.member is None else visible_for_members(user, qs, self.member)


_VISIBLE: dict[type[Model], Any] = {}


def register_visibility(model: type[Model], **how: Any) -> None:
    """Say who sees an app's model, in the terms of `Visibility` (called from `ready()`)."""
    _VISIBLE[model] = Visibility(**how).narrow


def visible(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of `queryset` the user may see; an unknown model shows nothing."""
    if role_of(user) is None:
        return queryset.none()
    core = _m()
    rule = {
        core.committee: _visible_committees,
        core.branch: _visible_branches,
        core.member: lambda user, qs: visible_for_members(user, qs, path=""),
        core.town: _visible_towns,
    }.get(queryset.model) or _VISIBLE.get(queryset.model)
    return queryset.none() if rule is None else rule(user, queryset)


def committee_secretaries(committee_ids: Any) -> dict[int, list[int]]:
    """Ids of the users who manage each committee (its secretaries), by committee id."""
    rows = _m().committee_right.objects.filter(
        content_object_id__in=committee_ids,
        permission__codename=MANAGE_COMMITTEE,
        user__is_active=True,
    ).values_list("content_object_id", "user_id")
    found: dict[int, list[int]] = {}
    for committee_id, user_id in rows.order_by("content_object_id", "user_id"):
        found.setdefault(committee_id, []).append(user_id)
    return found


def towns_of_users(user_ids: Iterable[int]) -> dict[int, set[int]]:
    """The towns each user works in, by user id: town staff their own towns, secretaries and
    inspectors the towns of their active committees (for the towns' group chats). Two
    queries."""
    ids, found = list(user_ids), {}
    rows = [
        *_m().town_right.objects.filter(
            user_id__in=ids, permission__codename=MANAGE_TOWN, user__profile__role=TOWN,
        ).values_list("user_id", "content_object_id"),
        *_m().committee_right.objects.filter(
            user_id__in=ids, content_object__dissolved_on__isnull=True,
            permission__codename__in=[MANAGE_COMMITTEE, INSPECT_COMMITTEE],
            user__profile__role__in=[SECRETARY, INSPECTOR],
        ).values_list("user_id", "content_object__town_id"),
    ]
    for user_id, town_id in rows:
        if town_id is not None:
            found.setdefault(user_id, set()).add(town_id)
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
    if role == TOWN:
        scope.towns = set(_town_ids(user).values_list("content_object_id", flat=True))
    own = _own_committee_ids(user)
    if own is not None:
        scope.committees = set(own.values_list("content_object_id", flat=True))
    if role is not None:
        user._twinning_scope = scope
    return scope


def _committee_of(obj: Any) -> Any:
    if isinstance(obj, _m().committee):
        return obj
    return getattr(obj, "committee", None)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether the user may do `action` on `obj` (or, with no object, at all).

    Without an object the answer is `GRANTS`. With one: `view` (it is visible), `change` (the
    committee's structure, branches, members), `create`, `manage` (the committee's own
    records: monthly updates, aid projects, reviews), `inspect`, `view_members`, and for
    monthly updates `file` (the secretary writes and submits), `view_updates`, `review`
    (accept or return: department and town), `nudge` (催报: department and town) and
    `grant_reopen` (the department only); an action item given to a committee is answered
    (`answer_action_items`) by its secretary.
    """
    if obj is None:
        return role_of(user) in GRANTS.get(action, (DEPARTMENT,))
    scope = scope_of(user)
    role = scope.role
    if role is None:
        return False
    if action in OWN_SECRETARY_ACTIONS:
        # A committee's monthly update, and its answer to the joint meeting, are written by
        # its secretary only: the department and the town review them and never write what
        # they review.
        committee = _committee_of(obj)
        return role == SECRETARY and committee is not None and committee.pk in scope.committees
    if role == DEPARTMENT:
        return True
    if role == LEADER:
        return False
    if action == "view":
        return visible(user, type(obj).objects.filter(pk=obj.pk)).exists()
    if action == "view_members":
        if role not in GRANTS["view_member_data"]:
            return False
        if isinstance(obj, _m().branch):
            return _m().branch.objects.filter(member_branches(user), pk=obj.pk).exists()
        committee = _committee_of(obj)
        return committee is not None and committee.is_active and can(user, "view", committee)
    if action == "manage_account":
        return role == TOWN and _town_manages(scope, obj)
    committee = _committee_of(obj)
    if isinstance(obj, _m().town):
        in_town = obj.pk in scope.towns
    elif committee is not None:
        in_town = committee.town_id in scope.towns
    else:
        town_id = (obj.branch.town_id if isinstance(obj, _m().member)
                   else getattr(obj, "town_id", None))
        in_town = town_id in scope.towns
    if role == TOWN:
        return in_town and action in (
            "change", "create", "manage", "inspect", "view_updates", "review", "nudge"
        )
    own = committee is not None and committee.pk in scope.committees
    if role == SECRETARY:
        return own and action in ("manage", "view_updates")
    if role == INSPECTOR:
        return own and action == "inspect"
    return False


class Abilities:
    """`may.<action>` in templates: whether the request's user may do the action at all."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getitem__(self, action: str) -> bool:
        return can(self.user, action)

    def __repr__(self) -> str:
        # What every answer depends on (a fragment kept per rights is keyed by it).
        return f"Abilities({role_of(self.user)})"


# Per-committee rights by action, and the role that holds each.
_COMMITTEE_RIGHTS = {
    "manage": (MANAGE_COMMITTEE, SECRETARY), "inspect": (INSPECT_COMMITTEE, INSPECTOR),
}


def users_with(action: str, committee_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(user id, committee id) for the active users bound to these committees for `action`.

    `manage` gives each committee's secretaries, `inspect` its assigned inspectors. Town and
    department staff reach committees through their role, not a right on each committee, so
    they are not listed. One query.
    """
    codename, role = _COMMITTEE_RIGHTS[action]
    return _holders(_m().committee_right, codename, role, committee_ids)


def town_users(action: str, town_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(user id, town id) for the active town staff of these towns, if their role may do
    `action` (one query; none otherwise)."""
    if TOWN not in GRANTS.get(action, (DEPARTMENT,)):
        return []
    return _holders(_m().town_right, MANAGE_TOWN, TOWN, town_ids)


def _holders(rights: Any, codename: str, role: str,
             object_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(user id, object id) for the active users of `role` holding the right `codename` on
    these objects (a guardian object-permission table), in a stable order. One query."""
    return list(
        rights.objects.filter(
            permission__codename=codename,
            content_object_id__in=list(object_ids),
            user__is_active=True,
            user__profile__role=role,
        )
        .order_by("user_id", "content_object_id")
        .values_list("user_id", "content_object_id")
    )


def city_wide_holders(action: str) -> Q:
    """Users who may do `action` on every object (the department), as a filter on users."""
    if DEPARTMENT not in GRANTS.get(action, (DEPARTMENT,)):
        return Q(pk__in=[])
    return Q(profile__role=DEPARTMENT)



# Accounts: who manages whose, and granting rights (add_user and the account pages).

def _town_manages(scope: Scope, account: Any) -> bool:
    """Town staff manage an account that is a secretary's or an inspector's and is bound only
    to committees of their own towns."""
    if role_of(account) not in (SECRETARY, INSPECTOR):
        return False
    towns = set(_m().committee.objects.filter(
        id__in=_m().committee_right.objects.filter(user=account).values("content_object_id")
    ).values_list("town_id", flat=True))
    return bool(towns) and towns <= scope.towns


def accounts_in_reach(user: Any, accounts: QuerySet) -> QuerySet:
    """The accounts (users) `user` manages: every one for the department; for town staff the
    secretaries and inspectors bound only to committees of their towns; none for others."""
    role = role_of(user)
    if role == DEPARTMENT:
        return accounts
    if role != TOWN:
        return accounts.none()
    rights = _m().committee_right.objects.filter(
        permission__codename__in=(MANAGE_COMMITTEE, INSPECT_COMMITTEE))
    inside = rights.filter(content_object__town_id__in=_town_ids(user))
    outside = rights.exclude(content_object__town_id__in=_town_ids(user))
    return accounts.filter(
        profile__role__in=(SECRETARY, INSPECTOR), id__in=inside.values("user_id"),
    ).exclude(id__in=outside.values("user_id"))


def assignable_roles(user: Any) -> list[str]:
    """The roles `user` may give a new account."""
    if can(user, "manage_accounts"):
        return list(Role.values)
    if can(user, "manage_town_accounts"):
        return [SECRETARY, INSPECTOR]
    return []


def account_role(account: Any) -> str | None:
    """An account's role, for the account pages (they show it and fit the form to it)."""
    return role_of(account)


def set_reach(user: Any, *, towns: Iterable[Any] = (), committees: Iterable[Any] = ()) -> None:
    """Replace an account's towns or committees (by its role) with these."""
    role = role_of(user)
    if scope_needed(role) == "town":
        current = set(_town_ids(user).values_list("content_object_id", flat=True))
        wanted = {t.pk: t for t in towns}
        for town in _m().town.objects.filter(pk__in=current - set(wanted)):
            remove_perm(f"branches.{MANAGE_TOWN}", user, town)
        for pk in set(wanted) - current:
            grant_town(user, wanted[pk])
    elif scope_needed(role) == "committees":
        inspect = role == INSPECTOR
        current = set(_own_committee_ids(user).values_list("content_object_id", flat=True))
        wanted = {c.pk: c for c in committees}
        for committee in _m().committee.objects.filter(pk__in=current - set(wanted)):
            revoke_committee(user, committee, inspect=inspect)
        for pk in set(wanted) - current:
            grant_committee(user, wanted[pk], inspect=inspect)
    _forget(user)


def reach_of(user: Any) -> tuple[QuerySet, QuerySet]:
    """An account's towns and committees (the reach its role binds it to)."""
    own = _own_committee_ids(user)
    committees = _m().committee.objects.all()
    return (_m().town.objects.filter(id__in=_town_ids(user)),
            committees.filter(id__in=own) if own is not None else committees.none())

def scope_needed(role: str) -> str | None:
    """What an account of this role must be bound to: "town", "committees" or nothing."""
    return {TOWN: "town", SECRETARY: "committees", INSPECTOR: "committees"}.get(role)


def grant_role(user: Any, role: str, *, towns: Iterable[Any] = (),
               committees: Iterable[Any] = ()) -> None:
    """Give a new account its role and its reach (towns for town staff, committees for
    secretaries and inspectors); department staff also get the admin's model permissions."""
    from twinning.shared.models import Profile

    Profile.objects.create(user=user, role=role)
    if role == DEPARTMENT:
        user.user_permissions.set(department_permissions())
    for town in towns if scope_needed(role) == "town" else ():
        grant_town(user, town)
    for committee in committees if scope_needed(role) == "committees" else ():
        grant_committee(user, committee, inspect=role == INSPECTOR)


def grant_town(user: Any, town: Any) -> None:
    assign_perm(f"branches.{MANAGE_TOWN}", user, town)
    _forget(user)


def grant_committee(user: Any, committee: Any, *, inspect: bool = False) -> None:
    codename = INSPECT_COMMITTEE if inspect else MANAGE_COMMITTEE
    assign_perm(f"twinning.{codename}", user, committee)
    _forget(user)


def revoke_committee(user: Any, committee: Any, *, inspect: bool = False) -> None:
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
