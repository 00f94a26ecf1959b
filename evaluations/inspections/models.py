"""Monthly inspections (每月一次督查, DESIGN §1 mechanism 3) and their rectification items (整改).

The department edits the rubric (`InspectionCriterion`). An inspection copies each criterion's
name and maximum onto its score rows, and a criterion that has been used cannot be deleted
(only switched off), so a past inspection keeps the meaning it was scored with.
"""

import datetime
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from twinning.committees.models import JointCommittee

SCORE_DIGITS = {"max_digits": 5, "decimal_places": 1}
TOTAL_DIGITS = {"max_digits": 6, "decimal_places": 1}


class InspectionCriterion(models.Model):
    """One line of the inspection rubric, as the department keeps it."""

    name = models.CharField(_("评分项"), max_length=64, unique=True)
    description = models.CharField(_("评分要点"), max_length=255, blank=True)
    max_score = models.DecimalField(
        _("满分"), **SCORE_DIGITS, validators=[MinValueValidator(Decimal("0.5"))]
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的评分项不再出现在新的督查中，以往记录不受影响。")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("督查评分项")
        verbose_name_plural = _("督查评分项")

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """One month's inspection visit to one joint committee; one per committee per month."""

    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="inspections",
    )
    # The month inspected, as its first day; the services set it from the visit date.
    period = models.DateField(_("督查月份"))
    visited_on = models.DateField(_("督查日期"))
    team = models.CharField(
        _("督查组成员"), max_length=255, help_text=_("参加督查的人员姓名，多人用顿号分隔。")
    )
    findings = models.TextField(_("督查情况"))
    # Stored for ranking queries; written only by the services from the score rows.
    total = models.DecimalField(_("总分"), **TOTAL_DIGITS, default=Decimal(0), editable=False)
    max_total = models.DecimalField(
        _("满分合计"), **TOTAL_DIGITS, default=Decimal(0), editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "committee__code"]
        verbose_name = pgettext_lazy("one", "督查")
        verbose_name_plural = _("督查")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"],
                name="inspection_once_a_month",
                violation_error_message=_("该联合党组织本月已有督查记录。"),
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(total__lte=F("max_total")),
                name="inspection_total_within_max",
                violation_error_message=_("总分不能超过满分。"),
            ),
        ]
        indexes = [models.Index(fields=["period", "total"])]

    def __str__(self) -> str:
        month = gettext("%(y)s年%(m)s月督查") % {"y": self.period.year, "m": self.period.month}
        return f"{self.committee} · {month}"

    def get_absolute_url(self) -> str:
        return reverse("inspection_detail", args=[self.pk])


class InspectionScore(models.Model):
    """A criterion's score in one inspection, with the criterion's name and maximum then."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        InspectionCriterion, verbose_name=_("评分项"), on_delete=models.PROTECT,
        related_name="scores",
    )
    criterion_name = models.CharField(_("评分项名称"), max_length=64)
    max_score = models.DecimalField(_("满分"), **SCORE_DIGITS)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    score = models.DecimalField(_("得分"), **SCORE_DIGITS)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("督查得分")
        verbose_name_plural = _("督查得分")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "criterion"], name="score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="score_within_max",
                violation_error_message=_("得分须在0分与满分之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_name} {self.score}/{self.max_score}"


def overdue_on(day: datetime.date) -> Q:
    """Rectifications overdue on `day`: due before it, raised by then, not closed by its end.

    For today this is "open and due before today"; for a past day it is the overdue list as it
    stood then, so a month's figure can be read after the fact.
    """
    return (
        Q(due_on__lt=day)
        & Q(inspection__visited_on__lte=day)
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


class RectificationQuerySet(models.QuerySet):
    def open(self) -> "RectificationQuerySet":
        return self.filter(status=Rectification.Status.OPEN)

    def overdue(self, today: datetime.date) -> "RectificationQuerySet":
        return self.filter(overdue_on(today))

    def awaiting_confirmation(self) -> "RectificationQuerySet":
        return self.open().filter(submitted_on__isnull=False)


class Rectification(models.Model):
    """An item to put right, raised by an inspection and followed until it is closed.

    The committee submits evidence (`submitted_on`); whoever may inspect the committee closes
    it or returns it with a reason. It stays open while it awaits confirmation.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已销号")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.CASCADE,
        related_name="rectifications",
    )
    # The inspection's committee, kept here so lists filter and count without a join.
    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="rectifications",
    )
    description = models.TextField(_("整改内容"))
    owner = models.CharField(_("责任人"), max_length=64)
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    evidence = models.TextField(_("整改情况"), blank=True)
    evidence_file = models.FileField(
        _("佐证材料"), upload_to="rectifications/%Y/%m/", blank=True, max_length=255
    )
    submitted_on = models.DateField(_("提交销号日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    returned_reason = models.CharField(_("退回原因"), max_length=255, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closing_note = models.CharField(_("销号意见"), max_length=255, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("销号人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    history = HistoricalRecords()

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = pgettext_lazy("one", "整改事项")
        verbose_name_plural = _("整改事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="rectification_closed_has_date",
                violation_error_message=_("已销号的整改事项须有销号日期。"),
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["committee", "status"]),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return reverse("rectification_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        """Open with its due date before today (the local date in the site's time zone)."""
        return not self.is_closed and self.due_on < timezone.localdate()

    @property
    def overdue_days(self) -> int:
        """Days past the due date while open; 0 if not overdue."""
        return (timezone.localdate() - self.due_on).days if self.is_overdue else 0

    @property
    def awaits_confirmation(self) -> bool:
        return not self.is_closed and self.submitted_on is not None

    @property
    def evidence_file_name(self) -> str:
        return PurePath(self.evidence_file.name).name if self.evidence_file else ""

    @property
    def closed_late(self) -> bool:
        return self.is_closed and self.closed_on > self.due_on
