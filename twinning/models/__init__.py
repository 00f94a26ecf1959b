"""The programme's core models, one module per sub-domain."""

from .committees import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    Profile,
    Role,
    TownUserObjectPermission,
)

__all__ = [
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "JointCommittee",
    "Profile",
    "Role",
    "TownUserObjectPermission",
]
