"""Models of this app, one module per sub-domain, re-exported here."""

from .reviews import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

__all__ = ["HelpAssignment", "HelpFollowUp", "MemberReview", "ReviewRound"]
