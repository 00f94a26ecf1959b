"""The inspection, rectification and meeting pages make a fixed number of queries, whatever the
number of rows behind them."""

import datetime

import pytest
from django.urls import reverse

from evaluations.inspections.services import (
    rectification_close,
    rectification_return,
    rectification_submit,
)
from tests.factories import make_committee, make_inspection, make_meeting
from twinning.meetings.services import action_item_answer, action_item_complete
from twinning.shared.periods import add_months

FIRST = datetime.date(2025, 1, 6)


def _month(n: int) -> datetime.date:
    return add_months(FIRST, n) + datetime.timedelta(days=5)


def _inspections(committees: list, months: range, items: int = 1) -> list:
    return [make_inspection(c, visited_on=_month(n), items=[{}] * items)
            for c in committees for n in months]


def _followed(inspection, user) -> None:
    """Every item of the inspection submitted, returned, submitted again and closed."""
    for item in inspection.rectifications.all():
        rectification_submit(rectification=item, evidence="已整改", user=user)
        rectification_return(rectification=item, reason="材料不全", user=user)
        rectification_submit(rectification=item, evidence="已补齐", user=user)
        rectification_close(rectification=item, closed_on=item.inspection.visited_on
                            + datetime.timedelta(days=20), note="核实", user=user)


@pytest.mark.parametrize("role", ["department_user", "town_user", "inspector_user"])
@pytest.mark.parametrize(("url_name", "filters"), [
    ("inspection_list", "?month=2025-02&town=T-MZ&q=JC"),
    ("rectification_list", "?overdue=on&state=open&town=T-MZ&q=JC&due_before=2030-01-01"),
])
def test_lists_make_a_fixed_number_of_queries(
    client, request, count_queries, committee, second_committee, role, url_name, filters
) -> None:
    client.force_login(request.getfixturevalue(role))
    url = reverse(url_name)
    _inspections([committee], range(2))
    client.get(url)
    small, small_filtered = count_queries(url), count_queries(url + filters)
    _inspections([committee, second_committee], range(2, 16), items=2)
    _inspections([second_committee], range(1, 2), items=2)
    assert (count_queries(url), count_queries(url + filters)) == (small, small_filtered)


def test_inspection_and_rectification_pages_make_a_fixed_number_of_queries(
    client, count_queries, department_user, committee
) -> None:
    small = make_inspection(committee, visited_on=_month(0), items=[{}])
    large = make_inspection(committee, visited_on=_month(1), items=[{}] * 6)
    _followed(small, department_user)
    _followed(large, department_user)
    client.force_login(department_user)
    for name in ("inspection_detail", "inspection_edit"):
        assert count_queries(reverse(name, args=[small.pk])) == count_queries(
            reverse(name, args=[large.pk])), name
    one, other = small.rectifications.get(), large.rectifications.first()
    assert count_queries(reverse("rectification_detail", args=[one.pk])) == count_queries(
        reverse("rectification_detail", args=[other.pk]))


def test_inspection_form_with_many_open_items_makes_a_fixed_number_of_queries(
    client, count_queries, inspector_user, committee
) -> None:
    small = make_inspection(committee, visited_on=_month(0), items=[{}])
    large = make_inspection(committee, visited_on=_month(1), items=[{}] * 8)
    client.force_login(inspector_user)
    assert count_queries(reverse("inspection_edit", args=[small.pk])) == count_queries(
        reverse("inspection_edit", args=[large.pk]))
    assert count_queries(reverse("inspection_create"))  # one page, whatever was inspected


@pytest.mark.parametrize("role", ["department_user", "secretary_user"])
def test_meeting_pages_make_a_fixed_number_of_queries(
    client, request, count_queries, secretary_user, committee, second_committee, role
) -> None:
    small = make_meeting(held_on=datetime.date(2025, 1, 20), items=[{"committee": committee}])
    action_item_answer(item=small.action_items.get(), answer="已办理", user=secretary_user)
    client.force_login(request.getfixturevalue(role))
    urls = [reverse("meeting_list"), reverse("action_item_list"),
            reverse("action_item_list") + "?answer=answered&state=open"]
    counts = [count_queries(url) for url in urls]
    large = None
    for n in range(1, 14):
        large = make_meeting(held_on=add_months(datetime.date(2025, 1, 20), n), items=[
            {"committee": committee}, {"committee": second_committee}, {}])
        # Answered items show who answered.
        for item in large.action_items.filter(committee=committee):
            action_item_answer(item=item, answer="已办理", user=secretary_user)
    action_item_complete(item=large.action_items.last(), done_on=large.held_on, result="完成")
    assert [count_queries(url) for url in urls] == counts
    names = ["meeting_detail", "meeting_edit"] if role == "department_user" else [
        "meeting_detail"]
    for name in names:
        assert count_queries(reverse(name, args=[small.pk])) == count_queries(
            reverse(name, args=[large.pk])), name


@pytest.mark.parametrize(
    "role", ["department_user", "town_user", "secretary_user", "inspector_user", "leader_user"]
)
def test_home_makes_a_fixed_number_of_queries(
    client, request, count_queries, committee, second_committee, role
) -> None:
    client.force_login(request.getfixturevalue(role))
    _inspections([committee], range(1))
    make_meeting()
    client.get(reverse("home"))
    small = count_queries(reverse("home"))
    for _ in range(3):
        make_committee(town=committee.town)
    _inspections([committee, second_committee], range(1, 6), items=2)
    make_meeting(held_on=datetime.date(2025, 4, 20), items=[{}, {}])
    assert count_queries(reverse("home")) == small
