"""Monthly updates as spreadsheet rows (DESIGN §5), matched by committee code and month.

A row with `submitted_on` is a submitted update (on time or late by that day), one without a
draft. The rules of `services.import_errors` hold: accepted updates and locked months are not
overwritten, a submitted update keeps its first submission day. Town staff import their own
town's committees; secretaries file on the monthly page, not by import.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from twinning.committees.models import JointCommittee
from twinning.monthly import services
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared.exchange.resources import (
    CodeWidget,
    Column,
    DateWidget,
    ExchangeResource,
    NumberWidget,
    PeriodWidget,
    YesNoWidget,
)

COMMITTEES = JointCommittee.objects.select_related("town")


def _count(key: str, label: str) -> Column:
    return Column(key, label, NumberWidget(), default=0)


class MonthlyUpdateResource(ExchangeResource):
    committee = Column(
        "committee", "联合党组织", CodeWidget(JointCommittee, "联合党组织", COMMITTEES),
        required=True,
    )
    period = Column("period", "月份", PeriodWidget(), required=True)
    meeting_held = Column("meeting_held", "召开联合党组织会议", YesNoWidget(blank=None))
    activities = _count("activities", "联谊活动（次）")
    trainings = _count("trainings", "培训和考察学习（次）")
    secondments = _count("secondments", "在岗挂职干部（人）")
    pairings = _count("pairings", "党员结对帮扶（对）")
    problems_solved = _count("problems_solved", "为群众解决问题（件）")
    investment_yuan = Column(
        "investment_yuan", "本月投入资金（元）", NumberWidget(places=2), default=Decimal("0.00")
    )
    jobs_created = _count("jobs_created", "新增就业岗位（个）")
    summary = Column("summary", "工作小结")
    submitted_on = Column("submitted_on", "报送日期", DateWidget())

    scope_column = "committee"
    example = (
        ("committee", "示例-CJ01"), ("period", "2024-03"), ("meeting_held", "是"),
        ("activities", "2"), ("trainings", "1"), ("secondments", "1"), ("pairings", "3"),
        ("problems_solved", "4"), ("investment_yuan", "50000.00"), ("jobs_created", "6"),
        ("summary", "召开联席会议一次，协调解决村内道路硬化资金。"),
        ("submitted_on", "2024-04-03"),
    )

    class Meta:
        model = MonthlyUpdate
        fields = (
            "committee", "period", "meeting_held", *MonthlyUpdate.FIGURES, "summary",
            "submitted_on",
        )
        import_id_fields = ("committee", "period")

    def get_queryset(self) -> QuerySet:
        return MonthlyUpdate.objects.select_related("committee")

    def loaded(self, obj: MonthlyUpdate) -> None:
        obj.submitted_on = services.first_submitted_on(obj)

    def init_instance(self, row: Any = None) -> MonthlyUpdate:
        update = super().init_instance(row)
        update.submitted_on = None
        return update

    def dehydrate_submitted_on(self, update: MonthlyUpdate) -> str:
        return self.fields["submitted_on"].widget.render(services.first_submitted_on(update))

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self.today = timezone.localdate()
        self.granted = set(
            ReopenRequest.objects.filter(status=ReopenRequest.Status.GRANTED).values_list(
                "committee_id", "period"
            )
        )

    def check(self, instance: MonthlyUpdate, stored: MonthlyUpdate | None, errors: dict) -> None:
        if "committee" in errors or "period" in errors:
            return
        found = services.import_errors(
            instance, stored, submitted_on=instance.submitted_on, today=self.today,
            granted=(instance.committee_id, instance.period) in self.granted,
        )
        found = {key: messages for key, messages in found.items() if key not in errors}
        if found:
            raise ValidationError(found)

    def write(self, instance: MonthlyUpdate, stored: MonthlyUpdate | None) -> None:
        services.update_import(
            committee=instance.committee, period=instance.period, user=self.user,
            data={name: getattr(instance, name) for name in services.FIELDS},
            submitted_on=instance.submitted_on, today=self.today,
        )
