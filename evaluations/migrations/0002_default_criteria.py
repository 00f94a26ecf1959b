"""The default inspection rubric and assessment criteria, so a new deployment can inspect and
assess from the first day. The department edits them on the rubric page and in the admin;
this migration only creates them where there are none yet.

Inspection: five criteria of 20 points each (100 in all). Assessment: drawn from the
programme (DESIGN §1), 100 points in all; each names the records its proposed score is
computed from (`source`; the formulas are in the assessments' scores module).
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

INSPECTION_CRITERIA = (
    ("组织生活", "三会一课、主题党日、组织生活会按时开展，记录完整。"),
    ("互帮互助活动", "联谊活动、干部互派挂职、党员结对帮扶按计划开展。"),
    ("帮扶项目进度", "帮扶项目按计划推进，资金到位，成效明显。"),
    ("台账资料", "会议记录、工作台账、佐证材料齐全规范。"),
    ("群众满意度", "走访村民了解对联建工作的评价。"),
)
ASSESSMENT_CRITERIA = (
    ("党建工作", "组织生活、台账和群众评价：以本半年督查得分计。", 20, "party_building"),
    ("互帮互助", "干部互派挂职、党员结对帮扶、为群众解决热点难点问题。", 15, "mutual_help"),
    ("经济发展", "帮扶投资、新开工项目和新增就业岗位。", 25, "economy"),
    ("基础设施", "道路、路灯、自来水、办公场所等基础设施投资。", 15, "infrastructure"),
    ("乡风文明", "联谊、文化活动和走访慰问。", 10, "civilisation"),
    ("报送与督查", "月度工作报告按时报送、督查整改按期销号。", 15, "filing"),
)


def _create(apps, model: str, rows: list[dict], reason: str) -> None:
    Criterion = apps.get_model("evaluations", model)
    History = apps.get_model("evaluations", f"Historical{model}")
    if Criterion.objects.exists():
        return
    for fields in rows:
        criterion = Criterion.objects.create(**fields)
        # Historical models here have no simple-history signals: record the creation by hand.
        History.objects.create(id=criterion.pk, **fields, history_date=timezone.now(),
                               history_type="+", history_change_reason=reason)


def create_defaults(apps, schema_editor):
    _create(apps, "InspectionCriterion", [
        {"name": name, "description": description, "max_score": Decimal(20), "order": order,
         "active": True}
        for order, (name, description) in enumerate(INSPECTION_CRITERIA, start=1)
    ], "默认评分标准")
    _create(apps, "AssessmentCriterion", [
        {"name": name, "description": description, "max_points": Decimal(points),
         "order": order, "active": True, "source": source}
        for order, (name, description, points, source) in enumerate(ASSESSMENT_CRITERIA, 1)
    ], "默认考核项目")


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
