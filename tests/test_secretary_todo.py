"""The secretary's to-do list tells the truth: every kind of thing the committee owes is on
it, each linking to where it is done, and "没有待办事项" only when nothing is owed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.reviews.models import MemberReview
from tests.factories import MonthlyUpdateFactory, make_inspection, open_review_round
from tests.review_helpers import populate, rate, sheet_url
from twinning.monthly import rules
from twinning.shared.periods import add_months, format_period

Rating = MemberReview.Rating


@pytest.fixture
def nothing_this_month(committee):
    """This month's update is submitted, so only what the tests add is owed."""
    return MonthlyUpdateFactory(committee=committee,
                                period=rules.last_due_period(timezone.localdate()))


def _todo(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    return response, {item.url: item for item in response.context["todo"]}


def test_nothing_owed_says_so(client, secretary_user, committee, nothing_this_month) -> None:
    committee.established_on = timezone.localdate().replace(day=1)
    committee.save()
    response, todo = _todo(client, secretary_user)
    assert todo == {}
    assert "没有待办事项" in response.content.decode()


def test_an_open_rectification_not_yet_overdue_is_on_the_list(
    client, secretary_user, committee, nothing_this_month
) -> None:
    today = timezone.localdate()
    inspection = make_inspection(committee, visited_on=today - datetime.timedelta(days=2),
                                 items=[{"due_on": today + datetime.timedelta(days=20)}])
    item = inspection.rectifications.get()
    response, todo = _todo(client, secretary_user)
    assert reverse("rectification_detail", args=[item.pk]) in todo
    assert "没有待办事项" not in response.content.decode()


def test_an_open_review_round_with_unrated_members_is_on_the_list(
    client, secretary_user, committee, nothing_this_month
) -> None:
    populate(committee, 4)
    review_round = open_review_round()
    _response, todo = _todo(client, secretary_user)
    assert sheet_url(review_round, committee) in todo
    assert "4" in todo[sheet_url(review_round, committee)].text


def test_an_unqualified_member_without_a_helper_is_on_the_list(
    client, secretary_user, committee, nothing_this_month
) -> None:
    populate(committee, 3)
    review_round = open_review_round()
    rows = rate(review_round, committee, [Rating.QUALIFIED, Rating.QUALIFIED, Rating.UNQUALIFIED])
    _response, todo = _todo(client, secretary_user)
    assert reverse("help_assign", args=[rows[2].pk]) in todo


def test_an_unfiled_locked_earlier_month_is_on_the_list_with_the_way_to_reopen(
    client, secretary_user, committee, nothing_this_month, settings
) -> None:
    settings.MONTHLY_LOCK_DAYS = 1
    today = timezone.localdate()
    earlier = add_months(rules.last_due_period(today), -2)
    committee.established_on = add_months(earlier, -1)
    committee.save()
    for month in (add_months(earlier, -1), add_months(earlier, 1)):
        MonthlyUpdateFactory(committee=committee, period=month)
    _response, todo = _todo(client, secretary_user)
    url = reverse("monthly_update", args=[committee.code, format_period(earlier)])
    assert url in todo
    assert "重新开放" in todo[url].text


def test_the_secretarys_menu_leads_to_the_monthly_updates(
    client, secretary_user, committee
) -> None:
    client.force_login(secretary_user)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("monthly_mine")}"' in body
    response = client.get(reverse("monthly_mine"))
    assert response.url == reverse("monthly_committee", args=[committee.code])
