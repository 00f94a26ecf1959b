"""The twice-yearly assessment of joint committees (联合党组织考核) and the commendations after it.

A round scores every active committee on the department's criteria. Each score is proposed
from the half-year's records (`evaluations.assessments.scores`) and may be adjusted by
the department with a reason; the total, the ranks and the grade follow. Closing the round
locks it. Criterion names and maximum points are copied onto each score, so a later change of
the criteria never rewrites a closed round.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.rounds import HalfYearRound, user_fk
from twinning.committees.models import JointCommittee

POINTS = {"max_digits": 5, "decimal_places": 1}
TOTAL_POINTS = {"max_digits": 6, "decimal_places": 1}


class AssessmentRound(HalfYearRound):
    """One half-year's assessment, opened and closed by the department."""

    closes_on = models.DateField(_("计划结束日期"))
    outstanding_count = models.PositiveSmallIntegerField(
        _("优秀书记名额"), default=10, validators=[MinValueValidator(1)],
        help_text=_("全市排名在此名次以内且等次为优秀的联合党组织，其书记列为优秀书记。"),
    )
    # Grades by the total as a percentage of the maximum: at least `excellent_from` is 优秀, at
    # least `good_from` 良好, at least `fair_from` 一般, below that 较差.
    excellent_from = models.PositiveSmallIntegerField(
        _("优秀分数线（%）"), default=85, validators=[MaxValueValidator(100)]
    )
    good_from = models.PositiveSmallIntegerField(
        _("良好分数线（%）"), default=70, validators=[MaxValueValidator(100)]
    )
    fair_from = models.PositiveSmallIntegerField(
        _("一般分数线（%）"), default=60, validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta(HalfYearRound.Meta):
        verbose_name = _("联合党组织考核")
        verbose_name_plural = _("联合党组织考核")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "half"], name="assessment_round_one_per_half",
                violation_error_message=_("该半年的考核已经开启。"),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opened_on")),
                name="assessment_round_closes_after_opening",
                violation_error_message=_("计划结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(excellent_from__gt=models.F("good_from"))
                & Q(good_from__gt=models.F("fair_from")),
                name="assessment_round_grade_lines_descend",
                violation_error_message=_("分数线须依次降低：优秀高于良好，良好高于一般。"),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("assessment_round_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def lock_message(self) -> str:
        return str(_("%(round)s考核已于%(date)s关闭，结果已锁定。") % {
            "round": str(self), "date": self.closed_at.strftime("%Y-%m-%d")})

    def grade_for(self, total: Decimal, max_total: Decimal) -> str:
        """The grade of a total by the round's lines (percent of the maximum, inclusive)."""
        if not max_total:
            return ""
        percent = total * 100 / max_total
        for line, grade in ((self.excellent_from, Assessment.Grade.EXCELLENT),
                            (self.good_from, Assessment.Grade.GOOD),
                            (self.fair_from, Assessment.Grade.FAIR)):
            if percent >= line:
                return grade
        return Assessment.Grade.POOR


class AssessmentCriterion(models.Model):
    """A criterion the department scores committees on, with how its score is proposed."""

    class Source(models.TextChoices):
        PARTY_BUILDING = "party_building", _("督查得分")
        MUTUAL_HELP = "mutual_help", _("挂职、结对和解决热点难点问题")
        ECONOMY = "economy", _("投资、项目和就业")
        INFRASTRUCTURE = "infrastructure", _("基础设施投资")
        CIVILISATION = "civilisation", _("联谊、文化和走访活动")
        FILING = "filing", _("按时报送和按期整改")
        MANUAL = "manual", _("人工评分")

    name = models.CharField(_("考核项目"), max_length=64, unique=True)
    description = models.CharField(_("考核要点"), max_length=255, blank=True)
    max_points = models.DecimalField(
        _("分值"), **POINTS, validators=[MinValueValidator(Decimal("0.5"))]
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(
        _("建议分来源"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One committee's result in one round: total, ranks, grade."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        FAIR = "fair", _("一般")
        POOR = "poor", _("较差")

    round = models.ForeignKey(
        AssessmentRound, verbose_name=_("考核"), on_delete=models.CASCADE,
        related_name="assessments",
    )
    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="assessments",
    )
    total = models.DecimalField(_("总分"), **TOTAL_POINTS, default=Decimal(0))
    max_total = models.DecimalField(_("满分"), **TOTAL_POINTS, default=Decimal(0))
    rank = models.PositiveIntegerField(_("全市排名"), null=True, blank=True)
    town_rank = models.PositiveIntegerField(_("镇街内排名"), null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    outstanding = models.BooleanField(_("优秀书记"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "rank", "committee__code"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "committee"], name="assessment_once_per_round",
                violation_error_message=_("该联合党组织已在本次考核中。"),
            ),
        ]
        indexes = [models.Index(fields=["round", "rank"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.committee}"

    def get_absolute_url(self) -> str:
        return reverse("assessment_detail", args=[self.round_id, self.committee.code])


class AssessmentScore(models.Model):
    """A committee's points on one criterion: proposed from records, final after adjustment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核结果"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        AssessmentCriterion, verbose_name=_("考核项目"), on_delete=models.PROTECT,
        related_name="scores",
    )
    criterion_name = models.CharField(_("考核项目名称"), max_length=64)
    max_points = models.DecimalField(_("分值"), **POINTS)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    source = models.CharField(_("建议分来源"), max_length=16, blank=True)
    basis = models.CharField(_("计算依据"), max_length=255, blank=True)
    proposed = models.DecimalField(_("建议分"), **POINTS, default=Decimal(0))
    final = models.DecimalField(_("最终得分"), **POINTS, default=Decimal(0))
    reason = models.CharField(_("调整理由"), max_length=255, blank=True)
    adjusted_by = user_fk(_("调整人"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "order", "pk"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="assessment_score_once",
            ),
            models.CheckConstraint(
                condition=Q(final=models.F("proposed")) | ~Q(reason=""),
                name="assessment_score_adjusted_has_reason",
                violation_error_message=_("最终得分与建议分不同时须填写调整理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.criterion_name}"

    @property
    def adjusted(self) -> bool:
        return self.final != self.proposed


class Commendation(models.Model):
    """A reward or promotion given to the secretary of an outstanding committee."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核结果"), on_delete=models.PROTECT,
        related_name="commendations",
    )
    secretary = models.CharField(_("书记姓名"), max_length=64)
    reward = models.CharField(_("奖励"), max_length=128, blank=True, help_text=_("如：通报表扬"))
    promotion = models.CharField(
        _("提拔任用"), max_length=128, blank=True, help_text=_("如：提拔为街道办事处副主任"),
    )
    given_on = models.DateField(_("日期"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = user_fk(_("记录人"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("表彰与提拔")
        verbose_name_plural = _("表彰与提拔")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reward="") | ~Q(promotion=""),
                name="commendation_reward_or_promotion",
                violation_error_message=_("请填写奖励或提拔任用情况。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secretary} · {self.assessment.committee}"

    @property
    def committee(self) -> JointCommittee:
        return self.assessment.committee
