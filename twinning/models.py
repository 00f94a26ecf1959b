"""Django finds an app's models through this module: it only gathers the models of twinning's
concepts and of the shared machinery. Code imports a model from its concept's own module."""

from twinning.advisor.models import AdvisorSettings, PairRule, ProposalRejection, WarningSettings
from twinning.aid.models import (
    AidProject,
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    InfrastructureOutput,
    MemberPairing,
    ProjectProgress,
    Secondment,
)
from twinning.committees.models import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    TownUserObjectPermission,
)
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.monthly.models import (
    MonthlyAttachment,
    MonthlyNudge,
    MonthlyUpdate,
    ReopenRequest,
)
from twinning.shared.models import (
    AccountEvent,
    ImportRecord,
    PersonalDataAccess,
    Profile,
    ReminderChannels,
    ReminderDelivery,
    ReminderLog,
    SubmitToken,
)

__all__ = [
    "AccountEvent", "ActionItem", "AdvisorSettings", "AidProject", "CommitteeUserObjectPermission",
    "CommitteeVillage", "GovernanceRecord", "HelpActivity", "HotIssue", "ImportRecord",
    "InfrastructureOutput", "JointCommittee", "JointMeeting", "MemberPairing",
    "MonthlyAttachment", "MonthlyNudge", "MonthlyUpdate", "PairRule", "PersonalDataAccess",
    "Profile", "ProjectProgress", "ProposalRejection", "ReminderChannels", "ReminderDelivery",
    "ReminderLog", "ReopenRequest", "Secondment",
    "SubmitToken", "TownUserObjectPermission", "WarningSettings",
]
