"""Models of this app, one module per sub-domain, re-exported here."""

from evaluations.models.assessments import (
    Assessment,
    AssessmentCriterion,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from evaluations.models.inspections import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
    overdue_on,
)
from evaluations.models.reviews import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

__all__ = [
    "Assessment",
    "AssessmentCriterion",
    "AssessmentRound",
    "AssessmentScore",
    "Commendation",
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
