"""The democratic review's figures outside its pages: the 第八表 export and bulletin section
六."""

import datetime
import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.reviews import services
from evaluations.reviews.models import MemberReview, ReviewRound
from evaluations.reviews.selectors import review_summary, round_locked_in
from tests.factories import help_case, make_committee, open_review_round
from tests.review_helpers import populate, rate

R = MemberReview.Rating


# 第八表 ---------------------------------------------------------------------------------

def _table8(client, review_round) -> list[tuple]:
    response = client.get(reverse("review_round_table", args=[review_round.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_table8_has_the_round_pages_numbers(
    client, department_user, town_user, committee, other_committee
):
    populate(committee, 6)
    populate(other_committee, 3)
    review_round = open_review_round()
    rate(review_round, committee, [R.EXCELLENT, R.EXCELLENT, R.QUALIFIED, R.BASIC,
                                    R.UNQUALIFIED])
    rate(review_round, other_committee, [R.QUALIFIED, R.QUALIFIED, R.UNQUALIFIED])
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
    populate(committee, 1)
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
    members = populate(committee, 10)
    populate(other_committee, 3)
    review_round = open_review_round()
    rate(review_round, committee, [R.EXCELLENT] * 3 + [R.QUALIFIED] * 5 + [R.BASIC]
          + [R.UNQUALIFIED])
    rate(review_round, other_committee, [R.EXCELLENT, R.UNQUALIFIED])  # one left unrated
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

    html = render_to_string("reports/bulletins/sections/s6_evaluations.html", {
        "data": {"reviews": summary},
        "section": {"anchor": "s6", "title": "六、民主评议与考核"},
    })
    assert "参加评议党员12名" in html and "33.3%" in html
    assert unqualified.member.name not in html and helper.name not in html
