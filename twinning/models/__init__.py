"""The programme's core models, one module per sub-domain."""

from .committees import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    Profile,
    Role,
    TownUserObjectPermission,
)
from .meetings import ActionItem, JointMeeting

__all__ = [
    "ActionItem",
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "JointCommittee",
    "JointMeeting",
    "Profile",
    "Role",
    "TownUserObjectPermission",
]
