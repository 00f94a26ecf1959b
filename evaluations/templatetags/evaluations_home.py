"""The home page's section on inspections, rectifications and joint meetings.

An inclusion tag, so the home view needs no change: each role sees what DESIGN §2 puts first
for it — an inspector the committees still to inspect this month; department and town staff
this month's progress and the overdue items in their reach; a secretary the items owed.
"""

from typing import Any

from django import template
from django.utils import timezone

from evaluations.inspections import selectors
from evaluations.inspections.models import Inspection
from twinning.committees.models import JointCommittee
from twinning.meetings import selectors as meetings_selectors
from twinning.meetings.models import JointMeeting
from twinning.shared import permissions
from twinning.shared.periods import month_start

register = template.Library()


@register.inclusion_tag("evaluations/inspections/_home_inspections.html", takes_context=True)
def home_inspections(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    may = permissions.Abilities(user)
    today = timezone.localdate()
    period = month_start(today)
    data: dict[str, Any] = {"may": may, "period": period}
    if may["carry_out_inspections"]:
        committees = selectors.committees_to_inspect(user, period)
        data["to_inspect"] = committees
        data["due"] = sum(c.inspection is None for c in committees)
    if may["track_rectifications"]:
        data["counts"] = selectors.rectification_counts(user, today)
    if may["answer_rectifications"]:
        data["items_due"] = selectors.rectifications_due(user)
    if may["oversee_inspections"]:
        active = JointCommittee.objects.filter(dissolved_on__isnull=True)
        data["committees"] = permissions.visible(user, active).count()
        data["inspected"] = permissions.visible(
            user, Inspection.objects.filter(period=period, committee__in=active)
        ).count()
    if may["read_meetings"]:
        data["latest_meeting"] = permissions.visible(user, JointMeeting.objects.all()).first()
    if may["record_meetings"]:
        data["overdue_actions"] = meetings_selectors.overdue_action_items(user, today)
    return data
