"""Rendered fragments kept until the data changes ({% kept %}, twinning/templatetags/kept.py):
a kept page is the same page, costs fewer queries, and a change shows at the next request."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MonthlyUpdateFactory, make_committee

PAGES = ["home", "committee_list", "monthly_completeness", "dashboard", "outcomes_citywide",
         "monthly_queue"]
# Queries of a request that finds its fragments kept: the session, the user (with their role and
# unread notices), the data version, what the page shows outside its fragments. Before, in the
# benchmark's city: home 13 (town 15), committee list 8, completeness 10; the dashboard and the
# outcomes already read kept figures (6, 7) but unpickled and rendered them on every request.
# Then the role and the unread notices were one query each.
KEPT_QUERIES = {
    # The department's pages read its verified second factor (django-otp): one more.
    ("department", "home"): 4,
    ("department", "committee_list"): 4,
    ("department", "monthly_completeness"): 5,
    ("department", "dashboard"): 4,
    ("department", "outcomes_citywide"): 5,
    # The queue's count and its page of updates (with their attachments) are kept.
    ("department", "monthly_queue"): 4,
    ("town", "home"): 3,
    ("town", "committee_list"): 3,
    ("town", "monthly_completeness"): 3,
    ("town", "dashboard"): 3,
    ("town", "outcomes_citywide"): 4,
    ("town", "monthly_queue"): 3,
}
TOKENS = re.compile(r'(name="(csrfmiddlewaretoken|once)" value=")[^"]*"')


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _persona(request, persona: str):
    return request.getfixturevalue(f"{persona}_user")


@pytest.mark.parametrize("persona", ["department", "town"])
def test_a_kept_page_is_the_page_rendered_afresh(
    client, request, committee, other_committee, persona
) -> None:
    MonthlyUpdateFactory(committee=committee)  # a card in the review queue
    client.force_login(_persona(request, persona))
    for name in PAGES:
        url = reverse(name)
        caches["figures"].clear()
        fresh = client.get(url).content.decode()
        kept = client.get(url).content.decode()
        assert TOKENS.sub(r"\1", kept) == TOKENS.sub(r"\1", fresh), name


@pytest.mark.parametrize("persona", ["department", "town"])
def test_a_kept_page_makes_a_fixed_small_number_of_queries(
    client, request, committee, other_committee, persona
) -> None:
    MonthlyUpdateFactory(committee=committee)  # a card in the review queue
    client.force_login(_persona(request, persona))
    counts = {}
    for name in PAGES:
        url = reverse(name)
        caches["figures"].clear()
        fresh = _queries(client, url)
        counts[persona, name] = _queries(client, url)
        assert counts[persona, name] < fresh, name
    assert counts == {key: n for key, n in KEPT_QUERIES.items() if key[0] == persona}


def test_a_change_shows_at_the_next_request(client, town, committee, department_user) -> None:
    client.force_login(department_user)
    url = reverse("committee_list")
    assert "新加入的联合党总支" not in client.get(url).content.decode()
    make_committee(town=town, name="新加入的联合党总支")
    assert "新加入的联合党总支" in client.get(url).content.decode()


def test_a_fragment_is_kept_per_user_and_per_input(db, department_user, town_user) -> None:
    template = Template('{% load kept %}{% kept "probe" value %}{{ shown }}{% endkept %}')
    request = RequestFactory().get("/")

    def render(user, value, shown) -> str:
        request.user = user
        return template.render(Context({"request": request, "value": value, "shown": shown}))

    assert render(department_user, 1, "first") == "first"
    assert render(department_user, 1, "second") == "first"  # kept: nothing changed
    assert render(department_user, 2, "third") == "third"  # another input
    assert render(town_user, 1, "fourth") == "fourth"  # another user
