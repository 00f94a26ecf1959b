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

from branches.models import Branch

from .committees import JointCommittee

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
