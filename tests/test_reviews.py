"""Democratic review of members: opening a round, locking, the one-page rating sheet and who
sees ratings."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.reviews import services
from evaluations.reviews.models import MemberReview, ReviewRound
from tests.factories import (
    JointCommitteeFactory,
    MemberFactory,
    VillageFactory,
    help_case,
    make_committee,
    open_review_round,
)
from tests.review_helpers import count_queries, populate, rate, reviews_of, row_html, sheet_url
from twinning.committees.services import committee_dissolve, committee_remove_village
from twinning.shared.permissions import grant_committee

Rating = MemberReview.Rating
R = Rating


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
    members = populate(committee, 6) + populate(other_committee, 4)
    leaving = make_committee(town=committee.town, villages=3)
    gone_village = leaving.memberships.first().village
    stays = populate(leaving, 3)
    gone = MemberFactory(branch=gone_village)
    committee_remove_village(committee=leaving, village=gone_village,
                             left_on=datetime.date(2025, 1, 1), reason="调整")
    dissolved = make_committee(town=committee.town)
    populate(dissolved, 2)
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
    populate(committee, 5)
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
    populate(committee, 3)
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
    populate(committee, 2)
    review_round = open_review_round()
    today = timezone.localdate()
    ReviewRound.objects.filter(pk=review_round.pk).update(opened_on=today, closes_on=today)
    review_round.refresh_from_db()
    assert not review_round.is_locked(today)
    assert review_round.is_locked(today + datetime.timedelta(days=1))


def test_ratings_are_locked_after_the_close_date(committee):
    populate(committee, 2)
    review_round = open_review_round()
    rows = reviews_of(review_round, committee)
    _lock(review_round)
    with pytest.raises(ValidationError) as error:
        services.member_reviews_save(
            review_round=review_round, committee=committee,
            entries={rows[0].pk: services.RatingEntry(R.EXCELLENT, "")}, user=None)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert error.value.messages == [f"评议已于{yesterday:%Y-%m-%d}截止，结果已锁定。"]
    assert not MemberReview.objects.exclude(rating="").exists()


def test_ratings_are_locked_once_the_department_closes_the_round(committee, department_user):
    populate(committee, 2)
    review_round = open_review_round()
    rows = reviews_of(review_round, committee)
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
    populate(committee, 2)
    review_round = open_review_round()
    _lock(review_round)
    services.review_round_update(review_round=review_round,
                                 closes_on=timezone.localdate() + datetime.timedelta(days=3))
    review_round.refresh_from_db()
    assert not review_round.is_locked()


def test_locked_sheet_is_read_only_and_says_why(client, secretary_user, committee):
    populate(committee, 3)
    review_round = open_review_round()
    rows = rate(review_round, committee, [R.EXCELLENT, R.QUALIFIED, R.QUALIFIED])
    _lock(review_round)
    client.force_login(secretary_user)
    url = sheet_url(review_round, committee)
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

def test_sheet_keeps_every_valid_row_and_reports_the_bad_one_on_its_row(
    client, secretary_user, committee
):
    populate(committee, 60)
    review_round = open_review_round()
    rows = reviews_of(review_round, committee)
    bad, excellent = rows[17], rows[3]
    typed = {bad.pk: (R.UNQUALIFIED, ""), excellent.pk: (R.EXCELLENT, "赞成票 30/32")}
    client.force_login(secretary_user)

    response = client.post(sheet_url(review_round, committee), _sheet_post(rows, typed))

    assert response.status_code == 200
    body = response.content.decode()
    bad_row = row_html(body, bad.pk)
    assert 'class="invalid"' in bad_row
    assert "评为“不合格”须填写票数或评议依据。" in bad_row
    assert '<option value="unqualified" selected>' in bad_row  # what was typed is kept
    assert "有 1 行未保存" in body and f'href="#row-{bad.pk}"' in body
    assert "其余各行已保存（59 行有变动）" in body
    assert 'value="赞成票 30/32"' in row_html(body, excellent.pk)
    saved = dict(MemberReview.objects.values_list("pk", "rating"))
    assert saved.pop(bad.pk) == ""
    assert saved.pop(excellent.pk) == R.EXCELLENT
    assert set(saved.values()) == {R.QUALIFIED} and len(saved) == 58
    entered = MemberReview.objects.exclude(rating="").values_list("entered_by", flat=True)
    assert set(entered) == {secretary_user.pk}

    fixed = {bad.pk: (R.UNQUALIFIED, "赞成票 4/31；长期不参加组织生活")}
    again = client.post(sheet_url(review_round, committee), _sheet_post([bad], fixed),
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
    populate(committee, 2)
    review_round = open_review_round()
    first, second = reviews_of(review_round, committee)
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
    populate(committee, 2)
    populate(other_committee, 2)
    review_round = open_review_round()
    foreign = reviews_of(review_round, other_committee)
    client.force_login(secretary_user)
    client.post(sheet_url(review_round, committee), _sheet_post(foreign))
    assert not MemberReview.objects.exclude(rating="").exists()


def test_unchanged_rows_are_not_rewritten_and_changes_are_audited(committee, secretary_user):
    populate(committee, 4)
    review_round = open_review_round()
    rows = reviews_of(review_round, committee)
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
    member, helper = populate(committee, 2)
    review_round = open_review_round()
    assignment = help_case(review_round, member, helper)
    result = services.member_reviews_save(
        review_round=review_round, committee=committee, user=None,
        entries={assignment.review_id: services.RatingEntry(R.QUALIFIED, "")})
    assert "已安排专人帮促" in result.errors[assignment.review_id]


def test_sheet_makes_the_same_number_of_queries_for_10_and_60_members(
    client, secretary_user, committee, second_committee, town
):
    populate(committee, 10)
    populate(second_committee, 60)
    review_round = open_review_round()
    grant_committee(secretary_user, second_committee)
    client.force_login(secretary_user)
    small, large = sheet_url(review_round, committee), sheet_url(review_round, second_committee)
    client.get(small)
    assert count_queries(client, "get", small) == count_queries(client, "get", large)
    small_post = _sheet_post(reviews_of(review_round, committee))
    large_post = _sheet_post(reviews_of(review_round, second_committee))
    assert (count_queries(client, "post", small, small_post)
            == count_queries(client, "post", large, large_post))
    assert MemberReview.objects.filter(rating=R.QUALIFIED).count() == 70


def test_sheet_warns_when_more_than_a_third_are_excellent(client, secretary_user, committee):
    populate(committee, 6)
    review_round = open_review_round()
    rate(review_round, committee, [R.EXCELLENT] * 3)
    client.force_login(secretary_user)
    body = client.get(sheet_url(review_round, committee)).content.decode()
    assert "超过名单人数（6）的三分之一" in body


# Who sees ratings -----------------------------------------------------------------------

def test_inspectors_and_leaders_see_no_ratings_or_names(
    client, inspector_user, leader_user, committee
):
    member, helper = populate(committee, 2)
    review_round = open_review_round()
    help_case(review_round, member, helper)
    for user in (inspector_user, leader_user):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert "民主评议党员" not in home and member.name not in home
        assert client.get(sheet_url(review_round, committee)).status_code == 404
        assert client.get(reverse("help_list")).status_code == 403
    client.force_login(inspector_user)
    page = client.get(committee.get_absolute_url()).content.decode()
    assert "民主评议党员" not in page and member.name not in page


def test_secretary_of_another_committee_sees_no_ratings(
    client, committee, other_committee
):
    from twinning.shared.models import Role
    from twinning.site.accounts import user_create

    member, helper = populate(committee, 2)
    review_round = open_review_round()
    case = help_case(review_round, member, helper)
    outsider = user_create(username="other-sec", role=Role.SECRETARY,
                           password="Persona-pass-2026", committees=[other_committee])
    client.force_login(outsider)
    assert client.get(sheet_url(review_round, committee)).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("help_assign", args=[case.review_id])).status_code == 404
    listing = client.get(reverse("help_list")).content.decode()
    assert member.name not in listing
    progress = client.get(review_round.get_absolute_url()).content.decode()
    assert committee.name not in progress


def test_town_staff_see_their_towns_committees_only(
    client, town_user, committee, other_committee
):
    populate(committee, 3)
    populate(other_committee, 3)
    review_round = open_review_round()
    client.force_login(town_user)
    response = client.get(review_round.get_absolute_url())
    assert [c.code for c, _ in response.context["rows"]] == [committee.code]
    assert response.context["totals"].total == 3
    assert client.get(sheet_url(review_round, other_committee)).status_code == 404
    # Town staff may enter ratings for their town's committees; the row says who did.
    rows = reviews_of(review_round, committee)
    client.post(sheet_url(review_round, committee), _sheet_post(rows))
    assert set(MemberReview.objects.filter(committee=committee)
               .values_list("rating", "entered_by")) == {(R.QUALIFIED, town_user.pk)}


def test_date_fields_show_their_value_to_the_browsers_date_picker(
    client, department_user, committee
):
    client.force_login(department_user)
    body = client.get(reverse("review_round_create")).content.decode()
    assert f'type="date" name="opened_on" value="{timezone.localdate():%Y-%m-%d}"' in body


def test_admin_keeps_locked_rounds_and_every_rating(client, department_user, committee):
    populate(committee, 1)
    review_round = open_review_round()
    client.force_login(department_user)
    url = reverse("admin:evaluations_reviewround_delete", args=[review_round.pk])
    assert client.get(url).status_code == 200
    _lock(review_round)
    assert client.get(url).status_code == 403
    review = review_round.reviews.get()
    assert client.get(reverse("admin:evaluations_memberreview_delete",
                              args=[review.pk])).status_code == 403
