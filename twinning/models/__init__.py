"""The programme's core models, one module per sub-domain."""

from .access import PersonalDataAccess
from .advisor import AdvisorSettings, PairRule, ProposalRejection, WarningSettings
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
from .exchange import ImportRecord
from .meetings import ActionItem, JointMeeting
from .monthly import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from .mutual_help import (
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    MemberPairing,
    Secondment,
)
from .reminders import ReminderLog
from .submissions import SubmitToken

__all__ = [
    "AdvisorSettings",
    "PairRule",
    "PersonalDataAccess",
    "ProposalRejection",
    "WarningSettings",
    "ActionItem",
    "AidProject",
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "GovernanceRecord",
    "HelpActivity",
    "HotIssue",
    "ImportRecord",
    "InfrastructureOutput",
    "JointCommittee",
    "JointMeeting",
    "Mechanism",
    "MemberPairing",
    "MonthlyAttachment",
    "MonthlyUpdate",
    "OutputKind",
    "Profile",
    "ProjectProgress",
    "ReminderLog",
    "SubmitToken",
    "ReopenRequest",
    "Role",
    "Secondment",
    "TownUserObjectPermission",
]
