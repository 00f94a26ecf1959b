"""The benchmark city generator (scripts/synthetic_city.py) still builds a consistent city."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db.models import Count, Max, Min

from branches.models import Branch, Member, Town
from evaluations.inspections.models import Inspection, InspectionCriterion, InspectionScore
from evaluations.reviews.models import MemberReview
from reports.bulletins.selectors import bulletin_data
from twinning.aid.models import AidProject
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.monthly.models import MonthlyUpdate

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "synthetic_city.py"
TODAY = datetime.date(2025, 3, 18)


def _generator():
    spec = importlib.util.spec_from_file_location("synthetic_city", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_synthetic_city_has_the_register_and_five_years_of_history():
    counts = _generator().build(0.02, today=TODAY)

    assert (Town.objects.count(), JointCommittee.objects.count()) == (1, 3)
    assert Branch.objects.filter(kind=Branch.Kind.VILLAGE).count() == 19
    assert Member.objects.count() == 200
    villages = JointCommittee.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert all(2 <= n <= 4 for n in villages)
    months = MonthlyUpdate.objects.aggregate(first=Min("period"), last=Max("period"))
    assert months == {"first": datetime.date(2020, 3, 1), "last": datetime.date(2025, 2, 1)}
    assert 150 <= MonthlyUpdate.objects.count() <= 180
    criteria = InspectionCriterion.objects.filter(active=True).count()
    assert InspectionScore.objects.count() == Inspection.objects.count() * criteria > 0
    assert AidProject.objects.count() == 15
    in_committees = Member.objects.filter(
        branch__in=[*Branch.objects.filter(led_committees__isnull=False),
                    *CommitteeVillage.objects.values_list("village", flat=True)]
    ).count()
    assert MemberReview.objects.count() == in_committees
    assert counts["monthlyupdate"] == MonthlyUpdate.objects.count()


def test_the_bulletin_reads_the_tiny_synthetic_city():
    _generator().build(0.02, today=TODAY)

    data = bulletin_data(datetime.date(2025, 2, 1), today=TODAY)

    assert data.overview.headline.committees == 3
    assert data.filing.trend[-1].owed == 3
