"""Reads for the joint meeting pages, and who may read them.

The joint meeting is the city's: the department records it; town staff and leaders read
every meeting (it concerns the whole city, not one town); a secretary reads the meetings
that gave their committee an action item, and only those items; inspectors see none.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from twinning.committees.models import JointCommittee
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.shared import permissions


def _search(qs: QuerySet, q: str, fields: tuple[str, ...]) -> QuerySet:
    q = q.strip()
    if not q:
        return qs
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return qs.filter(condition)


def action_item_committees(user: Any, meeting: JointMeeting | None) -> QuerySet:
    """The committees the user may give an action item of `meeting` (None: a new one) to:
    those still running, and any that an open item of the meeting already names (dissolved
    since, it stays valid on that item), as far as the user sees them. The meeting form
    validates against it and its committee picker answers from it."""
    named = meeting.action_items.open().values("committee_id") if meeting is not None else []
    running = JointCommittee.objects.filter(Q(dissolved_on__isnull=True) | Q(pk__in=named))
    return permissions.visible(user, running).order_by("code")


def meeting_list(user: Any, filters: Mapping[str, Any], today: datetime.date) -> QuerySet:
    """Meetings, newest first, each with its count of action items, open and overdue."""
    qs = permissions.visible(user, JointMeeting.objects.all())
    if filters.get("year"):
        qs = qs.filter(period__year=filters["year"])
    qs = _search(qs, filters.get("q") or "", ("topics", "decisions", "attendees"))
    open_items = Q(action_items__status=ActionItem.Status.OPEN)
    unanswered = Q(action_items__answered_at__isnull=True)
    return qs.annotate(
        items=Count("action_items"),
        open_items=Count("action_items", filter=open_items),
        overdue_items=Count("action_items", filter=open_items & unanswered
                            & Q(action_items__due_on__lt=today)),
        answered_items=Count("action_items", filter=~unanswered),
    ).order_by("-held_on", "-pk")


def meeting_items(user: Any, meeting: JointMeeting) -> list[ActionItem]:
    """The meeting's action items the user may see (a secretary: those given to their
    committee), with who answered them."""
    qs = permissions.visible(user, meeting.action_items.all())
    return list(qs.select_related("committee", "answered_by"))


ACTION_STATES = ("open", "overdue", "done")
ANSWER_STATES = ("unanswered", "answered")


def action_item_list(user: Any, filters: Mapping[str, Any], today: datetime.date) -> QuerySet:
    """Action items of all meetings, by state (`open`, `overdue`, `done`), by answer
    (`unanswered`, `answered`) and text."""
    qs = permissions.visible(user, ActionItem.objects.all())
    answer = filters.get("answer")
    if answer == "unanswered":
        qs = qs.unanswered()
    elif answer == "answered":
        qs = qs.answered()
    state = filters.get("state")
    if state == "open":
        qs = qs.open()
    elif state == "overdue":
        qs = qs.overdue(today)
    elif state == "done":
        qs = qs.filter(status=ActionItem.Status.DONE)
    qs = _search(qs, filters.get("q") or "", ("description", "owner", "committee__name"))
    # "open" sorts after "done": descending puts the open items first.
    return qs.select_related("meeting", "committee", "answered_by").order_by(
        "-status", "due_on", "pk")


def overdue_action_items(user: Any, today: datetime.date) -> int:
    return permissions.visible(user, ActionItem.objects.overdue(today)).count()
