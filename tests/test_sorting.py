"""Sortable lists (twinning/shared/sorting.py): a column header orders the list, keeps the
filters, only whitelisted keys count, and a page still makes a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import JointCommitteeFactory, MemberFactory, TownFactory, VillageFactory
from twinning.committees.models import JointCommittee


def _names(response) -> list[str]:
    return [obj.name for obj in response.context["page"].object_list]


def test_committee_list_sorts_by_town_both_ways_and_keeps_filters(
    client, department_user
) -> None:
    b, a = TownFactory(code="T-B", name="乙镇"), TownFactory(code="T-A", name="甲镇")
    JointCommitteeFactory(code="C1", name="一号联合党总支", town=b)
    JointCommitteeFactory(code="C2", name="二号联合党总支", town=a)
    JointCommitteeFactory(code="C3", name="三号联合党总支", town=a)
    JointCommittee.objects.filter(code="C3").update(dissolved_on=datetime.date(2025, 1, 1))
    client.force_login(department_user)
    up = client.get(reverse("committee_list"), {"sort": "town", "status": "active"})
    down = client.get(reverse("committee_list"), {"sort": "-town", "status": "active"})
    assert _names(up) == ["二号联合党总支", "一号联合党总支"]
    assert _names(down) == ["一号联合党总支", "二号联合党总支"]
    body = up.content.decode()
    # The header links toggle the order, keep the filters and go back to the first page.
    assert 'aria-sort="ascending"' in body
    assert 'href="?sort=-town&amp;status=active"' in body
    assert 'href="?sort=name&amp;status=active"' in body


def test_an_unknown_sort_key_is_ignored(client, department_user) -> None:
    town = TownFactory()
    JointCommitteeFactory(code="C2", name="乙联合党总支", town=town)
    JointCommitteeFactory(code="C1", name="甲联合党总支", town=town)
    client.force_login(department_user)
    plain = _names(client.get(reverse("committee_list")))
    for sort in ("urban__secretary", "-password", "members__phone"):
        assert _names(client.get(reverse("committee_list"), {"sort": sort})) == plain


def test_branch_list_sorts_by_member_count(client, department_user, town) -> None:
    few, many = VillageFactory(town=town, name="少村"), VillageFactory(town=town, name="多村")
    MemberFactory.create_batch(3, branch=many)
    MemberFactory(branch=few)
    client.force_login(department_user)
    names = _names(client.get(reverse("branch_list"), {"sort": "-members", "q": "村"}))
    assert names.index("多村") < names.index("少村")
    names = _names(client.get(reverse("branch_list"), {"sort": "members", "q": "村"}))
    assert names.index("少村") < names.index("多村")


def test_member_list_sorts_by_name(client, department_user, town) -> None:
    village = VillageFactory(town=town)
    for name in ("王五", "李四", "张三"):
        MemberFactory(branch=village, name=name)
    client.force_login(department_user)
    names = _names(client.get(reverse("member_list"), {"sort": "-joined_on"}))
    assert sorted(names) == ["张三", "李四", "王五"]
    asc = _names(client.get(reverse("member_list"), {"sort": "name"}))
    assert asc == sorted(asc)
    assert _names(client.get(reverse("member_list"), {"sort": "-name"})) == asc[::-1]


@pytest.mark.parametrize("name,sort", [("committee_list", "-urban"), ("branch_list", "-members"),
                                       ("member_list", "branch")])
def test_a_sorted_page_makes_a_fixed_number_of_queries(
    client, department_user, town, django_assert_num_queries, figures_not_kept, name, sort
) -> None:
    # Nothing kept between requests ({% kept %}): both counts are those of reading the list.
    JointCommitteeFactory(town=town)
    MemberFactory(branch=VillageFactory(town=town))
    client.force_login(department_user)
    client.get(reverse(name), {"sort": sort})  # warm caches (session, policy)
    with django_assert_num_queries(_count(client, name, sort)) as small:
        client.get(reverse(name), {"sort": sort})
    for _ in range(5):
        JointCommitteeFactory(town=town)
        MemberFactory.create_batch(2, branch=VillageFactory(town=town))
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse(name), {"sort": sort})


def _count(client, name: str, sort: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(name), {"sort": sort})
    return len(queries)


@pytest.mark.parametrize("name", ["committee_list", "branch_list", "member_list"])
def test_the_filter_form_keeps_the_chosen_order(client, department_user, name) -> None:
    client.force_login(department_user)
    body = client.get(reverse(name), {"sort": "-name"}).content.decode()
    form = re.search(r'<form class="filters".*?</form>', body, re.S).group(0)
    assert '<input type="hidden" name="sort" value="-name">' in form
    unsorted = client.get(reverse(name)).content.decode()
    assert 'name="sort"' not in re.search(r'<form class="filters".*?</form>', unsorted,
                                          re.S).group(0)
