"""The foundation's pages: what each role sees, search and filters, and fixed query counts."""

import pytest
from django.urls import reverse

from tests.factories import MemberFactory, TownFactory, make_committee
from twinning.committees.models import JointCommittee


def _committees(town, n: int) -> list[JointCommittee]:
    kinds = ("residents", "enterprise", "department")
    return [make_committee(town=town, urban_kind=kinds[i % 3], villages=2 + i % 3)
            for i in range(n)]


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role_fixture", ["department_user", "town_user"])
def test_committee_list_makes_a_fixed_number_of_queries(
    client, request, town, role_fixture, django_assert_num_queries, figures_not_kept
) -> None:
    # Nothing kept between requests: both counts are those of rendering the list afresh
    # (a kept list is pinned in tests/test_kept_fragments.py).
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    _committees(town, 3)
    url = reverse("committee_list")
    client.get(url)  # warm the session
    small = _count_queries(client, url)
    _committees(town, 30)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25


def test_committee_detail_makes_a_fixed_number_of_queries(
    client, department_user, town, django_assert_num_queries
) -> None:
    client.force_login(department_user)
    small = make_committee(town=town, villages=2)
    large = make_committee(town=town, villages=4)
    # Both show officers, so both record one personal-data read.
    MemberFactory(branch=small.memberships.first().village, role="secretary")
    for membership in large.memberships.all():
        MemberFactory.create_batch(3, branch=membership.village, role="committee")
        MemberFactory(branch=membership.village, role="secretary")
    client.get(small.get_absolute_url())
    baseline = _count_queries(client, small.get_absolute_url())
    with django_assert_num_queries(baseline):
        response = client.get(large.get_absolute_url())
    officers = response.context["officers"]
    assert [o.title for o in officers].count("副书记") == 4
    assert [o.title for o in officers].count("委员") == 12


def test_committee_detail_shows_officers_as_design_derives_them(
    client, department_user, committee
) -> None:
    MemberFactory(branch=committee.urban, name="王书记", role="secretary")
    village = committee.memberships.first().village
    MemberFactory(branch=village, name="李支书", role="secretary")
    MemberFactory(branch=village, name="赵委员", role="committee")
    client.force_login(department_user)
    officers = client.get(committee.get_absolute_url()).context["officers"]
    assert [(o.title, o.member.name) for o in officers] == [
        ("书记", "王书记"), ("副书记", "李支书"), ("委员", "赵委员"),
    ]


def test_search_by_village_name_and_filters(client, department_user, town) -> None:
    first, second = _committees(town, 2)
    village = second.memberships.first().village
    client.force_login(department_user)
    page = client.get(reverse("committee_list"), {"q": village.name}).context["page"]
    assert [c.code for c in page.object_list] == [second.code]
    by_form = client.get(reverse("committee_list"), {"form": "village_enterprise"})
    assert [c.code for c in by_form.context["page"].object_list] == [second.code]
    elsewhere = TownFactory()
    by_town = client.get(reverse("committee_list"), {"town": elsewhere.code})
    assert "没有符合条件的联合党组织" in by_town.content.decode()


def test_dissolved_committees_are_filtered(client, department_user, committee) -> None:
    import datetime

    from twinning.committees.services import committee_dissolve

    committee_dissolve(committee=committee, dissolved_on=datetime.date(2025, 6, 30), reason="调整")
    client.force_login(department_user)
    active = client.get(reverse("committee_list")).context["page"].object_list
    dissolved = client.get(reverse("committee_list"), {"status": "dissolved"})
    assert committee not in list(active)
    assert list(dissolved.context["page"].object_list) == [committee]


def test_pagination_survives_a_bad_page_number(client, department_user, town) -> None:
    _committees(town, 3)
    client.force_login(department_user)
    response = client.get(reverse("committee_list"), {"page": "abc"})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_home_shows_each_role_what_it_needs_first(
    client, department_user, town_user, secretary_user, inspector_user, leader_user,
    committee, second_committee, other_committee,
) -> None:
    client.force_login(department_user)
    headline = client.get(reverse("home")).context["headline"]
    assert headline.committees == 3
    assert headline.villages_joined == 6

    client.force_login(town_user)
    response = client.get(reverse("home"))
    assert response.context["headline"].committees == 2
    assert {c.code for c in response.context["my_committees"]} == {
        committee.code, second_committee.code}

    client.force_login(secretary_user)
    response = client.get(reverse("home"))
    assert [c.code for c in response.context["my_committees"]] == [committee.code]
    assert "headline" not in response.context

    client.force_login(inspector_user)
    response = client.get(reverse("home"))
    assert len(response.context["my_committees"]) == 2

    client.force_login(leader_user)
    response = client.get(reverse("home"))
    assert response.context["headline"].committees == 3
    assert "联合党组织" in response.content.decode()


def test_village_leaves_with_confirmation_and_history(
    client, department_user, town
) -> None:
    committee = make_committee(town=town, villages=3)
    village = committee.memberships.first().village
    client.force_login(department_user)
    url = reverse("committee_remove_village", args=[committee.code, village.code])
    confirm = client.get(url)
    assert "确认" in confirm.content.decode()
    response = client.post(url, {"date": "2025-05-01", "reason": "区划调整"})
    assert response.status_code == 302
    membership = committee.memberships.get(village=village)
    assert membership.left_on.isoformat() == "2025-05-01"
    detail = client.get(committee.get_absolute_url()).content.decode()
    assert "区划调整" in detail


def test_rule_breaking_shows_the_message_and_saves_nothing(
    client, department_user, committee
) -> None:
    village = committee.memberships.first().village
    client.force_login(department_user)
    url = reverse("committee_remove_village", args=[committee.code, village.code])
    response = client.post(url, {"date": "2025-05-01", "reason": "测试"})
    assert response.status_code == 200
    assert "至少须有2个村" in response.content.decode()
    assert committee.memberships.filter(left_on__isnull=True).count() == 2


@pytest.mark.django_db
def test_every_page_names_an_icon_that_is_served(client) -> None:
    # Without one, browsers ask for /favicon.ico on every visit and log the 404 as an error.
    import re

    from django.contrib.staticfiles import finders

    body = client.get(reverse("login")).content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', body)
    assert icon and finders.find(icon.group(1)), body[:600]
