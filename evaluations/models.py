"""The concepts' models, imported here only so that Django finds them; code imports each model
from its concept (`evaluations.inspections.models` and so on), never from here."""

from .assessments.models import (  # noqa: F401
    Assessment,
    AssessmentCriterion,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from .inspections.models import (  # noqa: F401
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from .reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound  # noqa: F401
