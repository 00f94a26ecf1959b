"""The programme's core models, one module per sub-domain."""

from .committees import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    Profile,
    Role,
    TownUserObjectPermission,
)
from .exchange import ImportRecord

__all__ = [
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "ImportRecord",
    "JointCommittee",
    "Profile",
    "Role",
    "TownUserObjectPermission",
]
