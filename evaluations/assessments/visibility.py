"""Who sees the assessment records (DESIGN §2).

Decided here: the department sees everything; town staff the results of their town's
committees; a secretary their own committee's; leaders the ranking only — committees'
totals, ranks and grades, which are about organisations, not people — but not the criterion
scores, the adjustments or the commendations with secretaries' names; inspectors nothing.
"""

from typing import Any

from django.db.models import QuerySet

from twinning.models import Role
from twinning.permissions import (
    MEMBER_DATA_ROLES,
    register_visibility,
    role_of,
    visible_for_committees,
)

RANKING_ROLES = {Role.DEPARTMENT, Role.TOWN, Role.SECRETARY, Role.LEADER}
DETAIL_ROLES = MEMBER_DATA_ROLES


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
    from .models import Assessment, AssessmentRound, AssessmentScore, Commendation

    register_visibility(AssessmentRound, _rule(RANKING_ROLES, None))
    register_visibility(
        Assessment, _rule(RANKING_ROLES, "committee", leader_sees_all=True)
    )
    register_visibility(AssessmentScore, _rule(DETAIL_ROLES, "assessment__committee"))
    register_visibility(Commendation, _rule(DETAIL_ROLES, "assessment__committee"))
