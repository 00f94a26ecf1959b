"""Help for members rated 不合格: the flags wherever they show, assigning a helper, follow-ups
and closing a case; and the review pages' fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.reviews import services
from evaluations.reviews.models import HelpAssignment, MemberReview
from tests.factories import help_case, make_committee, open_review_round
from tests.review_helpers import count_queries, populate, reviews_of, row_html, sheet_url

R = MemberReview.Rating


# Help for the unqualified ---------------------------------------------------------------

def test_each_unqualified_without_a_helper_is_flagged_everywhere(
    client, secretary_user, department_user, committee
):
    members = populate(committee, 4)
    review_round = open_review_round()
    helped, unhelped = members[2], members[3]
    help_case(review_round, helped, members[0])
    MemberReview.objects.filter(member=unhelped).update(rating=R.UNQUALIFIED, basis="赞成票 1/4")
    client.force_login(secretary_user)
    home = client.get(reverse("home")).content.decode()
    assert "1 名评为不合格的党员未安排帮促人" in home and unhelped.name in home
    detail = client.get(committee.get_absolute_url()).content.decode()
    assert "未安排帮促人" in detail and unhelped.name in detail
    sheet = client.get(sheet_url(review_round, committee)).content.decode()
    review = MemberReview.objects.get(member=unhelped)
    assert reverse("help_assign", args=[review.pk]) in row_html(sheet, review.pk)
    client.force_login(department_user)
    progress = client.get(review_round.get_absolute_url())
    assert progress.context["totals"].unassigned == 1
    assert "1 名评为不合格的党员未安排帮促人" in progress.content.decode()
    listing = client.get(reverse("help_list"), {"state": "unassigned"})
    assert [r.member for r in listing.context["page"].object_list] == [unhelped]


def test_a_case_without_follow_up_for_n_days_is_flagged_stale(
    client, settings, secretary_user, committee
):
    settings.HELP_STALE_DAYS = 30
    member, helper = populate(committee, 2)
    review_round = open_review_round()
    case = help_case(review_round, member, helper)
    today = timezone.localdate()
    HelpAssignment.objects.filter(pk=case.pk).update(assigned_on=today - datetime.timedelta(31))
    client.force_login(secretary_user)
    listing = client.get(reverse("help_list"), {"state": "stale"})
    assert [r.member for r in listing.context["page"].object_list] == [member]
    assert "1 个帮促超过30天未跟进" in client.get(reverse("home")).content.decode()
    assert "已超过30天" in client.get(case.get_absolute_url()).content.decode()

    client.post(case.get_absolute_url(), {"date": today.isoformat(), "note": "谈心谈话"})
    case.refresh_from_db()
    assert case.last_follow_up_on == today
    assert not client.get(reverse("help_list"), {"state": "stale"}).context["page"].object_list
    HelpAssignment.objects.filter(pk=case.pk).update(
        last_follow_up_on=today - datetime.timedelta(30))
    fresh = client.get(reverse("help_list"), {"state": "stale"})
    assert not fresh.context["page"].object_list  # exactly 30 days is not yet stale


def test_helper_must_be_on_the_same_committees_roster(committee, other_committee):
    member, officer = populate(committee, 2)
    outsider = populate(other_committee, 1)[0]
    open_review_round()
    review = MemberReview.objects.get(member=member)
    today = timezone.localdate()

    def assign(helper, **kwargs):
        values = {"review": review, "helper": helper, "plan": "结对帮促",
                  "assigned_on": today, "user": None, **kwargs}
        with pytest.raises(ValidationError) as error:
            services.help_assign(**values)
        return error.value

    assert "只有评为不合格的党员需要安排专人帮促" in assign(officer).messages[0]
    MemberReview.objects.filter(pk=review.pk).update(rating=R.UNQUALIFIED, basis="x")
    assert assign(member).message_dict["helper"] == ["帮促人不能是被帮促的党员本人。"]
    assert "本次评议名单中的党员" in assign(outsider).message_dict["helper"][0]
    future = assign(officer, assigned_on=today + datetime.timedelta(1))
    assert future.message_dict["assigned_on"] == ["日期不能晚于今天。"]
    assert assign(officer, plan=" ").message_dict["plan"] == ["请填写帮促计划。"]
    case = services.help_assign(review=review, helper=officer, plan="结对帮促",
                                assigned_on=today, user=None)
    assert case.helper == officer and case.is_open


def test_a_closed_case_takes_no_more_follow_ups(client, secretary_user, committee):
    member, helper = populate(committee, 2)
    review_round = open_review_round()
    case = help_case(review_round, member, helper)
    client.force_login(secretary_user)
    missing = client.post(reverse("help_close", args=[case.pk]),
                          {"closed_on": timezone.localdate().isoformat(), "outcome": ""})
    assert "这个字段是必填项" in missing.content.decode()
    client.post(reverse("help_close", args=[case.pk]),
                {"closed_on": timezone.localdate().isoformat(), "outcome": "已转化，表现合格"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (HelpAssignment.Status.CLOSED, "已转化，表现合格")
    with pytest.raises(ValidationError):
        services.help_follow_up_add(assignment=case, date=timezone.localdate(), note="x",
                                    user=None)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "记录跟进" not in page


# Pages with a fixed number of queries ---------------------------------------------------

@pytest.mark.parametrize("url_name", ["review_round_detail", "help_list", "home"])
def test_review_pages_make_a_fixed_number_of_queries(client, department_user, town, url_name,
                                                     figures_not_kept):
    committees = [make_committee(town=town) for _ in range(2)]
    for c in committees:
        populate(c, 3)
    review_round = open_review_round()
    for c in committees:
        first, helper = reviews_of(review_round, c)[:2]
        help_case(review_round, first.member, helper.member)
    url = (reverse(url_name, args=[review_round.pk]) if url_name == "review_round_detail"
           else reverse(url_name))
    client.force_login(department_user)
    client.get(url)
    small = count_queries(client, "get", url)
    more = [make_committee(town=town) for _ in range(4)]
    for c in more:
        populate(c, 5)
    services.review_round_fill_roster(review_round=review_round, user=None)
    for c in more:
        first, helper = reviews_of(review_round, c)[:2]
        help_case(review_round, first.member, helper.member)
    assert count_queries(client, "get", url) == small
