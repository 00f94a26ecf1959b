"""The early warning's flags where other pages show them: a committee's page and the dashboard."""

import datetime
from typing import Any

from django import template
from django.db.models import QuerySet
from django.utils import timezone

from evaluations.warnings import selectors as warnings
from twinning.committees.models import JointCommittee
from twinning.shared import kept_figures, permissions

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
    links = permissions.can(user, "view")
    if links:
        committees = permissions.visible(user, committees)
    today = timezone.localdate()
    rows, total = kept_figures.remember("warnings", _first_flagged, committees, today)
    return {"rows": rows, "total": total, "links": links, "as_of": today}


def _first_flagged(committees: QuerySet, as_of: datetime.date) -> tuple[list[dict], int]:
    rows = warnings.flagged_committees(committees, as_of)
    return rows[:DASHBOARD_ROWS], len(rows)
