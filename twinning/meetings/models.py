"""The monthly joint meeting (每月一次联席会议, DESIGN §1 mechanism 1) and its action items.

The organisation department holds it for the whole city: it reviews the month and decides
what is to be done, by whom and by when; each action item is followed until it is done.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from twinning.committees.models import JointCommittee


class JointMeeting(models.Model):
    held_on = models.DateField(_("会议日期"))
    # The month the meeting belongs to, as its first day; the services set it from the date.
    period = models.DateField(_("所属月份"))
    attendees = models.TextField(_("参会人员"))
    topics = models.TextField(_("会议议题"))
    decisions = models.TextField(_("议定事项"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = pgettext_lazy("one", "联席会议")
        verbose_name_plural = _("联席会议")
        indexes = [models.Index(fields=["period"])]

    def __str__(self) -> str:
        return gettext("%(y)s年%(m)s月联席会议（%(date)s）") % {
            "y": self.period.year, "m": self.period.month, "date": f"{self.held_on:%Y-%m-%d}"}

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.pk])


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> "ActionItemQuerySet":
        return self.filter(status=ActionItem.Status.OPEN)

    def overdue(self, today: datetime.date) -> "ActionItemQuerySet":
        """Open, unanswered, with the due date before `today`: an answer, even a late one,
        means the committee has reported and the department's turn has come."""
        return self.open().filter(due_on__lt=today, answered_at__isnull=True)

    def answered(self) -> "ActionItemQuerySet":
        return self.filter(answered_at__isnull=False)

    def unanswered(self) -> "ActionItemQuerySet":
        """Given to a committee, which has not answered yet (no one else answers on the site)."""
        return self.filter(committee__isnull=False, answered_at__isnull=True)


# An answer is a short report on a phone, not a document: what was done, in a few sentences.
ANSWER_MAX_LENGTH = 500


class ActionItem(models.Model):
    """Something the joint meeting decided: who does it, by when, and when it was done.

    An item given to a committee is answered by its secretary (what was done, and whether it
    is done) until the department closes it; the item stays open (办理中) meanwhile.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已办结")

    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("联席会议"), on_delete=models.CASCADE,
        related_name="action_items",
    )
    description = models.TextField(_("任务事项"))
    owner = models.CharField(_("责任人或单位"), max_length=128)
    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("涉及的联合党组织"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="action_items",
    )
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices,
                              default=Status.OPEN)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    answer = models.CharField(_("答复"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answer_done = models.BooleanField(_("报请办结"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # The department sent the answer back: it is unanswered again until the committee answers.
    returned_answer = models.CharField(_("被退回的答复"), max_length=ANSWER_MAX_LENGTH,
                                       blank=True)
    returned_reason = models.CharField(_("退回理由"), max_length=ANSWER_MAX_LENGTH, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = pgettext_lazy("one", "会议任务")
        verbose_name_plural = _("会议任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_on__isnull=True)
                | Q(status="done", done_on__isnull=False),
                name="action_item_done_has_date",
                violation_error_message=_("已办结的任务须有办结日期。"),
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="", answer_done=False)
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="action_item_answer_has_text_and_time",
                violation_error_message=_("答复须有内容和答复时间。"),
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True, returned_reason="", returned_answer="")
                | (Q(returned_at__isnull=False) & ~Q(returned_reason="")),
                name="action_item_return_has_reason_and_time",
                violation_error_message=_("退回答复须有理由和退回时间。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_returned(self) -> bool:
        """The department sent the committee's answer back and it has not answered again."""
        return self.returned_at is not None and not self.is_answered

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and not self.is_answered and self.due_on < timezone.localdate()

    @property
    def answered_late(self) -> bool:
        return self.is_answered and timezone.localdate(self.answered_at) > self.due_on

    @property
    def done_late(self) -> bool:
        return self.is_done and self.done_on > self.due_on
