"""The default inspection rubric, so a new deployment can inspect from the first day.

Five criteria of 20 points each (100 in all). The department edits them on the rubric page;
this migration only creates them where the rubric is still empty.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

DEFAULT_CRITERIA = (
    ("组织生活", "三会一课、主题党日、组织生活会按时开展，记录完整。"),
    ("互帮互助活动", "联谊活动、干部互派挂职、党员结对帮扶按计划开展。"),
    ("帮扶项目进度", "帮扶项目按计划推进，资金到位，成效明显。"),
    ("台账资料", "会议记录、工作台账、佐证材料齐全规范。"),
    ("群众满意度", "走访村民了解对联建工作的评价。"),
)


def create_defaults(apps, schema_editor):
    Criterion = apps.get_model("evaluations", "InspectionCriterion")
    History = apps.get_model("evaluations", "HistoricalInspectionCriterion")
    if Criterion.objects.exists():
        return
    for order, (name, description) in enumerate(DEFAULT_CRITERIA, start=1):
        criterion = Criterion.objects.create(
            name=name, description=description, max_score=Decimal(20), order=order
        )
        # Historical models here have no simple-history signals: record the creation by hand.
        History.objects.create(
            id=criterion.pk, name=name, description=description, max_score=Decimal(20),
            order=order, active=True, history_date=timezone.now(), history_type="+",
            history_change_reason="默认评分标准",
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_inspections")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
