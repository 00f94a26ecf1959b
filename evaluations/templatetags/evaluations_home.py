"""The home page's section on inspections, rectifications and joint meetings.

An inclusion tag, so the home view needs no change: each role sees what DESIGN §2 puts first
for it — an inspector the committees still to inspect this month; department and town staff
this month's progress and the overdue items in their reach; a secretary the items owed.
"""

from typing import Any

from django import template
from django.utils import timezone

from twinning import permissions
from twinning.meetings import selectors as meetings_selectors
from twinning.models import JointCommittee, JointMeeting, Role
from twinning.periods import month_start

from ..inspections import selectors
from ..inspections.models import Inspection

register = template.Library()


@register.inclusion_tag("evaluations/inspections/_home_inspections.html", takes_context=True)
def home_inspections(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    role = permissions.role_of(user)
    today = timezone.localdate()
    period = month_start(today)
    data: dict[str, Any] = {"role": role, "period": period}
    if role == Role.INSPECTOR:
        committees = selectors.committees_to_inspect(user, period)
        data["to_inspect"] = committees
        data["due"] = sum(c.inspection is None for c in committees)
    if role in (Role.DEPARTMENT, Role.TOWN, Role.SECRETARY):
        data["counts"] = selectors.rectification_counts(user, today)
    if role == Role.SECRETARY:
        data["items_due"] = selectors.rectifications_due(user)
    if role in (Role.DEPARTMENT, Role.TOWN):
        active = JointCommittee.objects.filter(dissolved_on__isnull=True)
        data["committees"] = permissions.visible(user, active).count()
        data["inspected"] = permissions.visible(
            user, Inspection.objects.filter(period=period, committee__in=active)
        ).count()
    if meetings_selectors.may_read(user):
        data["latest_meeting"] = permissions.visible(user, JointMeeting.objects.all()).first()
    if role == Role.DEPARTMENT:
        data["overdue_actions"] = meetings_selectors.overdue_action_items(user, today)
    return data
