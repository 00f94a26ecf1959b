"""Writes to joint committees. Every rule of DESIGN §1 on a committee's shape is checked here."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from branches.models import Branch, Town
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared.periods import future_dates

BATCH_SIZE = 500


def check_urban(urban: Branch) -> None:
    """The urban side of a committee is never a village."""
    if urban.kind == Branch.Kind.VILLAGE:
        raise ValidationError(
            {
                "urban": _("「%(name)s」是村党组织，不能作为联合党组织的城市一方。")
                % {"name": urban.name}
            }
        )


def village_errors(
    villages: Sequence[Branch], *, town: Town, taken: Mapping[int, str]
) -> list[str]:
    """What is wrong with a committee's full set of current villages; empty when nothing is.

    `taken` names, for each village already held elsewhere, the committee that holds it. The
    caller reads it from the database (one committee) or in bulk (an import), so this check
    itself makes no query.
    """
    errors: list[str] = []
    not_villages = [v.name for v in villages if v.kind != Branch.Kind.VILLAGE]
    if not_villages:
        errors.append(_("「%(names)s」不是村党组织。") % {"names": "、".join(not_villages)})
    codes = [v.code for v in villages]
    if len(set(codes)) != len(codes):
        errors.append(_("同一个村不能重复加入。"))
    count = len(set(codes))
    if not JointCommittee.MIN_VILLAGES <= count <= JointCommittee.MAX_VILLAGES:
        errors.append(
            _("一个联合党组织须有%(min)s至%(max)s个村，现为%(count)s个。")
            % {
                "min": JointCommittee.MIN_VILLAGES,
                "max": JointCommittee.MAX_VILLAGES,
                "count": count,
            }
        )
    elsewhere = [v for v in villages if v.town_id != town.pk]
    if elsewhere:
        errors.append(
            _("「%(names)s」不在属地镇街「%(town)s」，联建村须位于同一镇街。")
            % {"names": "、".join(v.name for v in elsewhere), "town": town.name}
        )
    errors.extend(
        _("「%(village)s」已在联合党组织「%(committee)s」中。")
        % {"village": v.name, "committee": taken[v.pk]}
        for v in villages
        if v.pk in taken
    )
    return errors


def _check_villages(
    villages: Sequence[Branch], *, town: Town, committee: JointCommittee | None
) -> None:
    """Check a committee's full set of current villages against the rules."""
    taken = (
        CommitteeVillage.objects.filter(village__in=villages, left_on__isnull=True)
        .exclude(committee=committee)
        .values_list("village_id", "committee__name")
    )
    errors = village_errors(villages, town=town, taken=dict(taken))
    if errors:
        raise ValidationError({"villages": errors})


def committee_town(villages: Sequence[Branch]) -> Town:
    """The town that leads a new committee: the one where all its villages lie."""
    towns = {v.town_id for v in villages}
    if len(towns) != 1 or None in towns:
        raise ValidationError({"villages": [_("联建村须位于同一镇街。")]})
    return villages[0].town


def check_active(committee: JointCommittee) -> None:
    if not committee.is_active:
        raise ValidationError(
            _("联合党组织「%(name)s」已于%(date)s撤销，不能再修改。")
            % {"name": committee.name, "date": committee.dissolved_on.isoformat()}
        )


def _active_villages(committee: JointCommittee) -> list[Branch]:
    return [
        m.village
        for m in committee.memberships.filter(left_on__isnull=True).select_related("village")
    ]


@dataclass(frozen=True)
class CommitteePlan:
    """A committee to create: its own fields and its founding villages."""

    code: str
    name: str
    urban: Branch
    villages: Sequence[Branch]
    formation: str
    established_on: datetime.date
    town: Town | None = None


@transaction.atomic
def committee_bulk_create(*, plans: Sequence[CommitteePlan]) -> list[JointCommittee]:
    """Create committees with their first villages; the town defaults to the villages' town.

    Every rule is checked for all of them before anything is written, with a few reads for
    the whole batch rather than some per committee: a village already in a committee, or in
    two of the new ones, is refused. The villages join on the founding date, and each row
    is in the audit trail as created.
    """
    if not plans:
        return []
    villages = [v.pk for plan in plans for v in plan.villages]
    taken = dict(
        CommitteeVillage.objects.filter(village__in=villages, left_on__isnull=True)
        .values_list("village_id", "committee__name")
    )
    codes = [plan.code for plan in plans]
    existing = set(JointCommittee.objects.filter(code__in=codes).values_list("code", flat=True))
    committees: list[JointCommittee] = []
    for plan in plans:
        try:
            committees.append(_planned_committee(plan, taken, existing))
        except ValidationError as error:
            if len(plans) == 1:
                raise
            raise ValidationError(
                _("联合党组织「%(code)s」：%(messages)s")
                % {"code": plan.code, "messages": "".join(error.messages)}
            ) from error
        taken.update((v.pk, plan.name) for v in plan.villages)
        existing.add(plan.code)
    bulk_create_with_history(committees, JointCommittee, batch_size=BATCH_SIZE)
    memberships = [
        CommitteeVillage(committee=committee, village=village, joined_on=plan.established_on)
        for committee, plan in zip(committees, plans, strict=True)
        for village in plan.villages
    ]
    bulk_create_with_history(memberships, CommitteeVillage, batch_size=BATCH_SIZE)
    return committees


def _refuse_future(**dates: datetime.date) -> None:
    """A committee's founding, a village's joining or leaving and a dissolution take effect
    the day they name: one after today would count as done already (villages taken, rounds
    joined)."""
    future = future_dates(**dates)
    if future:
        raise ValidationError(future)


def _planned_committee(
    plan: CommitteePlan, taken: Mapping[int, str], existing: set[str]
) -> JointCommittee:
    check_urban(plan.urban)
    villages = list(plan.villages)
    town = plan.town or committee_town(villages)
    committee = JointCommittee(
        code=plan.code,
        name=plan.name,
        urban=plan.urban,
        form=JointCommittee.FORM_BY_URBAN_KIND[plan.urban.kind],
        formation=plan.formation,
        town=town,
        established_on=plan.established_on,
    )
    # The related rows are already instances, codes were read for the whole batch, and the
    # only constraint is on a dissolution date a new committee does not have.
    committee.full_clean(exclude=["urban", "town"], validate_unique=False,
                         validate_constraints=False)
    _refuse_future(established_on=plan.established_on)
    if plan.code in existing:
        raise ValidationError({"code": _("编码已被其他联合党组织使用。")})
    errors = village_errors(villages, town=town, taken=taken)
    if errors:
        raise ValidationError({"villages": errors})
    return committee


def committee_create(
    *,
    code: str,
    name: str,
    urban: Branch,
    villages: Sequence[Branch],
    formation: str,
    established_on: datetime.date,
    town: Town | None = None,
) -> JointCommittee:
    """Create one committee with its first villages (see `committee_bulk_create`)."""
    plan = CommitteePlan(code, name, urban, list(villages), formation, established_on, town)
    return committee_bulk_create(plans=[plan])[0]


@transaction.atomic
def committee_update(
    *,
    committee: JointCommittee,
    name: str,
    urban: Branch,
    formation: str,
    established_on: datetime.date,
) -> JointCommittee:
    """Change a committee's own fields; the form follows the urban branch's kind."""
    committee = JointCommittee.objects.select_for_update().get(pk=committee.pk)
    check_active(committee)
    check_urban(urban)
    _refuse_future(established_on=established_on)
    first_joined = committee.memberships.aggregate(first=Min("joined_on"))["first"]
    if first_joined and established_on > first_joined:
        raise ValidationError(
            {"established_on": _("成立日期不能晚于最早加入的村的加入日期（%(date)s）。")
             % {"date": first_joined.isoformat()}}
        )
    committee.name = name
    committee.urban = urban
    committee.form = JointCommittee.FORM_BY_URBAN_KIND[urban.kind]
    committee.formation = formation
    committee.established_on = established_on
    committee.full_clean()
    committee.save()
    return committee


@transaction.atomic
def committee_add_village(
    *, committee: JointCommittee, village: Branch, joined_on: datetime.date
) -> CommitteeVillage:
    """A village joins a committee; it must not be in another active committee."""
    committee = JointCommittee.objects.select_for_update().get(pk=committee.pk)
    check_active(committee)
    current = _active_villages(committee)
    _check_villages([*current, village], town=committee.town, committee=committee)
    _refuse_future(joined_on=joined_on)
    if joined_on < committee.established_on:
        raise ValidationError({"joined_on": _("加入日期不能早于联合党组织成立日期。")})
    membership = CommitteeVillage(committee=committee, village=village, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def committee_remove_village(
    *, committee: JointCommittee, village: Branch, left_on: datetime.date, reason: str
) -> CommitteeVillage:
    """A village leaves; the history row stays, and at least two villages must remain."""
    committee = JointCommittee.objects.select_for_update().get(pk=committee.pk)
    check_active(committee)
    membership = committee.memberships.filter(village=village, left_on__isnull=True).first()
    if membership is None:
        raise ValidationError(
            _("「%(village)s」不在联合党组织「%(committee)s」中。")
            % {"village": village.name, "committee": committee.name}
        )
    remaining = [v for v in _active_villages(committee) if v.pk != village.pk]
    if len(remaining) < JointCommittee.MIN_VILLAGES:
        raise ValidationError(
            _(
                "退出后只剩%(left)s个村，一个联合党组织至少须有%(min)s个村；"
                "请先加入新的村，或撤销该联合党组织。"
            )
            % {"left": len(remaining), "min": JointCommittee.MIN_VILLAGES}
        )
    _refuse_future(left_on=left_on)
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": _("退出日期不能早于加入日期。")})
    membership.left_on = left_on
    membership.left_reason = reason
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def committee_set_villages(
    *, committee: JointCommittee, villages: Sequence[Branch], on: datetime.date, reason: str
) -> tuple[list[Branch], list[Branch]]:
    """Make `villages` the committee's current villages: the others leave and the new ones
    join on `on`, one at a time through the services above, in an order that keeps 2–4
    villages at every step. Returns (joined, left)."""
    current = {v.pk: v for v in _active_villages(committee)}
    wanted = {v.pk: v for v in villages}
    joining = [v for pk, v in wanted.items() if pk not in current]
    leaving = [v for pk, v in current.items() if pk not in wanted]
    joined, left = list(joining), list(leaving)
    count = len(current)
    # Join while there is room, leave while enough remain; with both sets within 2–4 one of
    # the two is always possible, so the loop ends.
    while joining or leaving:
        if joining and count < JointCommittee.MAX_VILLAGES:
            committee_add_village(committee=committee, village=joining.pop(0), joined_on=on)
            count += 1
        elif leaving and count > JointCommittee.MIN_VILLAGES:
            committee_remove_village(
                committee=committee, village=leaving.pop(0), left_on=on, reason=reason
            )
            count -= 1
        else:
            # A target outside 2–4: let the service say why.
            _check_villages(list(wanted.values()), town=committee.town, committee=committee)
            break
    return joined, left


@transaction.atomic
def committee_dissolve(
    *, committee: JointCommittee, dissolved_on: datetime.date, reason: str
) -> JointCommittee:
    """Dissolve a committee: its villages leave on the same day and become free to join others."""
    committee = JointCommittee.objects.select_for_update().get(pk=committee.pk)
    check_active(committee)
    _refuse_future(dissolved_on=dissolved_on)
    if dissolved_on < committee.established_on:
        raise ValidationError({"dissolved_on": _("撤销日期不能早于成立日期。")})
    active = list(committee.memberships.filter(left_on__isnull=True).select_related("village"))
    late = [m.village.name for m in active if m.joined_on > dissolved_on]
    if late:
        raise ValidationError(
            {"dissolved_on": _("撤销日期早于「%(names)s」的加入日期。")
             % {"names": "、".join(late)}}
        )
    for membership in active:
        membership.left_on = dissolved_on
        membership.left_reason = reason or _("联合党组织撤销")
        membership.save()
    committee.dissolved_on = dissolved_on
    committee.save()
    return committee


