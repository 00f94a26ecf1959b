"""What committees owe on joint meetings: the open action items given to them and not yet
answered (or whose answer the department sent back, with its reason), on their secretaries'
to-do lists (e-mailed once overdue), each leading to its answer page; answering takes it off.
Two queries."""

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.meetings.models import ActionItem
from twinning.shared import permissions, reminders


def action_items_owed(today: datetime.date) -> Iterator[reminders.OwedItem]:
    items = list(
        ActionItem.objects.open().unanswered().filter(committee__dissolved_on__isnull=True)
        .select_related("meeting").order_by("due_on", "pk")
    )
    secretaries: dict[int, list[int]] = {}
    for user_id, committee_id in permissions.users_with("manage", {i.committee_id for i in items}):
        secretaries.setdefault(committee_id, []).append(user_id)
    for item in items:
        overdue = item.due_on < today
        values = {"item": item.description, "held": item.meeting.held_on.isoformat(),
                  "due": item.due_on.isoformat()}
        if item.returned_at is not None:
            values["reason"] = item.returned_reason
            text = _("联席会议（%(held)s）交办任务的答复被组织部退回：%(item)s（理由：%(reason)s；"
                     "期限%(due)s）") % values
        else:
            text = (_("联席会议（%(held)s）交办任务已逾期：%(item)s（期限%(due)s）") if overdue
                    else _("联席会议（%(held)s）交办任务：%(item)s（期限%(due)s）")) % values
        url = reverse("action_item_answer", args=[item.pk])
        for user_id in secretaries.get(item.committee_id, ()):
            yield reminders.OwedItem(user_id, f"action-item:{item.pk}", text, url,
                                     remind=overdue)


def register() -> None:
    reminders.register_source(action_items_owed)
