"""Writes to towns, branches and members; the checks here hold for forms and imports alike."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Branch, Member, Town

TOWN_FIELDS = ("code", "name", "kind")
BRANCH_FIELDS = ("code", "name", "kind", "town", "secretary", "industries", "weak")
MEMBER_FIELDS = ("branch", "name", "role", "joined_on", "phone")


def branch_change_errors(
    *, stored: Branch, kind: str, town_id: int | None, in_committee: bool, leads_committee: bool
) -> dict[str, str]:
    """What a change to a stored branch would break in the committees it belongs to.

    A village in an active committee stays a village in its town; the urban side of a
    committee stays urban. The caller says whether the branch is in or leads a committee
    (read for one branch, or in bulk for an import), so this check makes no query.
    """
    errors: dict[str, str] = {}
    if stored.kind == Branch.Kind.VILLAGE and in_committee:
        if kind != Branch.Kind.VILLAGE:
            errors["kind"] = _("该村正在联合党组织中，不能更改类型。")
        if town_id != stored.town_id:
            errors["town"] = _("该村正在联合党组织中，不能更改所在镇街。")
    if stored.kind != Branch.Kind.VILLAGE and kind == Branch.Kind.VILLAGE and leads_committee:
        errors["kind"] = _("该党组织是联合党组织的城市一方，不能改为村。")
    return errors


def _check_change(branch: Branch, kind: str, town_id: int | None) -> None:
    if branch.pk is None:
        return
    # Read the stored branch: a form may already have changed the instance in memory.
    stored = Branch.objects.get(pk=branch.pk)
    if (stored.kind, stored.town_id) == (kind, town_id):
        return
    errors = branch_change_errors(
        stored=stored,
        kind=kind,
        town_id=town_id,
        in_committee=stored.committee_memberships.filter(left_on__isnull=True).exists(),
        leads_committee=stored.led_committees.exists(),
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def town_save(*, town: Town | None = None, **values: Any) -> Town:
    """Create a town, or change one."""
    town = town or Town()
    for name in TOWN_FIELDS:
        if name in values:
            setattr(town, name, values[name])
    town.full_clean()
    town.save()
    return town


@transaction.atomic
def branch_save(*, branch: Branch | None = None, **values: Any) -> Branch:
    """Create a branch, or change one; the rules of the model and of committees hold."""
    branch = branch or Branch()
    town_id = branch.town_id
    if "town" in values:
        town_id = values["town"].pk if values["town"] else None
    _check_change(branch, values.get("kind", branch.kind), town_id)
    for name in BRANCH_FIELDS:
        if name in values:
            setattr(branch, name, values[name])
    if branch.kind != Branch.Kind.VILLAGE:
        branch.weak = False
    branch.full_clean()
    branch.save()
    return branch


@transaction.atomic
def member_save(*, member: Member | None = None, **values: Any) -> Member:
    """Create a member, or change one."""
    member = member or Member()
    for name in MEMBER_FIELDS:
        if name in values:
            setattr(member, name, values[name])
    member.full_clean()
    member.save()
    return member
