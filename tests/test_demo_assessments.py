"""The demo city's two assessments: closed, scored from the demo records, a few adjustments
with reasons, five secretaries promoted; loading again writes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from evaluations.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from evaluations.assessments.selectors import assessment_summary
from evaluations.reviews.demo import demo_halves
from twinning.committees.models import JointCommittee
from twinning.shared.periods import month_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("first_run")]


def test_two_closed_rounds_for_the_last_two_half_years() -> None:
    rounds = AssessmentRound.objects.order_by("year", "half")
    assert [(r.year, r.half) for r in rounds] == demo_halves(timezone.localdate())
    active = JointCommittee.objects.filter(dissolved_on__isnull=True).count()
    for round_ in rounds:
        assert round_.is_closed
        assert round_.assessments.count() == active
        grades = dict(round_.assessments.values_list("grade").annotate(n=Count("id")))
        assert set(grades) == set(Assessment.Grade.values)  # every grade is used
        assert round_.assessments.filter(outstanding=True).count() == round_.outstanding_count


def test_scores_come_from_records_with_a_few_reasoned_adjustments() -> None:
    scores = AssessmentScore.objects.all()
    adjusted = scores.exclude(final=F("proposed"))
    assert 0 < adjusted.count() <= 6
    assert not adjusted.filter(reason="").exists()
    assert scores.filter(criterion_name="党建工作", basis__startswith="督查").count() > 100
    assert scores.filter(Q(proposed__gt=0), criterion_name="经济发展").count() > 30


def test_five_outstanding_secretaries_promoted_to_deputy_heads_of_subdistricts() -> None:
    promoted = Commendation.objects.select_related("assessment")
    assert promoted.count() == 5
    assert all(c.promotion.endswith("街道办事处副主任") and c.assessment.outstanding
               for c in promoted)
    assert len({c.assessment.committee_id for c in promoted}) == 5


def test_bulletin_summary_of_the_month_the_latest_round_closed() -> None:
    latest = AssessmentRound.objects.order_by("-year", "-half").first()
    summary = assessment_summary(month_start(timezone.localdate(latest.closed_at)))
    assert summary.round == latest
    assert summary.count == latest.assessments.count()
    assert len(summary.top) == 10 and len(summary.bottom) == 10
    assert summary.top[0].rank == 1 and len(summary.commendations) == 2


def test_second_run_writes_no_assessments() -> None:
    out = StringIO()
    call_command("load_demo_city", stdout=out)
    assert "联合党组织考核: 新建 0 / 已有 2" in out.getvalue()
    assert f"考核结果: 新建 0 / 已有 {Assessment.objects.count()}" in out.getvalue()
    assert "表彰与提拔: 新建 0 / 已有 5" in out.getvalue()
