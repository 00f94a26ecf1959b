"""The concepts' models, imported here only so that Django finds them; code imports each model
from its concept (`evaluations.inspections.models` and so on), never from here."""

from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound  # noqa: F401
