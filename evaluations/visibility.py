"""Who sees the review and assessment records (DESIGN §2).

Reviews: ratings are members' personal data. Only roles that need members' personal data (the
department, town staff, secretaries) see rounds, ratings and help cases, and only for the
committees they may see; inspectors and leaders see none of them (leaders read the counts in
the bulletin).

Assessments (decided here): the department sees everything; town staff the results of their
town's committees; a secretary their own committee's; leaders the ranking only — committees'
totals, ranks and grades, which are about organisations, not people — but not the criterion
scores, the adjustments or the commendations with secretaries' names; inspectors nothing.
"""

from typing import Any

from django.db.models import QuerySet

from twinning.shared.models import Role
from twinning.shared.permissions import (
    MEMBER_DATA_ROLES,
    register_visibility,
    role_of,
    visible_for_committees,
    visible_for_members,
)

RANKING_ROLES = {Role.DEPARTMENT, Role.TOWN, Role.SECRETARY, Role.LEADER}
DETAIL_ROLES = MEMBER_DATA_ROLES


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
    from evaluations.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

    register_visibility(ReviewRound, _for_member_data(None))
    register_visibility(MemberReview, _for_member_data("committee", "member"))
    register_visibility(HelpAssignment, _for_member_data("review__committee", "review__member"))
    register_visibility(HelpFollowUp, _for_member_data("assignment__review__committee",
                                                       "assignment__review__member"))


def _rule(roles: set[str], path: str | None, leader_sees_all: bool = False):
    def rule(user: Any, qs: QuerySet) -> QuerySet:
        role = role_of(user)
        if role not in roles:
            return qs.none()
        if path is None or (leader_sees_all and role == Role.LEADER):
            return qs
        return visible_for_committees(user, qs, path)

    return rule


def register_assessments() -> None:
    from evaluations.models import Assessment, AssessmentRound, AssessmentScore, Commendation

    register_visibility(AssessmentRound, _rule(RANKING_ROLES, None))
    register_visibility(
        Assessment, _rule(RANKING_ROLES, "committee", leader_sees_all=True)
    )
    register_visibility(AssessmentScore, _rule(DETAIL_ROLES, "assessment__committee"))
    register_visibility(Commendation, _rule(DETAIL_ROLES, "assessment__committee"))
