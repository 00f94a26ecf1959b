"""Democratic review of members: rounds, the one-page rating sheet, locking, help for the
unqualified and its flags, who sees ratings, the 第八表 export and bulletin section 六."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from branches.models import Member
from evaluations.reviews import services
from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound
from evaluations.reviews.selectors import review_summary, round_locked_in
from tests.factories import (
    JointCommitteeFactory,
    MemberFactory,
    VillageFactory,
    help_case,
    make_committee,
    open_review_round,
)
from twinning.permissions import grant_committee
from twinning.services import committee_dissolve, committee_remove_village

Rating = MemberReview.Rating
R = Rating


def _populate(committee, n: int) -> list[Member]:
    """`n` members spread over the committee's urban branch and current villages; the first
    of each branch is its secretary."""
    branches = [committee.urban, *(m.village for m in
                                   committee.memberships.filter(left_on__isnull=True))]
    return [
        MemberFactory(branch=branches[i % len(branches)],
                      role=Member.Role.SECRETARY if i < len(branches) else Member.Role.MEMBER)
        for i in range(n)
    ]


def _reviews(review_round, committee) -> list[MemberReview]:
    return list(MemberReview.objects.filter(round=review_round, committee=committee)
                .order_by("member__name"))


def _rate(review_round, committee, ratings: list[str]) -> list[MemberReview]:
    rows = _reviews(review_round, committee)
    for row, rating in zip(rows, ratings, strict=False):
        row.rating, row.basis = rating, "赞成票 10/12"
        row.save()
    return rows


def _sheet_url(review_round, committee) -> str:
    return reverse("review_sheet", args=[review_round.pk, committee.code])


def _sheet_post(rows, values: dict[int, tuple[str, str]] | None = None,
                default: tuple[str, str] = (R.QUALIFIED, "")) -> dict[str, str]:
    data = {}
    for row in rows:
        rating, basis = (values or {}).get(row.pk, default)
        data[f"r{row.pk}-rating"], data[f"r{row.pk}-basis"] = rating, basis
    return data


def _lock(review_round) -> None:
    """Move the round into the past: its close date was yesterday."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ReviewRound.objects.filter(pk=review_round.pk).update(opened_on=yesterday,
                                                          closes_on=yesterday)
    review_round.refresh_from_db()


# Opening a round ------------------------------------------------------------------------

def test_opening_fixes_the_roster_of_every_active_committee(committee, other_committee):
    members = _populate(committee, 6) + _populate(other_committee, 4)
    leaving = make_committee(town=committee.town, villages=3)
    gone_village = leaving.memberships.first().village
    stays = _populate(leaving, 3)
    gone = MemberFactory(branch=gone_village)
    committee_remove_village(committee=leaving, village=gone_village,
                             left_on=datetime.date(2025, 1, 1), reason="调整")
    dissolved = make_committee(town=committee.town)
    _populate(dissolved, 2)
    committee_dissolve(committee=dissolved, dissolved_on=datetime.date(2025, 1, 1), reason="撤销")
    MemberFactory(branch=VillageFactory(town=committee.town))  # a village in no committee

    review_round = open_review_round()

    roster = dict(review_round.reviews.values_list("member_id", "committee_id"))
    expected = {m.pk: committee.pk for m in members[:6]}
    expected |= {m.pk: other_committee.pk for m in members[6:]}
    expected |= {m.pk: leaving.pk for m in stays if m.branch != gone_village}
    assert roster == expected
    assert gone.pk not in roster
    assert not review_round.reviews.exclude(rating="").exists()


def test_urban_branch_leading_two_committees_is_reviewed_by_the_earlier(town):
    first = JointCommitteeFactory(town=town, established_on=datetime.date(2020, 1, 1))
    second = JointCommitteeFactory(town=town, urban=first.urban,
                                   established_on=datetime.date(2019, 1, 1))
    urban_member = MemberFactory(branch=first.urban)
    review_round = open_review_round()
    assert review_round.reviews.get(member=urban_member).committee == second


def test_a_half_year_is_opened_once(committee):
    review_round = open_review_round()
    with pytest.raises(ValidationError) as error:
        open_review_round()
    assert "该半年的民主评议已经开启。" in error.value.messages
    assert ReviewRound.objects.get() == review_round


def test_department_opens_a_round_on_the_page_and_secretary_cannot(
    client, department_user, secretary_user, committee
):
    _populate(committee, 5)
    today = timezone.localdate()
    half = "first" if today.month <= 6 else "second"
    data = {"year": today.year, "half": half, "opened_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat()}
    client.force_login(secretary_user)
    assert client.post(reverse("review_round_create"), data).status_code == 403
    client.force_login(department_user)
    response = client.post(reverse("review_round_create"), data, follow=True)
    review_round = ReviewRound.objects.get()
    assert review_round.opened_by == department_user
    assert "评议名单共5名党员" in response.content.decode()
    stale = {**data, "year": today.year - 1,
             "opened_on": (today - datetime.timedelta(days=2)).isoformat(),
             "closes_on": (today - datetime.timedelta(days=1)).isoformat()}
    again = client.post(reverse("review_round_create"), stale)
    assert "截止日期不能早于今天。" in again.content.decode()


def test_members_registered_later_are_added_to_an_open_round_only(committee):
    _populate(committee, 3)
    review_round = open_review_round()
    late = MemberFactory(branch=committee.urban)
    assert services.review_round_fill_roster(review_round=review_round, user=None) == 1
    assert review_round.reviews.filter(member=late, committee=committee).exists()
    assert services.review_round_fill_roster(review_round=review_round, user=None) == 0
    _lock(review_round)
    MemberFactory(branch=committee.urban)
    with pytest.raises(ValidationError):
        services.review_round_fill_roster(review_round=review_round, user=None)


# Locking ------------------------------------------------------------------------------

def test_close_date_is_open_and_the_day_after_is_locked(committee):
    _populate(committee, 2)
    review_round = open_review_round()
    today = timezone.localdate()
    ReviewRound.objects.filter(pk=review_round.pk).update(opened_on=today, closes_on=today)
    review_round.refresh_from_db()
    assert not review_round.is_locked(today)
    assert review_round.is_locked(today + datetime.timedelta(days=1))


def test_ratings_are_locked_after_the_close_date(committee):
    _populate(committee, 2)
    review_round = open_review_round()
    rows = _reviews(review_round, committee)
    _lock(review_round)
    with pytest.raises(ValidationError) as error:
        services.member_reviews_save(
            review_round=review_round, committee=committee,
            entries={rows[0].pk: services.RatingEntry(R.EXCELLENT, "")}, user=None)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert error.value.messages == [f"评议已于{yesterday:%Y-%m-%d}截止，结果已锁定。"]
    assert not MemberReview.objects.exclude(rating="").exists()


def test_ratings_are_locked_once_the_department_closes_the_round(committee, department_user):
    _populate(committee, 2)
    review_round = open_review_round()
    rows = _reviews(review_round, committee)
    services.review_round_close(review_round=review_round, user=department_user)
    with pytest.raises(ValidationError) as error:
        services.member_reviews_save(
            review_round=review_round, committee=committee,
            entries={rows[0].pk: services.RatingEntry(R.EXCELLENT, "")}, user=None)
    assert f"评议已于{timezone.localdate():%Y-%m-%d}截止" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.review_round_close(review_round=review_round, user=department_user)
    with pytest.raises(ValidationError):
        services.review_round_update(review_round=review_round,
                                     closes_on=timezone.localdate() + datetime.timedelta(days=9))


def test_extending_the_close_date_reopens_entry(committee):
    _populate(committee, 2)
    review_round = open_review_round()
    _lock(review_round)
    services.review_round_update(review_round=review_round,
                                 closes_on=timezone.localdate() + datetime.timedelta(days=3))
    review_round.refresh_from_db()
    assert not review_round.is_locked()


def test_locked_sheet_is_read_only_and_says_why(client, secretary_user, committee):
    _populate(committee, 3)
    review_round = open_review_round()
    rows = _rate(review_round, committee, [R.EXCELLENT, R.QUALIFIED, R.QUALIFIED])
    _lock(review_round)
    client.force_login(secretary_user)
    url = _sheet_url(review_round, committee)
    body = client.get(url).content.decode()
    assert review_round.lock_message() in body and "本页只读" in body
    sheet = body.split('id="sheet"')[1]
    assert "<select" not in sheet and 'type="submit"' not in sheet
    response = client.post(url, _sheet_post(rows, default=(R.UNQUALIFIED, "赞成票 1/9")),
                           follow=True)
    assert "本次提交未保存" in response.content.decode()
    assert sorted(MemberReview.objects.values_list("rating", flat=True)) == sorted(
        [R.EXCELLENT, R.QUALIFIED, R.QUALIFIED])


# The one-page sheet ---------------------------------------------------------------------

def _row_html(body: str, pk: int) -> str:
    return re.search(rf'<tr id="row-{pk}"[^>]*>.*?</tr>', body, re.S).group(0)


def test_sheet_keeps_every_valid_row_and_reports_the_bad_one_on_its_row(
    client, secretary_user, committee
):
    _populate(committee, 60)
    review_round = open_review_round()
    rows = _reviews(review_round, committee)
    bad, excellent = rows[17], rows[3]
    typed = {bad.pk: (R.UNQUALIFIED, ""), excellent.pk: (R.EXCELLENT, "赞成票 30/32")}
    client.force_login(secretary_user)

    response = client.post(_sheet_url(review_round, committee), _sheet_post(rows, typed))

    assert response.status_code == 200
    body = response.content.decode()
    bad_row = _row_html(body, bad.pk)
    assert 'class="invalid"' in bad_row
    assert "评为“不合格”须填写票数或评议依据。" in bad_row
    assert '<option value="unqualified" selected>' in bad_row  # what was typed is kept
    assert "有 1 行未保存" in body and f'href="#row-{bad.pk}"' in body
    assert "其余各行已保存（59 行有变动）" in body
    assert 'value="赞成票 30/32"' in _row_html(body, excellent.pk)
    saved = dict(MemberReview.objects.values_list("pk", "rating"))
    assert saved.pop(bad.pk) == ""
    assert saved.pop(excellent.pk) == R.EXCELLENT
    assert set(saved.values()) == {R.QUALIFIED} and len(saved) == 58
    entered = MemberReview.objects.exclude(rating="").values_list("entered_by", flat=True)
    assert set(entered) == {secretary_user.pk}

    fixed = {bad.pk: (R.UNQUALIFIED, "赞成票 4/31；长期不参加组织生活")}
    again = client.post(_sheet_url(review_round, committee), _sheet_post([bad], fixed),
                        follow=True)
    assert "已保存：1名党员的评定有变动。" in again.content.decode()
    assert MemberReview.objects.get(pk=bad.pk).rating == R.UNQUALIFIED


@pytest.mark.parametrize(("rating", "basis", "message"), [
    ("", "赞成票 20/25", "已填写票数或依据，但未选择评定等次。"),
    (R.BASIC, "", "评为“基本合格”须填写票数或评议依据。"),
    (R.QUALIFIED, "赞成票 52/28", "票数“52/28”有误：赞成票不能多于参加投票的人数。"),
    (R.EXCELLENT, "赞成票 3／0", "票数“3／0”有误：赞成票不能多于参加投票的人数。"),
    ("outstanding", "", "评定等次无效，请从列表中选择。"),
    (R.QUALIFIED, "很" * 201, "票数或依据不能超过200字（现为201字）。"),
])
def test_row_mistakes_are_explained(committee, rating, basis, message):
    _populate(committee, 2)
    review_round = open_review_round()
    first, second = _reviews(review_round, committee)
    result = services.member_reviews_save(
        review_round=review_round, committee=committee, user=None,
        entries={first.pk: services.RatingEntry(rating, basis),
                 second.pk: services.RatingEntry(R.QUALIFIED, "  赞成票  9/10 ")},
    )
    assert result.errors == {first.pk: message}
    assert result.saved == 1
    assert MemberReview.objects.get(pk=second.pk).basis == "赞成票 9/10"


def test_rows_of_another_committee_cannot_be_written_through_a_sheet(
    client, secretary_user, committee, other_committee
):
    _populate(committee, 2)
    _populate(other_committee, 2)
    review_round = open_review_round()
    foreign = _reviews(review_round, other_committee)
    client.force_login(secretary_user)
    client.post(_sheet_url(review_round, committee), _sheet_post(foreign))
    assert not MemberReview.objects.exclude(rating="").exists()


def test_unchanged_rows_are_not_rewritten_and_changes_are_audited(committee, secretary_user):
    _populate(committee, 4)
    review_round = open_review_round()
    rows = _reviews(review_round, committee)
    entries = {r.pk: services.RatingEntry(R.QUALIFIED, "") for r in rows}
    first = services.member_reviews_save(review_round=review_round, committee=committee,
                                         entries=entries, user=secretary_user)
    again = services.member_reviews_save(review_round=review_round, committee=committee,
                                         entries=entries, user=secretary_user)
    assert (first.saved, again.saved) == (4, 0)
    changes = MemberReview.history.filter(history_type="~")
    assert changes.count() == 4
    assert {h.history_user for h in changes} == {secretary_user}


def test_rating_of_a_member_under_help_cannot_be_changed(committee):
    member, helper = _populate(committee, 2)
    review_round = open_review_round()
    assignment = help_case(review_round, member, helper)
    result = services.member_reviews_save(
        review_round=review_round, committee=committee, user=None,
        entries={assignment.review_id: services.RatingEntry(R.QUALIFIED, "")})
    assert "已安排专人帮促" in result.errors[assignment.review_id]


def _count(client, method: str, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)


def test_sheet_makes_the_same_number_of_queries_for_10_and_60_members(
    client, secretary_user, committee, second_committee, town
):
    _populate(committee, 10)
    _populate(second_committee, 60)
    review_round = open_review_round()
    grant_committee(secretary_user, second_committee)
    client.force_login(secretary_user)
    small, large = _sheet_url(review_round, committee), _sheet_url(review_round,
                                                                   second_committee)
    client.get(small)
    assert _count(client, "get", small) == _count(client, "get", large)
    small_post = _sheet_post(_reviews(review_round, committee))
    large_post = _sheet_post(_reviews(review_round, second_committee))
    assert _count(client, "post", small, small_post) == _count(client, "post", large, large_post)
    assert MemberReview.objects.filter(rating=R.QUALIFIED).count() == 70


def test_sheet_warns_when_more_than_a_third_are_excellent(client, secretary_user, committee):
    _populate(committee, 6)
    review_round = open_review_round()
    _rate(review_round, committee, [R.EXCELLENT] * 3)
    client.force_login(secretary_user)
    body = client.get(_sheet_url(review_round, committee)).content.decode()
    assert "超过名单人数（6）的三分之一" in body


# Who sees ratings -----------------------------------------------------------------------

def test_inspectors_and_leaders_see_no_ratings_or_names(
    client, inspector_user, leader_user, committee
):
    member, helper = _populate(committee, 2)
    review_round = open_review_round()
    help_case(review_round, member, helper)
    for user in (inspector_user, leader_user):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert "民主评议党员" not in home and member.name not in home
        assert client.get(_sheet_url(review_round, committee)).status_code == 404
        assert client.get(reverse("help_list")).status_code == 403
    client.force_login(inspector_user)
    page = client.get(committee.get_absolute_url()).content.decode()
    assert "民主评议党员" not in page and member.name not in page


def test_secretary_of_another_committee_sees_no_ratings(
    client, committee, other_committee
):
    from twinning.models import Role
    from twinning.services import user_create

    member, helper = _populate(committee, 2)
    review_round = open_review_round()
    case = help_case(review_round, member, helper)
    outsider = user_create(username="other-sec", role=Role.SECRETARY,
                           password="Persona-pass-2026", committees=[other_committee])
    client.force_login(outsider)
    assert client.get(_sheet_url(review_round, committee)).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("help_assign", args=[case.review_id])).status_code == 404
    listing = client.get(reverse("help_list")).content.decode()
    assert member.name not in listing
    progress = client.get(review_round.get_absolute_url()).content.decode()
    assert committee.name not in progress


def test_town_staff_see_their_towns_committees_only(
    client, town_user, committee, other_committee
):
    _populate(committee, 3)
    _populate(other_committee, 3)
    review_round = open_review_round()
    client.force_login(town_user)
    response = client.get(review_round.get_absolute_url())
    assert [c.code for c, _ in response.context["rows"]] == [committee.code]
    assert response.context["totals"].total == 3
    assert client.get(_sheet_url(review_round, other_committee)).status_code == 404
    # Town staff may enter ratings for their town's committees; the row says who did.
    rows = _reviews(review_round, committee)
    client.post(_sheet_url(review_round, committee), _sheet_post(rows))
    assert set(MemberReview.objects.filter(committee=committee)
               .values_list("rating", "entered_by")) == {(R.QUALIFIED, town_user.pk)}


# Help for the unqualified ---------------------------------------------------------------

def test_each_unqualified_without_a_helper_is_flagged_everywhere(
    client, secretary_user, department_user, committee
):
    members = _populate(committee, 4)
    review_round = open_review_round()
    helped, unhelped = members[2], members[3]
    help_case(review_round, helped, members[0])
    MemberReview.objects.filter(member=unhelped).update(rating=R.UNQUALIFIED, basis="赞成票 1/4")
    client.force_login(secretary_user)
    home = client.get(reverse("home")).content.decode()
    assert "1 名评为不合格的党员未安排帮促人" in home and unhelped.name in home
    detail = client.get(committee.get_absolute_url()).content.decode()
    assert "未安排帮促人" in detail and unhelped.name in detail
    sheet = client.get(_sheet_url(review_round, committee)).content.decode()
    review = MemberReview.objects.get(member=unhelped)
    assert reverse("help_assign", args=[review.pk]) in _row_html(sheet, review.pk)
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
    member, helper = _populate(committee, 2)
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
    member, officer = _populate(committee, 2)
    outsider = _populate(other_committee, 1)[0]
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
    member, helper = _populate(committee, 2)
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
        _populate(c, 3)
    review_round = open_review_round()
    for c in committees:
        first, helper = _reviews(review_round, c)[:2]
        help_case(review_round, first.member, helper.member)
    url = (reverse(url_name, args=[review_round.pk]) if url_name == "review_round_detail"
           else reverse(url_name))
    client.force_login(department_user)
    client.get(url)
    small = _count(client, "get", url)
    more = [make_committee(town=town) for _ in range(4)]
    for c in more:
        _populate(c, 5)
    services.review_round_fill_roster(review_round=review_round, user=None)
    for c in more:
        first, helper = _reviews(review_round, c)[:2]
        help_case(review_round, first.member, helper.member)
    assert _count(client, "get", url) == small


# 第八表 ---------------------------------------------------------------------------------

def _table8(client, review_round) -> list[tuple]:
    response = client.get(reverse("review_round_table", args=[review_round.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_table8_has_the_round_pages_numbers(
    client, department_user, town_user, committee, other_committee
):
    _populate(committee, 6)
    _populate(other_committee, 3)
    review_round = open_review_round()
    _rate(review_round, committee, [R.EXCELLENT, R.EXCELLENT, R.QUALIFIED, R.BASIC,
                                    R.UNQUALIFIED])
    _rate(review_round, other_committee, [R.QUALIFIED, R.QUALIFIED, R.UNQUALIFIED])
    client.force_login(department_user)

    rows = _table8(client, review_round)

    assert rows[0][0] == f"党内统计 第八表 民主评议党员情况（{review_round}）"
    assert "统计范围：全市" in rows[1][0]
    assert rows[2][:9] == ("序号", "镇街", "联合党组织", "应参加评议党员数", "参加评议党员数",
                          "评为优秀的", "合格的", "基本合格的", "不合格的")
    # By town code (T-LD before T-MZ), then committee code.
    assert rows[3][:9] == (1, other_committee.town.name, other_committee.name, 3, 3, 0, 2, 0, 1)
    assert rows[4][:9] == (2, committee.town.name, committee.name, 6, 5, 2, 1, 1, 1)
    assert rows[5][2:9] == ("全市合计", 9, 8, 2, 3, 1, 2)
    assert any("限期改正、劝其退党、除名" in (r[0] or "") for r in rows[6:])
    totals = client.get(review_round.get_absolute_url()).context["totals"]
    assert (totals.total, totals.rated, totals.excellent, totals.qualified, totals.basic,
            totals.unqualified) == rows[5][3:9]

    client.force_login(town_user)
    town_rows = _table8(client, review_round)
    assert [r[2] for r in town_rows[3:5]] == [committee.name, "合计"]
    assert f"统计范围：{committee.town.name}" in town_rows[1][0]


def test_table8_cells_never_become_formulas(client, department_user, town):
    committee = make_committee(town=town, name="=HYPERLINK(\"x\")联合党总支")
    _populate(committee, 1)
    review_round = open_review_round()
    client.force_login(department_user)
    assert _table8(client, review_round)[3][2] == "'=HYPERLINK(\"x\")联合党总支"


# Bulletin section 六 --------------------------------------------------------------------

def _past_round(year: int, half: str, *, closes_on: datetime.date,
                closed: datetime.datetime | None) -> ReviewRound:
    review_round = open_review_round(year=year, half=half)
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opened_on=closes_on.replace(day=1), closes_on=closes_on, closed_at=closed)
    review_round.refresh_from_db()
    return review_round


def _aware(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.mark.parametrize(("closes_on", "closed", "month"), [
    (datetime.date(2025, 6, 30), _aware(2025, 7, 3, 9), datetime.date(2025, 6, 1)),
    (datetime.date(2025, 6, 30), _aware(2025, 5, 28, 18), datetime.date(2025, 5, 1)),
    (datetime.date(2025, 6, 30), None, datetime.date(2025, 6, 1)),
])
def test_a_round_counts_in_the_month_its_ratings_locked(closes_on, closed, month, town):
    review_round = _past_round(2025, "first", closes_on=closes_on, closed=closed)
    assert round_locked_in(month) == review_round
    assert review_round.locked_on.replace(day=1) == month
    for other in (datetime.date(2025, 4, 1), datetime.date(2025, 7, 1)):
        if other != month:
            assert round_locked_in(other) is None


def test_a_round_still_open_is_not_in_the_bulletin(committee):
    review_round = open_review_round()
    month = review_round.closes_on.replace(day=1)
    assert round_locked_in(month, today=review_round.closes_on) is None
    later = review_round.closes_on + datetime.timedelta(days=1)
    assert round_locked_in(month, today=later) == review_round


def test_review_summary_arithmetic(committee, other_committee, django_assert_num_queries):
    members = _populate(committee, 10)
    _populate(other_committee, 3)
    review_round = open_review_round()
    _rate(review_round, committee, [R.EXCELLENT] * 3 + [R.QUALIFIED] * 5 + [R.BASIC]
          + [R.UNQUALIFIED])
    _rate(review_round, other_committee, [R.EXCELLENT, R.UNQUALIFIED])  # one left unrated
    unqualified = MemberReview.objects.get(committee=committee, rating=R.UNQUALIFIED)
    helper = next(m for m in members if m != unqualified.member)
    help_case(review_round, unqualified.member, helper)
    services.review_round_close(review_round=review_round, user=None)
    month = timezone.localdate().replace(day=1)

    with django_assert_num_queries(3):
        summary = review_summary(month)

    counts = summary.counts
    assert (counts.total, counts.rated, counts.unqualified, counts.helped,
            counts.unassigned) == (13, 12, 2, 1, 1)
    assert [(key, n, str(share)) for key, _, n, share in counts.distribution] == [
        ("excellent", 4, "33.3"), ("qualified", 5, "41.7"), ("basic", 1, "8.3"),
        ("unqualified", 2, "16.7"),
    ]
    assert [(t.name, t.counts.rated, t.counts.unqualified, t.counts.helped)
            for t in summary.by_town] == [
        (other_committee.town.name, 2, 1, 0), (committee.town.name, 10, 1, 1)]
    only_town = review_summary(month, committees=type(committee).objects.filter(
        town=committee.town))
    assert only_town.counts.rated == 10
    assert review_summary(month.replace(year=month.year - 1)) is None

    html = render_to_string("reports/bulletin/s6_evaluations.html", {
        "data": {"reviews": summary},
        "section": {"anchor": "s6", "title": "六、民主评议与考核"},
    })
    assert "参加评议党员12名" in html and "33.3%" in html
    assert unqualified.member.name not in html and helper.name not in html


def test_date_fields_show_their_value_to_the_browsers_date_picker(
    client, department_user, committee
):
    client.force_login(department_user)
    body = client.get(reverse("review_round_create")).content.decode()
    assert f'type="date" name="opened_on" value="{timezone.localdate():%Y-%m-%d}"' in body


def test_admin_keeps_locked_rounds_and_every_rating(client, department_user, committee):
    _populate(committee, 1)
    review_round = open_review_round()
    client.force_login(department_user)
    url = reverse("admin:evaluations_reviewround_delete", args=[review_round.pk])
    assert client.get(url).status_code == 200
    _lock(review_round)
    assert client.get(url).status_code == 403
    review = review_round.reviews.get()
    assert client.get(reverse("admin:evaluations_memberreview_delete",
                              args=[review.pk])).status_code == 403
