"""The early warning's flags where other pages show them: a committee's page and the dashboard."""

import datetime
from typing import Any

from django import template
from django.db.models import QuerySet
from django.utils import timezone

from twinning import memo, permissions
from twinning.models import JointCommittee, Role

from ..warnings import selectors as warnings

register = template.Library()
DASHBOARD_ROWS = 10


@register.simple_tag
def committee_warnings(committee: JointCommittee) -> list[warnings.Flag]:
    """The flags on one committee today."""
    return warnings.committee_flags([committee], timezone.localdate()).get(committee.pk, [])


@register.simple_tag
def warnings_in_reach(user: Any) -> dict:
    """The flagged committees the user may see (leaders: the whole city, without links)."""
    committees = JointCommittee.objects.filter(dissolved_on__isnull=True)
    if permissions.role_of(user) != Role.LEADER:
        committees = permissions.visible(user, committees)
    rows, total = memo.remember("warnings", _first_flagged, committees, timezone.localdate())
    return {"rows": rows, "total": total, "links": permissions.role_of(user) != Role.LEADER}


def _first_flagged(committees: QuerySet, as_of: datetime.date) -> tuple[list[dict], int]:
    rows = warnings.flagged_committees(committees, as_of)
    return rows[:DASHBOARD_ROWS], len(rows)
