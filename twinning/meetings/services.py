"""Writes to the monthly joint meeting and its action items: the department records and
closes them; the committees they are given to answer them."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.meetings.models import ActionItem, JointMeeting
from twinning.shared.child_rows import ChildRow, check_rows, due_date_errors, save_rows
from twinning.shared.periods import month_start

ACTION_ITEM_FIELDS = ("description", "owner", "committee", "due_on")


@transaction.atomic
def meeting_save(
    *,
    held_on: datetime.date,
    attendees: str,
    topics: str,
    decisions: str,
    items: Sequence[ChildRow] = (),
    user: Any = None,
    meeting: JointMeeting | None = None,
    today: datetime.date | None = None,
) -> JointMeeting:
    """Record a joint meeting, or correct one, with action items to add, change or delete.

    The meeting belongs to the month it was held in and is recorded once held (not ahead).
    Action items are due on or after the meeting; items already done are not touched here.
    """
    today = today or timezone.localdate()
    existing = {}
    if meeting is not None:
        meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        existing = {i.pk: i for i in meeting.action_items.open().select_for_update()}
    check_rows(existing, items, _("任务"))
    errors: dict[str, Any] = {}
    if held_on > today:
        errors["held_on"] = _("会议日期不能晚于今天：会议召开后再记录。")
    late = due_date_errors(items, held_on, _("第%(n)s项任务：完成时限不能早于会议日期。"))
    if late:
        errors["items"] = late
    if errors:
        raise ValidationError(errors)
    meeting = meeting or JointMeeting(recorded_by=user)
    meeting.held_on = held_on
    meeting.period = month_start(held_on)
    meeting.attendees = attendees
    meeting.topics = topics
    meeting.decisions = decisions
    meeting.full_clean()
    meeting.save()
    save_rows(existing, items, lambda **values: ActionItem(meeting=meeting, **values))
    return meeting


@transaction.atomic
def action_item_complete(
    *, item: ActionItem, done_on: datetime.date, result: str,
    today: datetime.date | None = None,
) -> ActionItem:
    """Mark an action item done (办结) on a date, with what was achieved."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if item.is_done:
        raise ValidationError(
            _("该任务已于%(date)s办结。") % {"date": item.done_on.isoformat()}
        )
    today = today or timezone.localdate()
    errors = {}
    if done_on > today:
        errors["done_on"] = _("办结日期不能晚于今天。")
    elif done_on < item.meeting.held_on:
        errors["done_on"] = _("办结日期不能早于会议日期（%(date)s）。") % {
            "date": item.meeting.held_on.isoformat()
        }
    if not result.strip():
        errors["result"] = _("请写明办理结果。")
    if errors:
        raise ValidationError(errors)
    item.status = ActionItem.Status.DONE
    item.done_on = done_on
    item.result = result.strip()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_answer(
    *, item: ActionItem, answer: str, done: bool = False, user: Any = None,
) -> ActionItem:
    """The committee's answer to an action item given to it: what was done and, if `done`,
    that it asks the department to close the item. It replaces the previous answer until the
    department closes the item; the item's history keeps every answer with who gave it."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.is_done:
        raise ValidationError(
            _("该任务已于%(date)s办结，答复不能再修改。") % {"date": item.done_on.isoformat()}
        )
    if item.committee_id is None:
        raise ValidationError(_("该任务没有交办给联合党组织，无需答复。"))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("请写明办理情况。")})
    item.answer = answer
    item.answer_done = done
    item.answered_by = user
    item.answered_at = timezone.now()
    item.returned_answer, item.returned_reason, item.returned_at = "", "", None
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_return(*, item: ActionItem, reason: str) -> ActionItem:
    """The department sends the committee's answer back with a reason: the item is unanswered
    again (on the secretary's to-do, overdue past its date) and the answer it had is kept for
    the secretary to revise; the item's history keeps who sent it back, when and why."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.is_done:
        raise ValidationError(
            _("该任务已于%(date)s办结，答复不能再退回。") % {"date": item.done_on.isoformat()}
        )
    if not item.is_answered:
        raise ValidationError(_("该任务还没有答复，没有可退回的内容。"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由。")})
    item.returned_answer, item.returned_reason = item.answer, reason
    item.returned_at = timezone.now()
    item.answer, item.answer_done, item.answered_by, item.answered_at = "", False, None, None
    item.full_clean()
    item.save()
    return item
