"""Monthly updates (月度工作报告): one per committee per month, with attachments and reopening."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from twinning.committees.models import JointCommittee

FIRST_OF_MONTH = Q(period__day=1)


def _by(verbose_name: str) -> models.ForeignKey:
    """Who did something: kept as history even when the login is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose_name, on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )


class MonthlyUpdate(models.Model):
    """What a joint committee did in one month, filed by its secretary (DESIGN §3 and §5)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    # The figures other records can pre-fill (twinning.aid.outcomes.month_prefill), in the
    # form's order.
    FIGURES = (
        "activities",
        "trainings",
        "secondments",
        "pairings",
        "problems_solved",
        "investment_yuan",
        "jobs_created",
    )

    committee = models.ForeignKey(
        JointCommittee,
        verbose_name=_("联合党组织"),
        on_delete=models.PROTECT,
        related_name="monthly_updates",
    )
    period = models.DateField(_("月份"), help_text=_("当月第一天"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    meeting_held = models.BooleanField(_("本月召开联合党组织会议"), null=True, blank=True)
    activities = models.PositiveIntegerField(_("联谊活动（次）"), default=0)
    trainings = models.PositiveIntegerField(_("培训和考察学习（次）"), default=0)
    secondments = models.PositiveIntegerField(_("在岗挂职干部（人）"), default=0)
    pairings = models.PositiveIntegerField(_("党员结对帮扶（对）"), default=0)
    problems_solved = models.PositiveIntegerField(_("为群众解决问题（件）"), default=0)
    investment_yuan = models.DecimalField(
        _("本月投入资金（元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    jobs_created = models.PositiveIntegerField(_("新增就业岗位（个）"), default=0)
    summary = models.TextField(_("工作小结"), blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = _by(_("修改人"))
    # On time or late is decided by the first submission, whatever happens after it.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = _by(_("报送人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = _by(_("审核人"))
    return_reason = models.TextField(_("退回原因"), blank=True)
    # Optimistic concurrency: every save by a person bumps it; a save made from an older
    # version is refused instead of overwriting what someone else wrote in between.
    version = models.PositiveIntegerField(_("版本"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "committee__code"]
        verbose_name = _("月度工作报告")
        verbose_name_plural = _("月度工作报告")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"],
                name="monthly_update_one_per_month",
                violation_error_message=_("该联合党组织本月已有工作报告。"),
            ),
            models.CheckConstraint(
                condition=FIRST_OF_MONTH,
                name="monthly_update_period_first_day",
                violation_error_message=_("月份须为当月第一天。"),
            ),
            models.CheckConstraint(
                condition=Q(investment_yuan__gte=0),
                name="monthly_update_investment_not_negative",
                violation_error_message=_("投入资金不能为负数。"),
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"]),
            # The review queue, oldest first: its page and its count read only this index
            # instead of sorting every waiting update with its committee (PostgreSQL). The
            # committee is a trailing key column rather than an INCLUDE, which SQLite lacks.
            models.Index(fields=["submitted_at", "id", "committee"],
                         condition=Q(status="submitted"), name="monthly_update_review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("monthly_update", args=[self.committee.code, f"{self.period:%Y-%m}"])

    @property
    def is_submitted(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)


def _attachment_path(instance: "MonthlyAttachment", filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never trusted as a path.
    update = instance.update
    return f"monthly/{update.committee_id}/{update.period:%Y-%m}/{uuid.uuid4().hex}.{instance.kind}"


class MonthlyAttachment(models.Model):
    """A photo or document attached to a monthly update; checked by size, extension and content."""

    update = models.ForeignKey(
        MonthlyUpdate, verbose_name=_("月度工作报告"), on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = _by(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("报告附件")
        verbose_name_plural = _("报告附件")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpg", "jpeg", "png")


class ReopenRequest(models.Model):
    """A secretary's request to file a locked month; the department grants or refuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("未同意")

    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="reopen_requests",
    )
    period = models.DateField(_("月份"))
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = _by(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = _by(_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("重新开放申请")
        verbose_name_plural = _("重新开放申请")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"],
                condition=Q(status="pending"),
                name="reopen_one_pending_per_month",
                violation_error_message=_("本月已有一份待处理的重新开放申请。"),
            ),
            models.CheckConstraint(
                condition=FIRST_OF_MONTH,
                name="reopen_period_first_day",
                violation_error_message=_("月份须为当月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.period:%Y-%m} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("monthly_reopen_decide", args=[self.committee.code, f"{self.period:%Y-%m}"])


class MonthlyNudge(models.Model):
    """A 催报: town staff or the department reminded a committee that has not filed a month.

    At most one per committee, month and day (the constraint, not only the page, says so):
    a second press the same day sends nothing more.
    """

    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="nudges",
    )
    period = models.DateField(_("月份"))
    sent_on = models.DateField(_("催报日期"))
    sent_at = models.DateTimeField(_("催报时间"), auto_now_add=True)
    sent_by = _by(_("催报人"))
    # How many of the committee's secretaries it reached (their channels: reminder deliveries).
    recipients = models.PositiveSmallIntegerField(_("接收人数"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period", "sent_on"],
                name="nudge_once_per_committee_month_day",
                violation_error_message=_("今日已催报。"),
            ),
            models.CheckConstraint(
                condition=FIRST_OF_MONTH,
                name="nudge_period_first_day",
                violation_error_message=_("月份须为当月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.period:%Y-%m} {self.sent_on}"
