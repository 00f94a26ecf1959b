"""The department's writes on the advisor: weights, pair rules, accepting and rejecting."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Branch
from twinning.advisor.models import AdvisorSettings, PairRule, ProposalRejection
from twinning.committees.models import JointCommittee
from twinning.committees.services import committee_create
from twinning.shared.writes import save_single_row


def advisor_settings_update(*, settings: AdvisorSettings) -> AdvisorSettings:
    """Save the advisor's weights and limits."""
    return save_single_row(settings)


def pair_rule_set(*, urban: Branch, village: Branch, kind: str) -> PairRule:
    """Lock or forbid one pair; a second rule on the same pair replaces the first."""
    if urban.kind == Branch.Kind.VILLAGE:
        raise ValidationError({"urban": _("「%(name)s」是村党组织，不能作为城市一方。")
                               % {"name": urban.name}})
    if not (village.kind == Branch.Kind.VILLAGE and village.weak):
        raise ValidationError({"village": _("「%(name)s」不是薄弱村。") % {"name": village.name}})
    rule, _created = PairRule.objects.update_or_create(
        urban=urban, village=village, defaults={"kind": kind}
    )
    return rule


def pair_rule_delete(*, rule: PairRule) -> None:
    rule.delete()


def _group_key(villages: Sequence[Branch]) -> str:
    return ";".join(sorted(v.code for v in villages))


@transaction.atomic
def proposal_accept(
    *, urban: Branch, villages: Sequence[Branch], code: str, name: str, today: datetime.date
) -> JointCommittee:
    """A proposal becomes a committee formed 定对 (assigned by the department); its locks are
    spent, since the villages now have a committee."""
    committee = committee_create(
        code=code, name=name, urban=urban, villages=villages,
        formation=JointCommittee.Formation.ASSIGNED, established_on=today,
    )
    PairRule.objects.filter(village__in=villages, kind=PairRule.Kind.LOCK).delete()
    return committee


def proposal_reject(
    *, urban: Branch, villages: Sequence[Branch], today: datetime.date
) -> ProposalRejection:
    """The advisor will not propose this exact group again."""
    rejection, _created = ProposalRejection.objects.get_or_create(
        urban=urban, villages=_group_key(villages), defaults={"rejected_on": today}
    )
    return rejection

