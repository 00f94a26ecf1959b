"""The programme's core models, one module per sub-domain."""

from .aid import (
    AidProject,
    InfrastructureOutput,
    Mechanism,
    OutputKind,
    ProjectProgress,
)
from .committees import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    Profile,
    Role,
    TownUserObjectPermission,
)
from .mutual_help import (
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    MemberPairing,
    Secondment,
)

__all__ = [
    "AidProject",
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "GovernanceRecord",
    "HelpActivity",
    "HotIssue",
    "InfrastructureOutput",
    "JointCommittee",
    "Mechanism",
    "MemberPairing",
    "OutputKind",
    "Profile",
    "ProjectProgress",
    "Role",
    "Secondment",
    "TownUserObjectPermission",
]
