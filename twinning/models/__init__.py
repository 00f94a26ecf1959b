"""The programme's core models, one module per sub-domain."""

from .committees import (
    CommitteeUserObjectPermission,
    CommitteeVillage,
    JointCommittee,
    Profile,
    Role,
    TownUserObjectPermission,
)
from .monthly import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from .reminders import ReminderLog

__all__ = [
    "CommitteeUserObjectPermission",
    "CommitteeVillage",
    "JointCommittee",
    "MonthlyAttachment",
    "MonthlyUpdate",
    "Profile",
    "ReminderLog",
    "ReopenRequest",
    "Role",
    "TownUserObjectPermission",
]
