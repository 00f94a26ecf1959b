"""Mutual help inside the party (DESIGN §1, mechanism 2) and village governance records.

Secondments and pairings run over a span of days and count in every month they touch;
activities, solved hot issues and governance records count in the month of their date.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Branch, Member

from .committees import JointCommittee


def _committee_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name=related_name,
    )


def _ends_after_starts(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=_("结束日期不能早于开始日期。"),
    )


class Secondment(models.Model):
    """A cadre seconded between the urban branch and a village (互派干部挂职), either way."""

    committee = _committee_fk("secondments")
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="secondments",
    )
    # Copied from the member when one is given, so that a cadre not in the register still fits.
    name = models.CharField(_("姓名"), max_length=64)
    from_branch = models.ForeignKey(
        Branch, verbose_name=_("派出党组织"), on_delete=models.PROTECT, related_name="+"
    )
    to_branch = models.ForeignKey(
        Branch, verbose_name=_("挂职党组织"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("挂职岗位"), max_length=128, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "-started_on", "name"]
        verbose_name = _("挂职")
        verbose_name_plural = _("挂职")
        constraints = [_ends_after_starts("started_on", "ended_on", "secondment_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.name}：{self.from_branch} → {self.to_branch}"


class MemberPairing(models.Model):
    """One urban member helping one village member (党员结对帮扶)."""

    committee = _committee_fk("pairings")
    urban_member = models.ForeignKey(
        Member, verbose_name=_("城市党员"), on_delete=models.PROTECT, related_name="+"
    )
    village_member = models.ForeignKey(
        Member, verbose_name=_("农村党员"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("结对日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    help = models.CharField(_("帮扶内容"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "-since"]
        verbose_name = _("党员结对")
        verbose_name_plural = _("党员结对")
        constraints = [_ends_after_starts("since", "until", "pairing_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.urban_member} — {self.village_member}"


class HelpActivity(models.Model):
    """An activity for the villages: fellowship, study visit, training, information given …"""

    class Kind(models.TextChoices):
        TRAINING = "training", _("培训")
        STUDY_VISIT = "study_visit", _("考察学习")
        INFORMATION = "information", _("提供信息")
        FELLOWSHIP = "fellowship", _("联谊活动")
        CULTURE = "culture", _("文化活动")
        VISIT = "visit", _("走访慰问")

    committee = _committee_fk("help_activities")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    # People taking part, or for information the pieces of information given.
    count = models.PositiveIntegerField(
        _("人数或条数"), validators=[MinValueValidator(1)],
        help_text=_("参加人数；提供信息时为信息条数"),
    )
    title = models.CharField(_("主题"), max_length=128)
    description = models.TextField(_("内容"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "-held_on"]
        verbose_name = _("互助活动")
        verbose_name_plural = _("互助活动")
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return self.title


class HotIssue(models.Model):
    """An issue villagers care about that the urban side takes on for a year (热点难点问题)."""

    class Status(models.TextChoices):
        OPEN = "open", _("未解决")
        IN_PROGRESS = "in_progress", _("解决中")
        SOLVED = "solved", _("已解决")

    committee = _committee_fk("hot_issues")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("问题"), max_length=128)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "-year", "title"]
        verbose_name = _("热点难点问题")
        verbose_name_plural = _("热点难点问题")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "title"],
                name="hot_issue_unique_per_year",
                violation_error_message=_("本年度已有同名的热点难点问题。"),
            ),
            models.CheckConstraint(
                condition=Q(status="solved", solved_on__isnull=False)
                | (~Q(status="solved") & Q(solved_on__isnull=True)),
                name="hot_issue_solved_has_date",
                violation_error_message=_("已解决的问题须填写解决日期，未解决的不填。"),
            ),
        ]
        indexes = [models.Index(fields=["solved_on"])]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class GovernanceRecord(models.Model):
    """Outcome area 2: a village's leadership team adjusted, or rules and procedures written."""

    class Kind(models.TextChoices):
        TEAM_ADJUSTED = "team_adjusted", _("调整班子")
        RULES = "rules", _("制定修订规章制度")
        PROCEDURES = "procedures", _("规范工作流程")

    committee = _committee_fk("governance_records")
    village = models.ForeignKey(
        Branch, verbose_name=_("村党组织"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": Branch.Kind.VILLAGE},
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # A leadership team adjustment is one per record; rules and procedures are counted.
    count = models.PositiveIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    done_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "-done_on"]
        verbose_name = _("组织建设")
        verbose_name_plural = _("组织建设")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="team_adjusted") | Q(count=1),
                name="governance_one_team_per_record",
                violation_error_message=_("一条记录只登记一次班子调整，数量须为1。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.get_kind_display()} {self.count}"
