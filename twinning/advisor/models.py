"""The pairing advisor's settings and the department's decisions on proposals, and the
thresholds of the early warning."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Branch


def _weight(verbose_name: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, default=default)


class AdvisorSettings(models.Model):
    """One row: how the advisor weighs a pairing and how much an urban branch may lead."""

    weight_similarity = _weight(_("产业相近权重"), 3)
    weight_complement = _weight(_("优势互补权重"), 3)
    weight_nearness = _weight(_("地域相邻权重"), 2)
    weight_load = _weight(_("带动余力权重"), 1)
    capacity = models.PositiveSmallIntegerField(
        _("每个城市党组织最多联建村数"), default=6,
        help_text=_("含已联建的村；达到上限的城市党组织不再推荐。"),
    )
    committees_per_run = models.PositiveSmallIntegerField(
        _("每次推荐每个城市党组织最多新建联合党组织数"), default=1
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("结对推荐设置")
        verbose_name_plural = _("结对推荐设置")

    def __str__(self) -> str:
        return str(_("结对推荐设置"))


class PairRule(models.Model):
    """The department's word on one urban–village pair: it must be in, or never."""

    class Kind(models.TextChoices):
        LOCK = "lock", _("锁定")
        FORBID = "forbid", _("禁止")

    urban = models.ForeignKey(
        Branch, verbose_name=_("城市党组织"), on_delete=models.CASCADE, related_name="+"
    )
    village = models.ForeignKey(
        Branch, verbose_name=_("村党组织"), on_delete=models.CASCADE, related_name="pair_rules"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "village__code", "urban__code"]
        verbose_name = _("配对规则")
        verbose_name_plural = _("配对规则")
        constraints = [
            models.UniqueConstraint(
                fields=["urban", "village"], name="pair_rule_unique_pair",
                violation_error_message=_("这一配对已有规则。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.urban} — {self.village}"


class ProposalRejection(models.Model):
    """A grouping the department rejected; the advisor never proposes that exact group again."""

    urban = models.ForeignKey(
        Branch, verbose_name=_("城市党组织"), on_delete=models.CASCADE, related_name="+"
    )
    # The village codes, sorted and `;`-separated: the group's identity.
    villages = models.CharField(_("村党组织"), max_length=255)
    rejected_on = models.DateField(_("否决日期"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-rejected_on", "urban__code"]
        verbose_name = _("否决的推荐")
        verbose_name_plural = _("否决的推荐")
        constraints = [
            models.UniqueConstraint(
                fields=["urban", "villages"], name="proposal_rejection_unique_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.urban}：{self.villages}"

    @property
    def village_codes(self) -> list[str]:
        return self.villages.split(";")


class WarningSettings(models.Model):
    """One row: the thresholds of the early warning on committees."""

    months_running = models.PositiveSmallIntegerField(
        _("月度报告连续缺报或迟报月数"), default=2
    )
    score_floor = models.PositiveSmallIntegerField(
        _("督查得分率下限（%）"), default=60
    )
    falling_inspections = models.PositiveSmallIntegerField(
        _("督查得分连续下降次数"), default=3,
        help_text=_("最近这么多次督查的得分逐次下降，且下降明显（见下两项）即预警。"),
    )
    # A fall is a risk only when it is meaningful: 98.5 → 95 → 94 is not one.
    falling_drop = models.PositiveSmallIntegerField(
        _("得分率累计下降至少（百分点）"), default=10,
        help_text=_("这几次督查中，最早一次与最近一次的得分率相差至少这么多个百分点。"),
    )
    falling_below = models.PositiveSmallIntegerField(
        _("且最近一次得分率低于（%）"), default=85,
    )
    overdue_rectifications = models.PositiveSmallIntegerField(
        _("逾期整改事项数"), default=1
    )
    stalled_months = models.PositiveSmallIntegerField(
        _("帮扶项目无进展月数"), default=3
    )
    leaving_months = models.PositiveSmallIntegerField(
        _("统计退出村的月数"), default=6
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预警设置")
        verbose_name_plural = _("预警设置")

    def __str__(self) -> str:
        return str(_("预警设置"))
