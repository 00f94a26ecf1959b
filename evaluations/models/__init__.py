"""Models of this app, one module per sub-domain, re-exported here."""

from .inspections import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
    overdue_on,
)
from .reviews import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

__all__ = [
    "HelpAssignment",
    "HelpFollowUp",
    "Inspection",
    "InspectionCriterion",
    "InspectionScore",
    "MemberReview",
    "Rectification",
    "ReviewRound",
    "overdue_on",
]
