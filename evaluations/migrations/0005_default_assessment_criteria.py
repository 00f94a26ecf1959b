"""The default assessment criteria, drawn from the programme (DESIGN §1), 100 points in all.

Each names the records its proposed score is computed from (`source`; the formulas are in
`evaluations.assessments.scores`). The department changes them in the admin; this
migration only creates them where there are none yet.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

DEFAULT_CRITERIA = (
    ("党建工作", "组织生活、台账和群众评价：以本半年督查得分计。", 20, "party_building"),
    ("互帮互助", "干部互派挂职、党员结对帮扶、为群众解决热点难点问题。", 15, "mutual_help"),
    ("经济发展", "帮扶投资、新开工项目和新增就业岗位。", 25, "economy"),
    ("基础设施", "道路、路灯、自来水、办公场所等基础设施投资。", 15, "infrastructure"),
    ("乡风文明", "联谊、文化活动和走访慰问。", 10, "civilisation"),
    ("报送与督查", "月度工作报告按时报送、督查整改按期销号。", 15, "filing"),
)


def create_defaults(apps, schema_editor):
    Criterion = apps.get_model("evaluations", "AssessmentCriterion")
    History = apps.get_model("evaluations", "HistoricalAssessmentCriterion")
    if Criterion.objects.exists():
        return
    for order, (name, description, points, source) in enumerate(DEFAULT_CRITERIA, start=1):
        fields = {"name": name, "description": description, "max_points": Decimal(points),
                  "order": order, "active": True, "source": source}
        criterion = Criterion.objects.create(**fields)
        # Historical models here have no simple-history signals: record the creation by hand.
        History.objects.create(
            id=criterion.pk, **fields, history_date=timezone.now(), history_type="+",
            history_change_reason="默认考核项目",
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_assessments")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
