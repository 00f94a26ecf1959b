"""Aid projects (帮扶项目): who funds what in a committee's villages, and what it achieved.

A project's actual investment and jobs are not stored on the project: they are the sums of
its dated progress reports (`ProjectProgress`), so a project spanning months counts in each
month what its reports say, and "since the start" is simply all reports. `AidProject.objects
.with_progress()` adds both sums to a queryset.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Branch, Member
from twinning.committees.models import JointCommittee

ZERO = Decimal("0.00")
NOT_NEGATIVE = [MinValueValidator(0)]


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """Money in 元, exact to the fen (DESIGN: DecimalField(14, 2), never a float)."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=NOT_NEGATIVE, **kwargs
    )


class Mechanism(models.TextChoices):
    """How the urban side drives a village's economy (DESIGN §1, outcome area 3)."""

    RESIDENTS = "residents", _("强居带动")
    ENTERPRISE = "enterprise", _("企业拉动")
    DEPARTMENT = "department", _("部门推动")


# The mechanism follows from the funder's kind; a village never funds an aid project.
MECHANISM_BY_FUNDER_KIND = {
    Branch.Kind.RESIDENTS: Mechanism.RESIDENTS,
    Branch.Kind.ENTERPRISE: Mechanism.ENTERPRISE,
    Branch.Kind.DEPARTMENT: Mechanism.DEPARTMENT,
}
# "Cooperation projects" (合作项目) of the reference figures: industry projects that residents'
# committees and enterprises start with the villages.
COOPERATION_MECHANISMS = (Mechanism.RESIDENTS, Mechanism.ENTERPRISE)


class AidProjectQuerySet(models.QuerySet):
    def with_progress(self) -> "AidProjectQuerySet":
        """Annotate `investment_actual` and `jobs_created`: the sums of the progress reports.

        Subqueries rather than joins, so other annotations are never multiplied.
        """
        reports = ProjectProgress.objects.filter(project=OuterRef("pk")).order_by().values(
            "project"
        )
        return self.annotate(
            investment_actual=Coalesce(
                Subquery(reports.annotate(s=Sum("investment")).values("s")),
                Value(ZERO),
                output_field=models.DecimalField(max_digits=14, decimal_places=2),
            ),
            jobs_created=Coalesce(
                Subquery(reports.annotate(s=Sum("jobs")).values("s")), Value(0)
            ),
        )


    def with_record_dates(self) -> "AidProjectQuerySet":
        """Annotate the first and last days of the progress reports (`reports_first`,
        `reports_last`) and of the outputs (`outputs_first`, `outputs_last`), which bound the
        project's own dates."""
        dates = {}
        for name, model, day in (
            ("reports", ProjectProgress, "reported_on"),
            ("outputs", InfrastructureOutput, "completed_on"),
        ):
            rows = model.objects.filter(project=OuterRef("pk")).order_by().values("project")
            dates[f"{name}_first"] = Subquery(rows.annotate(d=Min(day)).values("d"))
            dates[f"{name}_last"] = Subquery(rows.annotate(d=Max(day)).values("d"))
        return self.annotate(**dates)


class AidProject(models.Model):
    """A project the urban side funds for the committee's villages."""

    class Category(models.TextChoices):
        INDUSTRY = "industry", _("产业")
        INFRASTRUCTURE = "infrastructure", _("基础设施")
        TRAINING = "training", _("培训")
        SERVICE = "service", _("公共服务")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        ACTIVE = "active", _("进行中")
        DONE = "done", _("已完成")

    STARTED = (Status.ACTIVE, Status.DONE)

    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="aid_projects",
    )
    title = models.CharField(_("项目名称"), max_length=128)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    funder = models.ForeignKey(
        Branch, verbose_name=_("出资方"), on_delete=models.PROTECT, related_name="funded_projects",
        limit_choices_to=~Q(kind=Branch.Kind.VILLAGE),
    )
    # Derived from the funder's kind by the services; stored so lists and totals group by it.
    mechanism = models.CharField(
        _("带动机制"), max_length=16, choices=Mechanism.choices, editable=False
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    finished_on = models.DateField(_("完成日期"), null=True, blank=True)
    investment_planned = money_field(_("计划投资（元）"), default=ZERO)
    households = models.PositiveIntegerField(_("受益户数"), default=0)
    extra_income = money_field(_("带动增收（元）"), default=ZERO)
    area_mu = models.DecimalField(
        _("面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=NOT_NEGATIVE,
    )
    description = models.TextField(_("项目说明"), blank=True)
    history = HistoricalRecords()

    objects = AidProjectQuerySet.as_manager()

    class Meta:
        ordering = ["committee__code", "-started_on", "title"]
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "title"],
                name="aid_project_unique_title",
                violation_error_message=_("本联合党组织已有同名项目。"),
            ),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=models.F("started_on")),
                name="aid_project_finished_after_started",
                violation_error_message=_("完成日期不能早于开工日期。"),
            ),
        ]
        indexes = [models.Index(fields=["mechanism", "category", "started_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.pk])

    @property
    def is_started(self) -> bool:
        return self.status in self.STARTED


class ProjectProgress(models.Model):
    """A dated progress report: the investment and jobs a project added since the last one."""

    project = models.ForeignKey(
        AidProject, verbose_name=_("帮扶项目"), on_delete=models.CASCADE, related_name="reports"
    )
    reported_on = models.DateField(_("报告日期"))
    investment = money_field(_("本期投资（元）"), default=ZERO)
    jobs = models.PositiveIntegerField(_("本期新增就业（人）"), default=0)
    note = models.CharField(_("进展说明"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "reported_on"]
        verbose_name = _("项目进度")
        verbose_name_plural = _("项目进度")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reported_on"],
                name="project_progress_one_per_day",
                violation_error_message=_("该项目在这一天已有进度报告。"),
            )
        ]
        indexes = [models.Index(fields=["reported_on"])]

    def __str__(self) -> str:
        return f"{self.project} {self.reported_on:%Y-%m-%d}"

    @property
    def committee(self) -> JointCommittee:
        return self.project.committee


class OutputKind(models.TextChoices):
    """Physical outputs of infrastructure projects; each has its unit (`OUTPUT_UNITS`)."""

    ROAD_KM = "road_km", _("硬化道路")
    STREET_LAMPS = "street_lamps", _("安装路灯")
    TAP_WATER = "tap_water", _("自来水入户")
    OFFICE_AREA = "office_area", _("村级办公场所")
    CABLE_TV = "cable_tv", _("有线电视入户")

    @property
    def unit(self) -> str:
        return str(OUTPUT_UNITS[self])


OUTPUT_UNITS = {
    OutputKind.ROAD_KM: _("公里"),
    OutputKind.STREET_LAMPS: _("盏"),
    OutputKind.TAP_WATER: _("户"),
    OutputKind.OFFICE_AREA: _("平方米"),
    OutputKind.CABLE_TV: _("户"),
}


class InfrastructureOutput(models.Model):
    """What an infrastructure project built, in its unit, on the day it was finished."""

    project = models.ForeignKey(
        AidProject, verbose_name=_("帮扶项目"), on_delete=models.CASCADE, related_name="outputs"
    )
    kind = models.CharField(_("建设内容"), max_length=16, choices=OutputKind.choices)
    quantity = models.DecimalField(
        _("数量"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    completed_on = models.DateField(_("完成日期"))
    note = models.CharField(_("说明"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "completed_on", "kind"]
        verbose_name = _("建设成果")
        verbose_name_plural = _("建设成果")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}{self.unit}"

    @property
    def unit(self) -> str:
        return OutputKind(self.kind).unit

    @property
    def committee(self) -> JointCommittee:
        return self.project.committee


# Mutual help inside the party (DESIGN §1, mechanism 2) and village governance records.
# Secondments and pairings run over a span of days and count in every month they touch;
# activities, solved hot issues and governance records count in the month of their date.

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
