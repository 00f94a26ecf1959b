"""Who sees the review records (DESIGN §2): ratings are members' personal data.

Only roles that need members' personal data (the department, town staff, secretaries) see
rounds, ratings and help cases, and only for the committees they may see; inspectors and
leaders see none of them (leaders read the counts in the bulletin).
"""

from typing import Any

from django.db.models import QuerySet

from twinning.permissions import (
    MEMBER_DATA_ROLES,
    register_visibility,
    role_of,
    visible_for_committees,
)


def _for_member_data(path: str | None):
    def rule(user: Any, qs: QuerySet) -> QuerySet:
        if role_of(user) not in MEMBER_DATA_ROLES:
            return qs.none()
        return qs if path is None else visible_for_committees(user, qs, path)

    return rule


def register_reviews() -> None:
    from .models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

    register_visibility(ReviewRound, _for_member_data(None))
    register_visibility(MemberReview, _for_member_data("committee"))
    register_visibility(HelpAssignment, _for_member_data("review__committee"))
    register_visibility(HelpFollowUp, _for_member_data("assignment__review__committee"))
