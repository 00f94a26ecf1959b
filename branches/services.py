"""Writes to towns, branches and members."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Branch, Member

BRANCH_FIELDS = ("code", "name", "kind", "town", "secretary", "industries", "weak")
MEMBER_FIELDS = ("branch", "name", "role", "joined_on", "phone")


def _check_kind_change(branch: Branch, new_kind: str) -> None:
    """A branch in a committee keeps its side: a village stays a village, urban stays urban."""
    if branch.pk is None:
        return
    # Read the stored kind: a form may already have changed the instance in memory.
    stored_kind = Branch.objects.filter(pk=branch.pk).values_list("kind", flat=True).first()
    if stored_kind == new_kind:
        return
    was_village = stored_kind == Branch.Kind.VILLAGE
    if was_village and branch.committee_memberships.filter(left_on__isnull=True).exists():
        raise ValidationError({"kind": _("该村正在联合党组织中，不能更改类型。")})
    if not was_village and new_kind == Branch.Kind.VILLAGE and branch.led_committees.exists():
        raise ValidationError({"kind": _("该党组织是联合党组织的城市一方，不能改为村。")})


@transaction.atomic
def branch_save(*, branch: Branch | None = None, **values: Any) -> Branch:
    """Create a branch, or change one; the rules of the model and of committees hold."""
    branch = branch or Branch()
    _check_kind_change(branch, values.get("kind", branch.kind))
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
