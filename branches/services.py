"""Writes to towns, branches and members; the checks here hold for forms and imports alike."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Branch, Member, Town, UnitOffer
from branches.selectors import in_committees, leading_committees
from twinning.shared.periods import future_dates

TOWN_FIELDS = ("code", "name", "kind")
BRANCH_FIELDS = ("code", "name", "kind", "town", "secretary", "industries", "weak")
MEMBER_FIELDS = ("branch", "number", "name", "role", "joined_on", "phone")
BATCH_SIZE = 500


def branch_errors(branch: Branch) -> dict[str, str]:
    """The branch's own rules (the model's check constraints), checked without a query."""
    errors: dict[str, str] = {}
    if branch.town_id is None and branch.kind not in Branch.TOWNLESS_KINDS:
        errors["town"] = _("村和居委会必须填写所在镇街。")
    if branch.weak and branch.kind != Branch.Kind.VILLAGE:
        errors["weak"] = _("只有村党组织可以标记为薄弱村。")
    return errors


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


def _assign_and_save(obj: Any, fields: Sequence[str], values: dict[str, Any]) -> Any:
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def town_save(*, town: Town | None = None, **values: Any) -> Town:
    """Create a town, or change one."""
    return _assign_and_save(town or Town(), TOWN_FIELDS, values)


@transaction.atomic
def branch_save(
    *, branch: Branch | None = None, offered_to: Sequence[Town] | None = None, **values: Any
) -> Branch:
    """Create a branch, or change one; the rules of the model and of committees hold.
    `offered_to`, where given, sets the towns a city-level unit is offered to."""
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
    if offered_to is not None:
        branch_set_offers(branch=branch, towns=offered_to)
    return branch


@transaction.atomic
def branch_set_offers(*, branch: Branch, towns: Sequence[Town]) -> Branch:
    """Offer a city-level unit to these towns (and withdraw it from the others): their staff
    may then make it the urban side of their committees. Committees it already leads stay."""
    if towns and (branch.town_id is not None or branch.kind not in Branch.TOWNLESS_KINDS):
        raise ValidationError({"offered_to": _(
            "只有不属于任何镇街的市直企业和部门可以提供给镇街。")})
    wanted = {town.pk for town in towns}
    current = {offer.town_id: offer for offer in branch.offers.all()}
    for town_id, offer in current.items():
        if town_id not in wanted:
            offer.delete()  # one by one, so the audit trail records each withdrawal
    for town_id in wanted - set(current):
        UnitOffer.objects.create(branch=branch, town_id=town_id)
    return branch


def member_number(value: str | None) -> str | None:
    """A member number as stored: trimmed, and None (not given) when blank, so that any
    number of members may lack one while a given number stays unique in the city."""
    text = (value or "").strip()
    return text or None


@transaction.atomic
def member_save(*, member: Member | None = None, **values: Any) -> Member:
    """Create a member, or change one. Two members of one branch may share a name when
    they carry their numbers (the database's constraints hold the rule)."""
    future = future_dates(joined_on=values.get("joined_on"))
    if future:
        raise ValidationError(future)
    if "number" in values:
        values["number"] = member_number(values["number"])
    member = member or Member()
    number = values.get("number", member.number)
    branch, name = values.get("branch", getattr(member, "branch", None)), values.get(
        "name", member.name)
    if number is None and branch is not None and Member.objects.filter(
            branch=branch, name=name).exclude(pk=member.pk).exists():
        # As in an import (DESIGN §5): a name shared in a branch needs its number.
        raise ValidationError({"number": _("本党组织已有党员叫「%(name)s」，请填写党员编号以区分。")
                               % {"name": name}})
    return _assign_and_save(member, MEMBER_FIELDS, values)


def _field_rules(obj: Any, relations: Sequence[str]) -> None:
    """The model's field rules (length, choices, blank) without a query; uniqueness and the
    relations are the database's constraints."""
    obj.full_clean(exclude=list(relations), validate_unique=False, validate_constraints=False)


def _label(obj: Any) -> str:
    return getattr(obj, "code", None) or str(obj)


def _bulk_save(model: type, objs: Sequence[Any], fields: Sequence[str]) -> None:
    """Insert the new rows and update the stored ones in batches, with their history."""
    created = [obj for obj in objs if obj.pk is None]
    changed = [obj for obj in objs if obj.pk is not None]
    if created:
        bulk_create_with_history(created, model, batch_size=BATCH_SIZE)
    if changed:
        bulk_update_with_history(changed, model, fields=list(fields), batch_size=BATCH_SIZE)


def _refuse(obj: Any, errors: dict[str, Any]) -> None:
    messages = [str(m) for value in errors.values() for m in (
        value if isinstance(value, list) else [value])]
    raise ValidationError(
        _("「%(record)s」：%(messages)s") % {"record": _label(obj), "messages": "".join(messages)}
    )


@transaction.atomic
def branch_bulk_save(*, branches: Sequence[Branch]) -> None:
    """Create or change many branches at once (an import), with the rules of `branch_save`
    read for the whole batch instead of per branch."""
    stored = Branch.objects.in_bulk([b.pk for b in branches if b.pk is not None])
    stored_ids = list(stored)
    in_committee = set(in_committees(Branch.objects.filter(pk__in=stored_ids)))
    leading = set(leading_committees(Branch.objects.filter(pk__in=stored_ids)))
    for branch in branches:
        if branch.kind != Branch.Kind.VILLAGE:
            branch.weak = False  # as branch_save does
        try:
            _field_rules(branch, ["town"])
        except ValidationError as error:
            _refuse(branch, error.message_dict)
        errors = branch_errors(branch)
        if branch.pk is not None:
            errors.update(branch_change_errors(
                stored=stored[branch.pk], kind=branch.kind, town_id=branch.town_id,
                in_committee=branch.pk in in_committee, leads_committee=branch.pk in leading,
            ))
        if errors:
            _refuse(branch, errors)
    _bulk_save(Branch, branches, BRANCH_FIELDS)


@transaction.atomic
def member_bulk_save(*, members: Sequence[Member]) -> None:
    """Create or change many members at once (an import); numbers stay unique, and a name
    without a number unique in its branch, by the database's constraints."""
    for member in members:
        member.number = member_number(member.number)
        try:
            _field_rules(member, ["branch"])
        except ValidationError as error:
            _refuse(member, error.message_dict)
        future = future_dates(joined_on=member.joined_on)
        if future:
            _refuse(member, future)
    _bulk_save(Member, members, MEMBER_FIELDS)
