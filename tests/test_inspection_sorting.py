"""The inspection and rectification lists sort by their column headers as the committee list
does (twinning/shared/sorting.py): both ways, keeping the filters and the pages, only
whitelisted keys, and a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.inspections.services import rectification_close, rectification_submit
from tests.factories import make_inspection

DAY = datetime.date(2025, 3, 12)


def _due(days: int) -> dict:
    """An item due `days` after a day later than every inspection here."""
    return {"due_on": DAY + datetime.timedelta(days=200 + days)}


@pytest.fixture
def inspected(committee, second_committee, other_committee, department_user):
    """Three inspections: scores 18, 10, 15; visited in March, May, April; one item each,
    due last, first and second, the first closed and the second's evidence in."""
    found = {
        "high": make_inspection(committee, visited_on=DAY, score=Decimal(18),
                                items=[_due(40)]),
        "low": make_inspection(other_committee, visited_on=DAY + datetime.timedelta(days=57),
                               score=Decimal(10), items=[_due(10)]),
        "mid": make_inspection(second_committee, visited_on=DAY + datetime.timedelta(days=39),
                               score=Decimal(15), items=[_due(25)]),
    }
    high, low = (found[k].rectifications.get() for k in ("high", "low"))
    rectification_submit(rectification=high, evidence="已整改", user=department_user)
    rectification_close(rectification=high, closed_on=DAY + datetime.timedelta(days=30),
                        note="核实", user=department_user)
    rectification_submit(rectification=low, evidence="已整改", user=department_user)
    return found


def _rows(client, name: str, **query: str) -> list:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_inspection_list_sorts_by_score_date_and_town_both_ways(
    client, department_user, inspected
) -> None:
    client.force_login(department_user)
    high, low, mid = (inspected[k].pk for k in ("high", "low", "mid"))
    for key, ascending in (("total", [low, mid, high]), ("visited_on", [high, mid, low]),
                           ("town", [low, high, mid])):
        assert [i.pk for i in _rows(client, "inspection_list", sort=key)] == ascending, key
        down = [i.pk for i in _rows(client, "inspection_list", sort=f"-{key}")]
        assert down == ascending[::-1], key


def test_rectification_list_sorts_by_due_date_and_state_both_ways(
    client, department_user, inspected
) -> None:
    client.force_login(department_user)
    items = {k: inspected[k].rectifications.get().pk for k in inspected}
    by_due = [items["low"], items["mid"], items["high"]]
    assert [r.pk for r in _rows(client, "rectification_list", sort="due_on")] == by_due
    assert [r.pk for r in _rows(client, "rectification_list", sort="-due_on")] == by_due[::-1]
    # By state: 整改中, then 待销号确认, then 已销号.
    by_state = [items["mid"], items["low"], items["high"]]
    assert [r.pk for r in _rows(client, "rectification_list", sort="status")] == by_state
    assert [r.pk for r in _rows(client, "rectification_list", sort="-status")] == by_state[::-1]


@pytest.mark.parametrize("name", ["inspection_list", "rectification_list"])
def test_an_unknown_sort_key_is_ignored(client, department_user, inspected, name) -> None:
    client.force_login(department_user)
    plain = [r.pk for r in _rows(client, name)]
    for sort in ("committee__secretary", "-password", "recorded_by__password", "-", "total;",
                 "rectifications__description", "inspection__committee__urban__members"):
        assert [r.pk for r in _rows(client, name, sort=sort)] == plain, sort


def test_headers_and_pages_keep_the_sort_and_the_filters(
    client, department_user, inspected, settings
) -> None:
    settings.PAGE_SIZE = 1
    client.force_login(department_user)
    response = client.get(reverse("inspection_list"), {"sort": "-total", "town": "T-MZ"})
    body = response.content.decode()
    assert [i.pk for i in response.context["page"].object_list] == [inspected["high"].pk]
    # The sorted column offers the other way; the others ascending; both keep the town.
    assert 'aria-sort="descending"' in body
    assert 'href="?sort=total&amp;town=T-MZ"' in body
    assert 'href="?sort=visited_on&amp;town=T-MZ"' in body
    # The next page keeps the sort and the filter; a new filter keeps the sort.
    assert 'href="?sort=-total&amp;town=T-MZ&amp;page=2"' in body
    assert '<input type="hidden" name="sort" value="-total">' in body
    second = client.get(reverse("inspection_list"), {"sort": "-total", "town": "T-MZ",
                                                     "page": "2"})
    assert [i.pk for i in second.context["page"].object_list] == [inspected["mid"].pk]
    body = client.get(reverse("rectification_list"), {"sort": "due_on", "overdue": "on"}
                      ).content.decode()
    assert 'aria-sort="ascending"' in body
    assert 'href="?sort=-due_on&amp;overdue=on"' in body


@pytest.mark.parametrize(("name", "sort"), [
    ("inspection_list", "-town"), ("inspection_list", "items"), ("inspection_list", "committee"),
    ("rectification_list", "status"), ("rectification_list", "-committee"),
    ("rectification_list", "owner"),
])
def test_a_sorted_list_makes_a_fixed_number_of_queries(
    client, count_queries, department_user, committee, other_committee, name, sort
) -> None:
    client.force_login(department_user)
    url = f"{reverse(name)}?sort={sort}"
    make_inspection(committee, visited_on=DAY, items=[_due(10)])
    client.get(url)  # warm caches (session, policy)
    small = count_queries(url)
    for n in range(1, 6):
        make_inspection(other_committee, visited_on=DAY + datetime.timedelta(days=31 * n),
                        items=[_due(n), _due(n + 1)])
    assert count_queries(url) == small
