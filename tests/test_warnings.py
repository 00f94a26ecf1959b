"""The early warning: each rule fires on the records that should make it and clears when they
change; flags are judged as of a date (the bulletin's month end) and read in fixed queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.reviews.models import MemberReview
from evaluations.warnings.selectors import committee_flags, warnings_summary
from tests.factories import (
    MemberFactory,
    MonthlyUpdateFactory,
    help_case,
    make_inspection,
    open_review_round,
)
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.advisor.models import WarningSettings
from twinning.committees.models import JointCommittee
from twinning.monthly.models import MonthlyUpdate
from twinning.monthly.rules import deadline


def _rules(committee: JointCommittee, as_of: datetime.date) -> dict[str, str]:
    return {f.rule: f.reason for f in committee_flags([committee], as_of).get(committee.pk, [])}


def test_updates_missing_two_months_running_flag_and_a_filed_one_clears(committee) -> None:
    as_of = datetime.date(2025, 6, 20)
    flags = committee_flags([committee], as_of)[committee.pk]
    filing = next(f for f in flags if f.rule == "filing")
    assert "连续" in filing.reason
    assert filing.since <= deadline(datetime.date(2025, 4, 1))
    for month in (4, 5):
        period = datetime.date(2025, month, 1)
        MonthlyUpdateFactory(committee=committee, period=period,
                             first_submitted_at=timezone.make_aware(
                                 datetime.datetime(2025, month + 1, 2, 9)))
    assert "filing" not in _rules(committee, as_of)


def test_a_late_update_counts_and_one_filed_after_the_date_is_still_missing(committee) -> None:
    as_of = datetime.date(2025, 6, 20)
    for month in (4, 5):
        MonthlyUpdateFactory(committee=committee, period=datetime.date(2025, month, 1),
                             first_submitted_at=timezone.make_aware(
                                 datetime.datetime(2025, month + 1, 20, 9)))
    assert "filing" in _rules(committee, as_of)
    MonthlyUpdate.objects.filter(period=datetime.date(2025, 5, 1)).update(
        first_submitted_at=timezone.make_aware(datetime.datetime(2025, 6, 3, 9)))
    assert "filing" not in _rules(committee, as_of)
    assert "filing" in _rules(committee, datetime.date(2025, 6, 2))


def test_three_falling_inspections_flag_and_a_better_one_clears(committee) -> None:
    as_of = datetime.date(2025, 6, 30)
    for month, score in ((3, 18), (4, 16), (5, 15)):
        make_inspection(committee, visited_on=datetime.date(2025, month, 5),
                        score=Decimal(score))
    assert "最近3次督查得分逐次下降" in _rules(committee, as_of)["falling"]
    make_inspection(committee, visited_on=datetime.date(2025, 6, 1), score=Decimal(17))
    assert "falling" not in _rules(committee, as_of)


def test_a_score_below_the_floor_flags_until_the_next_inspection(committee) -> None:
    as_of = datetime.date(2025, 6, 30)
    make_inspection(committee, visited_on=datetime.date(2025, 5, 1), score=Decimal(5))
    assert "low_score" in _rules(committee, as_of)
    make_inspection(committee, visited_on=datetime.date(2025, 6, 1), score=Decimal(20))
    assert "low_score" not in _rules(committee, as_of)


def test_an_overdue_rectification_flags_until_it_is_closed(committee) -> None:
    inspection = make_inspection(committee, visited_on=datetime.date(2025, 3, 12),
                                 items=[{"description": "台账不全"}])
    item = inspection.rectifications.get()
    assert "rectifications" not in _rules(committee, item.due_on)
    after = item.due_on + datetime.timedelta(days=3)
    flag = next(f for f in committee_flags([committee], after)[committee.pk]
                if f.rule == "rectifications")
    assert flag.since == item.due_on + datetime.timedelta(days=1)
    item.status, item.closed_on = "closed", after - datetime.timedelta(days=1)
    item.save()
    assert "rectifications" not in _rules(committee, after)


def test_an_unqualified_member_without_helper_flags_until_one_is_assigned(committee) -> None:
    village = committee.memberships.first().village
    member = MemberFactory(branch=village)
    helper = MemberFactory(branch=village)
    review_round = open_review_round()
    review = MemberReview.objects.get(round=review_round, member=member)
    review.rating, review.entered_at = MemberReview.Rating.UNQUALIFIED, timezone.now()
    review.save()
    today = timezone.localdate()
    assert "1名评议不合格党员未安排帮促人" in _rules(committee, today).values()
    help_case(review_round, member, helper)
    assert "unqualified" not in _rules(committee, today)


def test_an_active_project_without_progress_flags_until_it_reports(committee) -> None:
    project = AidProjectFactory(committee=committee, started_on=datetime.date(2025, 1, 1))
    as_of = datetime.date(2025, 6, 30)
    assert project.title in _rules(committee, as_of)["stalled"]
    ProgressFactory(project=project, reported_on=datetime.date(2025, 6, 1))
    assert "stalled" not in _rules(committee, as_of)


def test_a_village_leaving_flags_for_the_set_months(committee) -> None:
    membership = committee.memberships.first()
    membership.left_on, membership.left_reason = datetime.date(2025, 5, 1), "区划调整"
    membership.save()
    assert "近6个月有1个村退出" in _rules(committee, datetime.date(2025, 6, 1)).values()
    assert "leaving" not in _rules(committee, datetime.date(2025, 12, 1))


def test_thresholds_are_the_departments(committee, client, department_user) -> None:
    make_inspection(committee, visited_on=datetime.date(2025, 5, 1), score=Decimal(14))
    assert "low_score" not in _rules(committee, datetime.date(2025, 6, 30))
    client.force_login(department_user)
    client.post(reverse("warning_settings"), {
        "months_running": 2, "score_floor": 90, "falling_inspections": 3,
        "falling_drop": 10, "falling_below": 85, "overdue_rectifications": 1,
        "stalled_months": 3, "leaving_months": 6})
    assert WarningSettings.objects.get().score_floor == 90
    assert "low_score" in _rules(committee, datetime.date(2025, 6, 30))


def test_bulletin_summary_is_as_of_the_month_end(committee, other_committee) -> None:
    AidProjectFactory(committee=committee, started_on=datetime.date(2025, 1, 1))
    summary = warnings_summary(datetime.date(2025, 6, 1), JointCommittee.objects.all())
    assert summary["as_of"] == datetime.date(2025, 6, 30)
    stalled = [r["committee"] for r in summary["rows"]
               if any(f.rule == "stalled" for f in r["flags"])]
    assert stalled == [committee]
    assert summary["by_rule"]["stalled"] == 1


def test_town_staff_see_only_their_towns_warnings(client, town_user, committee,
                                                 other_committee) -> None:
    client.force_login(town_user)
    page = client.get(reverse("warning_list")).content.decode()
    assert committee.name in page
    assert other_committee.name not in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "风险预警" in dashboard and other_committee.name not in dashboard
    assert "风险预警" in client.get(committee.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_warning_list_queries_do_not_grow(client, department_user, count,
                                          django_assert_max_num_queries) -> None:
    from tests.factories import JointCommitteeFactory

    for _ in range(count):
        make_inspection(JointCommitteeFactory(), visited_on=datetime.date(2025, 5, 1),
                        score=Decimal(5))
    client.force_login(department_user)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("warning_list")).status_code == 200


def test_bulletin_annex_lists_each_flag_with_its_date(committee) -> None:
    from django.template.loader import render_to_string

    from reports.bulletins.condense import first

    AidProjectFactory(committee=committee, title="蔬菜大棚", started_on=datetime.date(2025, 1, 1))
    summary = warnings_summary(datetime.date(2025, 6, 1), JointCommittee.objects.all())
    html = render_to_string("reports/bulletins/sections/s3_warnings.html",
                            {"data": {"inspections": {"warnings": summary}},
                             "x": {"warnings": first(summary["serious"])}})
    assert "截至2025年6月30日" in html
    assert "进行中的帮扶项目3个月以上无进展：蔬菜大棚" in html
    assert committee.name in html and "2025-01-01" in html
