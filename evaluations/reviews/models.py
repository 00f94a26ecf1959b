"""Democratic review of members (民主评议党员), twice a year, and help for the unqualified.

A round's roster is fixed when it opens: one `MemberReview` per member of every active joint
committee, carrying the committee the member belonged to then. A rating is blank until the
committee enters it; the round locks after its close date or once the department closes it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Member
from evaluations.rounds import HalfYearRound
from twinning.committees.models import JointCommittee


class ReviewRound(HalfYearRound):
    """One half-year's democratic review, opened and closed by the department."""

    closes_on = models.DateField(_("截止日期"), help_text=_("当天仍可录入，次日起锁定。"))
    history = HistoricalRecords()

    class Meta(HalfYearRound.Meta):
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "half"], name="review_round_one_per_half",
                violation_error_message=_("该半年的民主评议已经开启。"),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opened_on")),
                name="review_round_closes_after_opening",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("review_round_detail", args=[self.pk])

    @property
    def locked_on(self) -> datetime.date:
        """The day ratings stopped being editable: the earlier of closing and the close date."""
        if self.closed_at is not None:
            closed = timezone.localdate(self.closed_at)
            if closed <= self.closes_on:
                return closed
        return self.closes_on

    def is_locked(self, today: datetime.date | None = None) -> bool:
        """Closed by the department, or past its close date (the close date itself is open)."""
        today = today or timezone.localdate()
        return self.closed_at is not None or today > self.closes_on

    def lock_message(self) -> str:
        return str(_("评议已于%(date)s截止，结果已锁定。") % {
            "date": self.locked_on.strftime("%Y-%m-%d")
        })


class MemberReview(models.Model):
    """One member's rating in one round, entered by their committee."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        QUALIFIED = "qualified", _("合格")
        BASIC = "basic", _("基本合格")
        UNQUALIFIED = "unqualified", _("不合格")

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("民主评议"), on_delete=models.CASCADE, related_name="reviews"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="reviews"
    )
    # The committee the member belonged to when the round opened; it reviews the member.
    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="member_reviews",
    )
    rating = models.CharField(_("评定等次"), max_length=16, choices=Rating.choices, blank=True)
    basis = models.CharField(
        _("票数或评议依据"), max_length=200, blank=True,
        help_text=_("如“赞成票 25/28”，或评定的主要依据。"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "committee", "member"]
        verbose_name = _("党员评议结果")
        verbose_name_plural = _("党员评议结果")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], name="member_review_once_per_round",
                violation_error_message=_("该党员已在本次评议名单中。"),
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["", "excellent", "qualified", "basic", "unqualified"]),
                name="member_review_rating_valid",
            ),
        ]
        indexes = [models.Index(fields=["round", "committee", "rating"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.member}"


class HelpAssignment(models.Model):
    """A designated helper (专人重点帮促) for a member rated unqualified, until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("帮促中")
        CLOSED = "closed", _("已结束")

    review = models.OneToOneField(
        MemberReview, verbose_name=_("评议结果"), on_delete=models.PROTECT, related_name="help"
    )
    # A person, not a role: a member of the same joint committee, usually an officer.
    helper = models.ForeignKey(
        Member, verbose_name=_("帮促人"), on_delete=models.PROTECT, related_name="helping"
    )
    plan = models.TextField(_("帮促计划"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    assigned_on = models.DateField(_("安排日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.TextField(_("帮促结果"), blank=True)
    # Kept by the follow-up service so that lists can tell stale cases in one query.
    last_follow_up_on = models.DateField(_("最近跟进"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assigned_on", "-pk"]
        verbose_name = _("专人帮促")
        verbose_name_plural = _("专人帮促")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="help_closed_has_date",
                violation_error_message=_("结束帮促须填写结束日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("assigned_on")),
                name="help_closed_after_assigned",
                violation_error_message=_("结束日期不能早于安排日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.member} ← {self.helper}"

    def get_absolute_url(self) -> str:
        return reverse("help_detail", args=[self.pk])

    @property
    def committee(self) -> JointCommittee:
        """Whose case it is, for `permissions.can`."""
        return self.review.committee

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def last_activity_on(self) -> datetime.date:
        return self.last_follow_up_on or self.assigned_on


class HelpFollowUp(models.Model):
    """A dated note of what the helper did or found."""

    assignment = models.ForeignKey(
        HelpAssignment, verbose_name=_("专人帮促"), on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    date = models.DateField(_("日期"))
    note = models.TextField(_("跟进情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("帮促跟进")
        verbose_name_plural = _("帮促跟进")

    def __str__(self) -> str:
        return f"{self.assignment} · {self.date:%Y-%m-%d}"
