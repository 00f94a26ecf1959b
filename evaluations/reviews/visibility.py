"""Who sees the review records (DESIGN §2).

Ratings are members' personal data. Only roles that need members' personal data (the
department, town staff, secretaries) see rounds, ratings and help cases, and only for the
committees they may see; inspectors and leaders see none of them (leaders read the counts in
the bulletin).
"""

from typing import Any

from django.db.models import QuerySet

from twinning.permissions import (
    MEMBER_DATA_ROLES,
    register_visibility,
    role_of,
    visible_for_committees,
    visible_for_members,
)


def _for_member_data(path: str | None, member: str | None = None):
    """Seen by the roles that read personal data, where the committee is seen and, for rows
    about one member, only where that member is seen (not through a dissolved committee)."""
    def rule(user: Any, qs: QuerySet) -> QuerySet:
        if role_of(user) not in MEMBER_DATA_ROLES:
            return qs.none()
        if path is not None:
            qs = visible_for_committees(user, qs, path)
        return qs if member is None else visible_for_members(user, qs, member)

    return rule


def register_reviews() -> None:
    from .models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

    register_visibility(ReviewRound, _for_member_data(None))
    register_visibility(MemberReview, _for_member_data("committee", "member"))
    register_visibility(HelpAssignment, _for_member_data("review__committee", "review__member"))
    register_visibility(HelpFollowUp, _for_member_data("assignment__review__committee",
                                                       "assignment__review__member"))
