"""The assessment of joint committees: scores proposed from records, ranks with ties, grades,
locking, adjustments with reasons, commendations, who sees what, and bulletin section 六."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.assessments.models import Assessment, AssessmentRound, AssessmentScore
from evaluations.assessments.scores import percentiles, propose
from evaluations.assessments.selectors import assessment_summary
from evaluations.assessments.services import (
    assessment_adjust,
    assessment_generate,
    assessment_round_close,
    assessment_round_open,
    assessment_round_update,
    commendation_record,
    competition_ranks,
)
from evaluations.inspections.services import rectification_close, rectification_submit
from tests.factories import MonthlyUpdateFactory, make_committee, make_inspection
from tests.factories_aid import ActivityFactory, ProgressFactory
from twinning.aid.models import HelpActivity
from twinning.monthly.rules import deadline

YEAR, HALF = 2025, "first"
TODAY = datetime.date(2026, 1, 10)  # well after every deadline of the half
CLOSED_AT = timezone.make_aware(datetime.datetime(2025, 7, 30, 17))


def _open(**kwargs) -> AssessmentRound:
    values = {"year": YEAR, "half": HALF, "opened_on": datetime.date(2025, 7, 5),
              "closes_on": datetime.date(2025, 7, 30), "user": None, **kwargs}
    return assessment_round_open(**values)


def _scored(lines: tuple[int, int, int] | None = None, places: int = 10) -> AssessmentRound:
    """A round of the half, scored from its records; with grade `lines` set if given."""
    round_ = _open(outstanding_count=places)
    assessment_generate(round_=round_, user=None, today=TODAY)
    if lines:
        excellent, good, fair = lines
        assessment_round_update(round_=round_, closes_on=round_.closes_on,
                                outstanding_count=places, excellent_from=excellent,
                                good_from=good, fair_from=fair, user=None)
    return round_


def _submitted(committee, month: int, days_after_deadline: int) -> None:
    period = datetime.date(YEAR, month, 1)
    moment = timezone.make_aware(datetime.datetime.combine(
        deadline(period) + datetime.timedelta(days=days_after_deadline), datetime.time(10)))
    MonthlyUpdateFactory(committee=committee, period=period, first_submitted_at=moment)


@pytest.fixture
def half_records(committee, second_committee, other_committee):
    """A known half-year (2025 上半年) for three committees.

    committee A: inspections 80/100 and 90/100; Jan–Apr filed on time, May late, June missing;
    two rectification items due in the half, one closed on time; an industry project started
    in the half with 10,000 yuan and 5 jobs reported; one fellowship activity.
    second_committee B: no records at all.
    other_committee C: an industry project started in the half with 20,000 yuan and 5 jobs;
    two cultural activities.
    """
    first = make_inspection(committee, visited_on=datetime.date(2025, 3, 12),
                            score=Decimal(16), items=[{"due_on": datetime.date(2025, 4, 11)}])
    make_inspection(committee, visited_on=datetime.date(2025, 4, 12), score=Decimal(18),
                    items=[{"due_on": datetime.date(2025, 5, 12)}])
    item = first.rectifications.get()
    rectification_submit(rectification=item, evidence="已整改")
    rectification_close(rectification=item, closed_on=datetime.date(2025, 4, 1),
                        today=datetime.date(2025, 4, 1))
    for month in (1, 2, 3, 4):
        _submitted(committee, month, 0)
    _submitted(committee, 5, 3)
    started = datetime.date(2025, 2, 1)
    for target, yuan in ((committee, "10000"), (other_committee, "20000")):
        ProgressFactory(project__committee=target, project__started_on=started,
                        reported_on=datetime.date(2025, 3, 15), investment=Decimal(yuan), jobs=5)
    ActivityFactory(committee=committee, kind=HelpActivity.Kind.FELLOWSHIP,
                    held_on=datetime.date(2025, 5, 1))
    ActivityFactory.create_batch(2, committee=other_committee, kind=HelpActivity.Kind.CULTURE,
                                 held_on=datetime.date(2025, 6, 1))
    return committee, second_committee, other_committee


def _scores(round_: AssessmentRound, committee) -> dict[str, Decimal]:
    return dict(AssessmentScore.objects.filter(assessment__round=round_,
                                               assessment__committee=committee)
                .values_list("criterion_name", "proposed"))


def test_competition_ranking_shares_a_rank_and_skips_the_next() -> None:
    totals = [Decimal(70), Decimal(90), Decimal(80), Decimal(80)]
    assert competition_ranks(totals) == [4, 1, 2, 2]
    assert competition_ranks([Decimal(5)] * 3) == [1, 1, 1]


def test_percentile_is_mid_rank_and_zero_for_nothing() -> None:
    values = {1: Decimal(10000), 2: Decimal(0), 3: Decimal(20000), 4: Decimal(10000)}
    assert percentiles(values) == {1: Decimal("0.5"), 2: Decimal(0), 3: Decimal(1),
                                   4: Decimal("0.5")}
    assert percentiles({1: Decimal(3)}) == {1: Decimal(1)}


def test_proposed_scores_follow_the_documented_formulas(half_records) -> None:
    a, b, c = half_records
    round_ = _open()
    assert assessment_generate(round_=round_, user=None, today=TODAY) == 3
    # 党建 20 × 170/200; 报送与督查 15 × (4/6 + 1/2)/2 = 8.75 → 8.8; 经济 25 × (½ + ¾ + ¾)/3;
    # 乡风文明 10 × ½ (one activity, between none and two).
    assert _scores(round_, a) == {
        "党建工作": Decimal("17.0"), "互帮互助": Decimal("0.0"), "经济发展": Decimal("16.7"),
        "基础设施": Decimal("0.0"), "乡风文明": Decimal("5.0"), "报送与督查": Decimal("8.8"),
    }
    # Nothing filed (0/6) and no rectification due (counts in full): 15 × ½.
    assert _scores(round_, b) == {
        "党建工作": Decimal("0.0"), "互帮互助": Decimal("0.0"), "经济发展": Decimal("0.0"),
        "基础设施": Decimal("0.0"), "乡风文明": Decimal("0.0"), "报送与督查": Decimal("7.5"),
    }
    # The most invested (1) with a project and jobs equal to A's (¾ each): 25 × 2.5/3 = 20.8.
    assert _scores(round_, c)["经济发展"] == Decimal("20.8")
    assert _scores(round_, c)["乡风文明"] == Decimal("10.0")
    results = {r.committee_id: r for r in round_.assessments.all()}
    assert (results[a.pk].total, results[b.pk].total, results[c.pk].total) == (
        Decimal("47.5"), Decimal("7.5"), Decimal("38.3"))
    assert (results[a.pk].rank, results[c.pk].rank, results[b.pk].rank) == (1, 2, 3)
    # Within towns: A and B share a town, C is alone in its own.
    assert (results[a.pk].town_rank, results[b.pk].town_rank, results[c.pk].town_rank) == (
        1, 2, 1)
    basis = AssessmentScore.objects.get(assessment=results[a.pk], criterion_name="报送与督查")
    assert basis.basis == "按时报送4/6个月；按期整改销号1/2项"


def test_proposals_take_the_same_queries_whatever_the_number_of_committees(
    django_assert_num_queries, half_records, town
) -> None:
    few = list(half_records)
    with django_assert_num_queries(9):
        propose(few, YEAR, HALF, TODAY)
    more = few + [make_committee(town=town) for _ in range(4)]
    for extra in more[3:]:
        make_inspection(extra, visited_on=datetime.date(2025, 2, 12))
        _submitted(extra, 2, 0)
    with django_assert_num_queries(9):
        proposals = propose(more, YEAR, HALF, TODAY)
    assert len(proposals) == 7


def _four_with_totals(committees: list) -> AssessmentRound:
    """Four committees with no records (equal proposals), adjusted to +2, +1, +1, +0."""
    round_ = _scored()
    for committee, extra in zip(committees, (2, 1, 1, 0), strict=True):
        if extra:
            assessment = round_.assessments.get(committee=committee)
            score = assessment.scores.get(criterion_name="党建工作")
            assessment_adjust(assessment=assessment, user=None,
                              entries={score.pk: (score.proposed + extra, "核实加分")})
    return round_


def test_ties_share_a_rank_and_the_next_rank_skips(
    committee, second_committee, other_committee, town
) -> None:
    fourth = make_committee(town=town)
    round_ = _four_with_totals([committee, second_committee, other_committee, fourth])
    ranks = dict(round_.assessments.values_list("committee_id", "rank"))
    assert [ranks[c.pk] for c in (committee, second_committee, other_committee, fourth)] == [
        1, 2, 2, 4]
    town_ranks = dict(round_.assessments.values_list("committee_id", "town_rank"))
    assert [town_ranks[c.pk] for c in (committee, second_committee, fourth)] == [1, 2, 3]
    assert town_ranks[other_committee.pk] == 1


def test_adjustment_needs_a_reason_and_says_so_on_its_field(half_records) -> None:
    a, _b, _c = half_records
    round_ = _scored()
    assessment = round_.assessments.get(committee=a)
    score = assessment.scores.get(criterion_name="党建工作")
    with pytest.raises(ValidationError) as error:
        assessment_adjust(assessment=assessment, entries={score.pk: (Decimal(19), "  ")},
                          user=None)
    assert error.value.message_dict == {
        f"s{score.pk}-reason": ["最终得分与建议分（17.0）不同，须填写调整理由。"]}
    score.refresh_from_db()
    assert (score.final, score.reason) == (Decimal("17.0"), "")


def test_adjusted_score_changes_total_and_survives_regeneration(half_records, department_user):
    a, _b, c = half_records
    round_ = _scored()
    assessment = round_.assessments.get(committee=c)
    score = assessment.scores.get(criterion_name="党建工作")
    assessment_adjust(assessment=assessment, user=department_user,
                      entries={score.pk: (Decimal("12.0"), "督查组补充评分")})
    assessment_generate(round_=round_, user=None, today=TODAY)
    score.refresh_from_db()
    assert (score.proposed, score.final, score.adjusted_by) == (
        Decimal("0.0"), Decimal("12.0"), department_user)
    results = dict(round_.assessments.values_list("committee_id", "total"))
    assert results[c.pk] == Decimal("50.3")
    assert round_.assessments.get(committee=c).rank == 1
    assert round_.assessments.get(committee=a).rank == 2


def test_closed_round_is_locked(half_records, client, department_user) -> None:
    a, _b, _c = half_records
    round_ = _scored()
    assessment_round_close(round_=round_, user=department_user, at=CLOSED_AT)
    assessment = round_.assessments.get(committee=a)
    score = assessment.scores.get(criterion_name="党建工作")
    with pytest.raises(ValidationError, match="已锁定"):
        assessment_generate(round_=round_, user=None, today=TODAY)
    with pytest.raises(ValidationError, match="已锁定"):
        assessment_adjust(assessment=assessment, entries={score.pk: (Decimal(1), "改")},
                          user=None)
    client.force_login(department_user)
    url = reverse("assessment_adjust", args=[round_.pk, a.code])
    response = client.post(url, {f"s{score.pk}-final": "1.0", f"s{score.pk}-reason": "改"})
    assert "2025年上半年考核已于2025-07-30关闭，结果已锁定。" in response.content.decode()
    score.refresh_from_db()
    assert score.final == Decimal("17.0")


def test_adjust_page_shows_the_error_on_the_reason_field_and_keeps_input(
    half_records, client, department_user
) -> None:
    a, _b, _c = half_records
    round_ = _scored()
    scores = {s.criterion_name: s for s in round_.assessments.get(committee=a).scores.all()}
    party, civil = scores["党建工作"], scores["乡风文明"]
    client.force_login(department_user)
    url = reverse("assessment_adjust", args=[round_.pk, a.code])
    data = {f"s{s.pk}-final": str(s.final) for s in scores.values()}
    data.update({f"s{party.pk}-final": "19.0", f"s{civil.pk}-final": "11"})
    response = client.post(url, data)
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) == {f"s{civil.pk}-final"}  # above its 10 points
    data[f"s{civil.pk}-final"] = "6.0"
    data[f"s{civil.pk}-reason"] = "文化活动经核实"
    response = client.post(url, data)
    form = response.context["form"]
    assert form.errors == {
        f"s{party.pk}-reason": ["最终得分与建议分（17.0）不同，须填写调整理由。"]}
    assert 'value="19.0"' in response.content.decode()
    data[f"s{party.pk}-reason"] = "组织生活记录规范，酌情加分"
    response = client.post(url, data)
    assert response.status_code == 302
    assert round_.assessments.get(committee=a).total == Decimal("50.5")


def test_outstanding_is_excellent_and_within_the_places(half_records) -> None:
    a, b, c = half_records
    round_ = _scored((35, 20, 5), places=1)
    results = {r.committee_id: r for r in round_.assessments.all()}
    assert {pk: r.grade for pk, r in results.items()} == {
        a.pk: Assessment.Grade.EXCELLENT, c.pk: Assessment.Grade.EXCELLENT,
        b.pk: Assessment.Grade.FAIR}
    # C is 优秀 too, but ranked second with one place.
    assert [pk for pk, r in results.items() if r.outstanding] == [a.pk]


def test_commendation_only_after_closing_and_for_outstanding(half_records) -> None:
    a, _b, c = half_records
    round_ = _scored((45, 30, 5))
    best = round_.assessments.get(committee=a)
    values = {"secretary": "王书记", "reward": "", "promotion": "提拔为街道办事处副主任",
              "given_on": datetime.date(2025, 8, 20), "user": None}
    with pytest.raises(ValidationError, match="考核关闭"):
        commendation_record(assessment=best, **values)
    assessment_round_close(round_=round_, user=None, at=CLOSED_AT)
    best.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        commendation_record(assessment=round_.assessments.get(committee=c), **values)
    assert "assessment" in error.value.message_dict
    done = commendation_record(assessment=best, **values)
    assert done.history.count() == 1 and done.committee == a


@pytest.fixture
def closed_round(half_records) -> AssessmentRound:
    a, _b, _c = half_records
    round_ = _scored((45, 30, 5))
    assessment_round_close(round_=round_, user=None, at=CLOSED_AT)
    commendation_record(assessment=round_.assessments.get(committee=a), secretary="王书记",
                        reward="通报表扬", promotion="", given_on=datetime.date(2025, 8, 20),
                        user=None)
    return round_


def test_summary_only_in_the_month_the_round_closed(closed_round, half_records) -> None:
    a, b, c = half_records
    assert assessment_summary(datetime.date(2025, 6, 1)) is None
    assert assessment_summary(datetime.date(2025, 8, 1)) is None
    summary = assessment_summary(datetime.date(2025, 7, 1))
    assert summary.round == closed_round and summary.count == 3
    assert summary.closed_on == datetime.date(2025, 7, 30)
    assert [(g.label, g.count, g.share) for g in summary.grades] == [
        ("优秀", 1, 33), ("良好", 1, 33), ("一般", 1, 33), ("较差", 0, 0)]
    assert [x.committee for x in summary.top] == [a, c, b]
    assert summary.bottom == []  # all three are already in the top ten
    assert [x.committee for x in summary.outstanding] == [a]
    assert [x.secretary for x in summary.commendations] == ["王书记"]
    town_only = assessment_summary(datetime.date(2025, 7, 1),
                                   committees=type(a).objects.filter(town=a.town))
    assert town_only.count == 2 and [x.rank for x in town_only.top] == [1, 3]


def test_open_round_gives_no_summary(half_records) -> None:
    _scored()
    assert assessment_summary(datetime.date(2025, 7, 1)) is None


def test_bottom_of_a_large_ranking_leaves_out_the_top(town) -> None:
    committees = [make_committee(town=town) for _ in range(12)]
    round_ = _scored()
    for n, committee in enumerate(committees):
        assessment = round_.assessments.get(committee=committee)
        score = assessment.scores.get(criterion_name="党建工作")
        assessment_adjust(assessment=assessment, user=None,
                          entries={score.pk: (Decimal(n), "核实")} if n else {})
    assessment_round_close(round_=round_, user=None, at=CLOSED_AT)
    summary = assessment_summary(datetime.date(2025, 7, 1))
    assert [x.rank for x in summary.top] == list(range(1, 11))
    assert [x.rank for x in summary.bottom] == [11, 12]


def test_bulletin_partial_prints_the_ranking_and_outstanding(closed_round, half_records):
    from django.template.loader import render_to_string

    a, _b, _c = half_records
    html = render_to_string("reports/bulletins/sections/s6_evaluations.html", {
        "data": {"assessments": assessment_summary(datetime.date(2025, 7, 1))},
        "section": {"anchor": "s6", "title": "六、民主评议与考核"},
    })
    assert "（二）联合党组织考核" in html and "六、民主评议与考核" in html
    assert "共考核联合党组织3个" in html and "评为优秀的1个，占33.3%" in html
    assert a.name in html and "王书记" in html and "通报表扬" in html


# Pages and who sees what -------------------------------------------------------------

def test_ranking_for_town_staff_is_their_town_and_leaders_get_no_scores(
    closed_round, half_records, client, town_user, leader_user, secretary_user
) -> None:
    a, b, c = half_records
    url = reverse("assessment_round_detail", args=[closed_round.pk])
    client.force_login(town_user)
    body = client.get(url).content.decode()
    assert a.name in body and b.name in body and c.name not in body
    client.force_login(leader_user)
    body = client.get(url).content.decode()
    assert all(x.name in body for x in (a, b, c))
    assert reverse("assessment_detail", args=[closed_round.pk, a.code]) not in body
    assert "王书记" not in body  # commendations name people
    assert client.get(reverse("assessment_detail", args=[closed_round.pk, a.code])
                      ).status_code == 404
    client.force_login(secretary_user)
    body = client.get(url).content.decode()
    assert a.name in body and b.name not in body
    detail = client.get(reverse("assessment_detail", args=[closed_round.pk, a.code]))
    assert "按时报送4/6个月" in detail.content.decode()


def test_ranking_filters_by_grade_and_town(closed_round, half_records, client, department_user):
    a, b, c = half_records
    client.force_login(department_user)
    url = reverse("assessment_round_detail", args=[closed_round.pk])

    def listed(params: dict) -> list:
        page = client.get(url, params).context["page"]
        return [x.committee for x in page.object_list]

    assert listed({"grade": "good"}) == [c]
    assert listed({"town": a.town.code}) == [a, b]
    assert listed({"outstanding": "1"}) == [a]
    assert listed({}) == [a, c, b]


def test_ranking_page_makes_a_fixed_number_of_queries(
    client, count_queries, department_user, half_records, town, django_assert_num_queries
) -> None:
    round_ = _scored()
    client.force_login(department_user)
    urls = [reverse("assessment_round_detail", args=[round_.pk]),
            reverse("assessment_round_list"),
            reverse("assessment_detail", args=[round_.pk, half_records[0].code])]
    small = [count_queries(u) for u in urls]
    for _ in range(5):
        make_committee(town=town)
    assessment_generate(round_=round_, user=None, today=TODAY)
    assert [count_queries(u) for u in urls] == small
    client.get(urls[0])
    with django_assert_num_queries(small[0]):
        client.get(urls[0], {"town": town.code, "grade": "poor", "page": "1"})


def test_department_opens_generates_and_closes_from_the_pages(
    half_records, client, department_user
) -> None:
    client.force_login(department_user)
    response = client.post(reverse("assessment_round_create"), {
        "year": 2025, "half": "first", "opened_on": "2025-07-05", "closes_on": "2025-07-30",
        "outstanding_count": 10, "excellent_from": 85, "good_from": 70, "fair_from": 60})
    round_ = AssessmentRound.objects.get()
    assert response.url == round_.get_absolute_url()
    client.post(reverse("assessment_generate", args=[round_.pk]))
    assert round_.assessments.count() == 3
    response = client.post(reverse("assessment_round_create"), {
        "year": 2025, "half": "first", "opened_on": "2025-07-05", "closes_on": "2025-07-30",
        "outstanding_count": 10, "excellent_from": 60, "good_from": 70, "fair_from": 50})
    assert "该半年的考核已经开启。" in str(response.context["form"].errors)
    assert "分数线须依次降低" in str(response.context["form"].errors)
    client.post(reverse("assessment_round_close", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.is_closed and round_.closed_by == department_user


def test_department_sees_who_adjusted_a_score_and_town_staff_do_not(
    half_records, client, department_user, town_user
) -> None:
    a, _b, _c = half_records
    round_ = _scored()
    assessment = round_.assessments.get(committee=a)
    score = assessment.scores.get(criterion_name="党建工作")
    assessment_adjust(assessment=assessment, user=department_user,
                      entries={score.pk: (Decimal("18.0"), "组织生活规范")})
    url = reverse("assessment_detail", args=[round_.pk, a.code])
    client.force_login(department_user)
    body = client.get(url).content.decode()
    assert "变更记录" in body and "组织生活规范" in body and department_user.username in body
    client.force_login(town_user)
    body = client.get(url).content.decode()
    assert "变更记录" not in body and "组织生活规范" in body


def test_regenerating_follows_changed_criteria(half_records) -> None:
    from evaluations.assessments.models import AssessmentCriterion

    a, _b, _c = half_records
    round_ = _scored()
    AssessmentCriterion.objects.filter(name="党建工作").update(max_points=Decimal(30))
    AssessmentCriterion.objects.filter(name="乡风文明").update(active=False)
    assessment_generate(round_=round_, user=None, today=TODAY)
    scores = _scores(round_, a)
    assert scores["党建工作"] == Decimal("25.5")  # 30 × 170/200
    assert "乡风文明" not in scores
    result = round_.assessments.get(committee=a)
    assert (result.total, result.max_total) == (Decimal("51.0"), Decimal("100.0"))
