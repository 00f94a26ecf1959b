"""The programme's core models, bound into the role policy (`twinning.shared.permissions`),
which imports no app: who sees what is made of towns, branches, members, committees and the
object permissions that tie users to towns and committees."""

from branches.models import Branch, Member, Town, UnitOffer
from twinning.committees.models import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    TownUserObjectPermission,
)
from twinning.shared import permissions


def bind() -> None:
    permissions.bind(permissions.ProgrammeModels(
        town=Town, branch=Branch, member=Member, offer=UnitOffer, committee=JointCommittee,
        membership=CommitteeVillage, town_right=TownUserObjectPermission,
        committee_right=CommitteeUserObjectPermission,
    ))
