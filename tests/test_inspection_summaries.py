"""The bulletin's inspection figures (DESIGN §4 三、督查情况): scores and ranking by town, top
and bottom, rectification items opened, closed and overdue in a month."""

import datetime
from decimal import Decimal

from evaluations.inspections.selectors import (
    TownScores,
    inspection_summary,
    rectification_summary,
    scoring_lines,
)
from evaluations.inspections.services import rectification_close
from tests.factories import TownFactory, make_committee, make_inspection
from twinning.committees.models import JointCommittee

MARCH = datetime.date(2025, 3, 1)
TODAY = datetime.date(2025, 6, 1)


def _scored(committee: JointCommittee, total: str) -> None:
    """An inspection in March 2025 whose five scores add up to `total` (the last one takes the
    rest of what four 17s leave)."""
    last = Decimal(total) - 4 * 17
    assert 0 <= last <= 20
    ids = [line.criterion_id for line in scoring_lines()]
    make_inspection(committee, visited_on=datetime.date(2025, 3, 12),
                    scores={**dict.fromkeys(ids[:4], Decimal(17)), ids[4]: last})


def test_scores_by_town_with_ties_top_bottom_and_committees_not_inspected(
    committee, second_committee, other_committee, town, other_town
) -> None:
    third = make_committee(town=town)
    fourth = make_committee(town=other_town)
    lonely_town = TownFactory(code="T-ZZ", name="测试昌城镇")
    lonely = make_committee(town=lonely_town)
    quiet_town = TownFactory(code="T-QQ", name="测试百尺河镇")
    make_committee(town=quiet_town)
    _scored(committee, "88")
    _scored(second_committee, "77")
    _scored(other_committee, "85.5")
    _scored(fourth, "79.5")
    _scored(lonely, "80.5")
    make_inspection(third, visited_on=datetime.date(2025, 4, 2))  # another month

    summary = inspection_summary(MARCH, JointCommittee.objects.all(), extremes=2)

    assert (summary.committees, summary.inspected, summary.not_inspected) == (7, 5, 2)
    # (88 + 77 + 85.5 + 79.5 + 80.5) / 5 = 82.1
    assert (summary.average, summary.highest, summary.lowest) == (
        Decimal("82.1"), Decimal("88.0"), Decimal("77.0"))
    assert summary.by_town == [
        # 密州 (88 + 77) / 2 = 82.5 and 龙都 (85.5 + 79.5) / 2 = 82.5 share the first place.
        TownScores("测试密州街道", 3, 2, Decimal("82.5"), Decimal("88.0"), Decimal("77.0"), 1),
        TownScores("测试龙都街道", 2, 2, Decimal("82.5"), Decimal("85.5"), Decimal("79.5"), 1),
        TownScores("测试昌城镇", 1, 1, Decimal("80.5"), Decimal("80.5"), Decimal("80.5"), 3),
        TownScores("测试百尺河镇", 1, 0, None, None, None, None),
    ]
    assert [i.committee for i in summary.top] == [committee, other_committee]
    assert [i.committee for i in summary.bottom] == [second_committee, fourth]


def test_summary_of_one_towns_committees(committee, other_committee, town) -> None:
    _scored(committee, "86")
    _scored(other_committee, "70")
    summary = inspection_summary(MARCH, JointCommittee.objects.filter(town=town))
    assert (summary.committees, summary.inspected, summary.average) == (1, 1, Decimal("86.0"))
    assert [t.town for t in summary.by_town] == ["测试密州街道"]


def test_a_month_without_inspections(committee) -> None:
    summary = inspection_summary(MARCH, JointCommittee.objects.all())
    assert (summary.inspected, summary.average, summary.top, summary.bottom) == (0, None, [], [])
    assert summary.by_town[0].rank is None


def _items(committee: JointCommittee, visited_on: datetime.date, *due: datetime.date) -> list:
    inspection = make_inspection(committee, visited_on=visited_on,
                                 items=[{"due_on": d} for d in due])
    return list(inspection.rectifications.order_by("pk"))


def _close(item, day: datetime.date) -> None:
    rectification_close(rectification=item, closed_on=day, note="核实", today=TODAY)


def test_rectifications_opened_closed_and_overdue_in_a_month(
    committee, second_committee, other_committee, town
) -> None:
    d = datetime.date
    # Raised in March: closed on time in March; closed late in April; open, due in April;
    # open, due on 31 March (not overdue on the 31st itself).
    a, b, c, e = _items(committee, d(2025, 3, 12), d(2025, 3, 20), d(2025, 3, 25),
                        d(2025, 4, 10), d(2025, 3, 31))
    _close(a, d(2025, 3, 18))
    _close(b, d(2025, 4, 2))
    # Raised in February: closed late in March; still open; closed in February.
    f, g, h = _items(second_committee, d(2025, 2, 10), d(2025, 3, 10), d(2025, 2, 28),
                     d(2025, 2, 20))
    _close(f, d(2025, 3, 15))
    _close(h, d(2025, 2, 25))
    # Raised in April: nothing to do with March.
    _items(committee, d(2025, 4, 3), d(2025, 4, 30))
    # Another town's item, for the town's own figures.
    _items(other_committee, d(2025, 3, 5), d(2025, 3, 15))

    city = rectification_summary(MARCH, JointCommittee.objects.all(), TODAY)
    assert (city.opened, city.closed, city.closed_on_time, city.closed_late) == (5, 2, 1, 1)
    # On 31 March: b (due 25 March, closed 2 April), g (due 28 February) and the other town's.
    assert (city.overdue, city.open_at_end, city.as_of) == (3, 5, d(2025, 3, 31))

    mine = rectification_summary(MARCH, JointCommittee.objects.filter(town=town), TODAY)
    assert (mine.opened, mine.closed, mine.overdue, mine.open_at_end) == (4, 2, 2, 4)


def test_the_current_month_is_counted_as_of_today(committee) -> None:
    d = datetime.date
    _items(committee, d(2025, 4, 1), d(2025, 4, 3), d(2025, 4, 30))
    summary = rectification_summary(d(2025, 4, 1), JointCommittee.objects.all(), d(2025, 4, 10))
    assert (summary.as_of, summary.opened, summary.overdue, summary.open_at_end) == (
        d(2025, 4, 10), 2, 1, 2)


def test_summaries_are_counted_in_a_fixed_number_of_queries(
    committee, second_committee, other_committee, django_assert_num_queries
) -> None:
    _scored(committee, "86")
    committees = JointCommittee.objects.all()
    with django_assert_num_queries(5):
        inspection_summary(MARCH, committees)
    with django_assert_num_queries(1):
        rectification_summary(MARCH, committees, TODAY)
    for extra in (second_committee, other_committee):
        _scored(extra, "80")
        _items(extra, datetime.date(2025, 2, 14), datetime.date(2025, 3, 20))
    with django_assert_num_queries(5):
        inspection_summary(MARCH, committees)
    with django_assert_num_queries(1):
        rectification_summary(MARCH, committees, TODAY)
