"""The demo city's year of inspections and joint meetings: realistic, consistent, idempotent."""

import datetime
import random
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from evaluations.inspections.demo import Line, inspection_plan
from evaluations.inspections.models import Inspection, InspectionScore, Rectification
from twinning.committees.demo_history import finished_on, history_months
from twinning.committees.models import JointCommittee
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.shared.periods import month_end

pytestmark = pytest.mark.django_db


def test_history_covers_the_twelve_months_before_this_month() -> None:
    assert history_months(datetime.date(2026, 1, 31)) == [
        datetime.date(2025, month, 1) for month in range(1, 13)]
    assert history_months(datetime.date(2025, 3, 1), 2) == [
        datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)]


def test_inspections_cover_the_year_most_committees_most_months(first_run: str) -> None:
    today = timezone.localdate()
    assert set(Inspection.objects.values_list("period", flat=True)) == set(history_months(today))
    committees = JointCommittee.objects.count()
    per_month = Counter(Inspection.objects.values_list("period", flat=True))
    assert all(0.75 * committees <= n < committees for n in per_month.values()), per_month
    per_committee = Counter(Inspection.objects.values_list("committee", flat=True))
    assert len(per_committee) == committees
    every_month = sum(n == 12 for n in per_committee.values())
    assert 0.3 * committees <= every_month <= 0.8 * committees
    assert Inspection.objects.filter(visited_on__week_day__in=[1, 7]).count() == 0
    assert not Inspection.objects.exclude(visited_on__gte=F("period")).exists()


def test_scores_are_mostly_between_70_and_98_with_a_few_weak_committees(first_run: str) -> None:
    inspections = Inspection.objects.all()
    total = inspections.count()
    assert inspections.filter(total__range=(70, 98)).count() >= 0.8 * total
    weak = inspections.filter(total__lt=70).values("committee").distinct().count()
    assert 3 <= weak <= 25
    # Stored totals are the sums of the score rows, within each criterion's maximum.
    sums = inspections.annotate(s=Sum("scores__score"), m=Sum("scores__max_score"))
    assert not sums.exclude(total=F("s"), max_total=F("m")).exists()
    assert set(inspections.values_list("max_total", flat=True)) == {Decimal(100)}
    assert not InspectionScore.objects.filter(score__gt=F("max_score")).exists()
    assert InspectionScore.objects.count() == 5 * total


def test_rectifications_mostly_closed_on_time_some_late_a_few_overdue(first_run: str) -> None:
    today = timezone.localdate()
    items = Rectification.objects.all()
    per_inspection = Counter(
        Inspection.objects.annotate(n=Count("rectifications")).values_list("n", flat=True))
    assert set(per_inspection) == {0, 1, 2, 3}
    total = items.count()
    on_time = items.filter(status="closed", closed_on__lte=F("due_on")).count()
    late = items.filter(status="closed", closed_on__gt=F("due_on")).count()
    overdue = items.overdue(today).count()
    assert on_time > 0.6 * total
    assert 0.05 * total < late < 0.35 * total
    assert 5 <= overdue <= 0.05 * total
    assert items.awaiting_confirmation().exists()
    assert not items.filter(Q(closed_on__gte=today) | Q(submitted_on__gte=today)).exists()
    assert not items.filter(Q(closed_on__lt=F("inspection__visited_on"))
                            | Q(submitted_on__lt=F("inspection__visited_on"))).exists()
    assert not items.exclude(committee=F("inspection__committee")).exists()
    # The weakest inspections raise the most items.
    weak = items.filter(inspection__total__lt=78).count() / Inspection.objects.filter(
        total__lt=78).count()
    strong = items.filter(inspection__total__gte=93).count()
    assert weak >= 2 and strong == 0


def test_a_joint_meeting_each_month_with_action_items(first_run: str) -> None:
    today = timezone.localdate()
    meetings = JointMeeting.objects.annotate(n=Count("action_items"))
    assert sorted(meetings.values_list("period", flat=True)) == history_months(today)
    for meeting in meetings:
        assert meeting.period <= meeting.held_on <= month_end(meeting.period)
        assert 2 <= meeting.n <= 4
        assert meeting.topics.startswith("1. 通报") and "督查" in meeting.topics
    items = ActionItem.objects.all()
    assert items.filter(status="done", done_on__gt=F("due_on")).exists()
    assert items.filter(committee__isnull=False).exists()
    assert not items.filter(done_on__gte=today).exists()
    assert items.filter(status="done").count() > 0.8 * items.count()


def test_loading_again_writes_nothing(first_run: str) -> None:
    counts = [m.objects.count() for m in (Inspection, InspectionScore, Rectification,
                                          JointMeeting, ActionItem)]
    history = [m.history.count() for m in (Inspection, Rectification, JointMeeting)]
    out = StringIO()
    call_command("load_demo_city", stdout=out)
    assert [m.objects.count() for m in (Inspection, InspectionScore, Rectification,
                                        JointMeeting, ActionItem)] == counts
    assert [m.history.count() for m in (Inspection, Rectification, JointMeeting)] == history
    assert f"督查: 新建 0 / 已有 {counts[0]}" in out.getvalue()
    assert f"联席会议: 新建 0 / 已有 {counts[3]}" in out.getvalue()
    assert f"督查: 新建 {counts[0]} / 已有 0" in first_run
    assert f"整改事项: 新建 {counts[2]} / 已有 0" in first_run


def test_the_plan_is_deterministic_from_the_seed() -> None:
    lines = tuple(Line(n, name, Decimal(20)) for n, name in enumerate("甲乙丙丁戊", start=1))
    months = tuple(history_months(datetime.date(2025, 7, 1)))
    today = datetime.date(2025, 7, 1)
    plan = inspection_plan(7, lines, months, today)
    assert plan == inspection_plan(7, lines, months, today)
    assert plan != inspection_plan(8, lines, months, today)
    assert {s.period for s in plan} == set(months)


def test_follow_up_dates_fall_before_today() -> None:
    today = datetime.date(2025, 6, 1)
    rng = random.Random(3)
    for _ in range(500):
        start = datetime.date(2025, 5, rng.randint(1, 31))
        due = start + datetime.timedelta(days=rng.choice((5, 15, 30)))
        done = finished_on(rng, start=start, due=due, today=today)
        assert done is None or start <= done < today
