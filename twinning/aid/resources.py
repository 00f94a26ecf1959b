"""Aid projects as spreadsheet rows (DESIGN §5), matched by committee code and title.

`investment_yuan` and `jobs` are the project's actual investment and jobs: the sums of its
progress reports (twinning.aid.models). An import that raises them writes one progress report
carrying the difference, dated the project's finish day once done, else the day of the import
(`services.progress_catch_up`), so the totals then equal the file and importing the same
file again writes nothing. A figure below the reports' sum is refused: reports are corrected on
the project page. The mechanism follows the funder's kind; a village cannot fund a project.
`planned_investment_yuan` (optional) is the planned investment: a planned project's money is
there, its actual investment 0. Extra income, area and description are not in the file and
keep their stored values (new projects: zero and blank).
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch
from twinning.aid import services
from twinning.aid.models import ZERO, AidProject
from twinning.committees.models import JointCommittee
from twinning.shared.exchange.resources import (
    ChoiceWidget,
    CodeWidget,
    Column,
    DateWidget,
    ExchangeResource,
    NumberWidget,
)

OWN_FIELDS = (
    "title", "category", "funder_id", "status", "started_on", "finished_on", "households",
    "investment_planned",
)


class AidProjectResource(ExchangeResource):
    committee = Column(
        "committee", "联合党组织", CodeWidget(JointCommittee, "联合党组织"), required=True
    )
    title = Column("title", "项目名称", required=True)
    category = Column("category", "类别", ChoiceWidget(AidProject.Category), required=True)
    funder = Column("funder", "出资方", CodeWidget(Branch, "党组织"), required=True)
    investment_yuan = Column(
        "investment_yuan", "实际投资（元）", NumberWidget(places=2), default=ZERO,
        attribute="investment_actual",
    )
    jobs = Column("jobs", "新增就业（人）", NumberWidget(), default=0, attribute="jobs_created")
    households = Column("households", "受益户数", NumberWidget(), default=0)
    status = Column(
        "status", "状态", ChoiceWidget(AidProject.Status), default=AidProject.Status.PLANNED
    )
    started_on = Column("started_on", "开工日期", DateWidget())
    finished_on = Column("finished_on", "完成日期", DateWidget())
    planned_investment_yuan = Column(
        "planned_investment_yuan", "计划投资（元）", NumberWidget(places=2), default=ZERO,
        attribute="investment_planned",
    )

    scope_column = "committee"
    example = (
        ("committee", "示例-CJ01"), ("title", "示例蔬菜大棚"), ("category", "产业"),
        ("funder", "示例-T01-R01"), ("investment_yuan", "870000.00"), ("jobs", "12"),
        ("households", "45"), ("status", "进行中"), ("started_on", "2024-03-01"),
        ("finished_on", ""), ("planned_investment_yuan", "900000.00"),
    )

    class Meta:
        model = AidProject
        fields = (
            "committee", "title", "category", "funder", "investment_yuan", "jobs", "households",
            "status", "started_on", "finished_on", "planned_investment_yuan",
        )
        import_id_fields = ("committee", "title")

    def get_queryset(self) -> QuerySet:
        return (
            AidProject.objects.with_progress().with_record_dates()
            .select_related("committee", "funder")
        )

    def subject(self, instance: AidProject) -> str:
        # Titles repeat across committees: the preview names both.
        return f"{instance.committee.name} · {instance.title}"

    def init_instance(self, row: Any = None) -> AidProject:
        # A new project has no reports yet; a file without the totals' columns keeps them so.
        project = super().init_instance(row)
        project.investment_actual, project.jobs_created = ZERO, 0
        return project

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self.today = timezone.localdate()

    def check(self, instance: AidProject, stored: AidProject | None, errors: dict) -> None:
        if "committee" in errors:
            return
        recorded = (stored.investment_actual, stored.jobs_created) if stored else (ZERO, 0)
        rules = [
            lambda: services.check_open(instance.committee),
            lambda: services.check_project(instance, today=self.today),
            lambda: services.check_totals(
                instance, investment=instance.investment_actual, jobs=instance.jobs_created,
                recorded=recorded, today=self.today,
            ),
        ]
        if "funder" not in errors:
            rules.append(lambda: services.mechanism_for(instance.funder))
        if stored is not None:
            rules.append(lambda: services.check_against_records(instance, _dates(stored)))
        found: dict[str, list[str]] = {}
        for rule in rules:
            try:
                rule()
            except ValidationError as error:
                error.update_error_dict(found)
        found = {key: messages for key, messages in found.items() if key not in errors}
        if found:
            raise ValidationError(found)

    def write(self, instance: AidProject, stored: AidProject | None) -> None:
        project = stored
        if stored is None or any(
            getattr(instance, name) != getattr(stored, name) for name in OWN_FIELDS
        ):
            project = services.project_save(
                committee=instance.committee, record=instance if stored else None,
                title=instance.title, category=instance.category, funder=instance.funder,
                status=instance.status, started_on=instance.started_on,
                finished_on=instance.finished_on,
                investment_planned=instance.investment_planned,
                households=instance.households, extra_income=instance.extra_income,
                area_mu=instance.area_mu, description=instance.description,
            )
        services.progress_catch_up(
            project=project, investment=Decimal(instance.investment_actual),
            jobs=instance.jobs_created,
            note=_("按导入文件「%(file)s」补记") % {"file": self.source},
        )


def _dates(project: AidProject) -> services.RecordDates:
    return services.RecordDates(
        project.reports_first, project.reports_last, project.outputs_first, project.outputs_last
    )
