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
         "monthly_queue", "bulletin_list"]
# Queries of a request answered from the kept page (twinning/shared/kept_pages.py): the session,
# the user (with their role and unread notices), the data version; the department's pages also
# read the session's second-factor device (django-otp). Before the whole page was kept, in the
# same tests: completeness and outcomes one more, the bulletin list two more; before the
# fragments were kept, in the benchmark's city: home 13 (town 15), committee list 8,
# completeness 10.
KEPT_QUERIES = {("department", name): 4 for name in PAGES} | {("town", name): 3 for name in PAGES}
pytestmark = pytest.mark.usefixtures("kept_pages")
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


def _tokens(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for match in TOKENS.finditer(page):
        found.setdefault(match.group(2), []).append(match.group(0).rsplit('"', 2)[1])
    return found


def test_a_kept_page_carries_fresh_tokens_that_post(committee, town_user) -> None:
    from django.test import Client

    from twinning.monthly.models import MonthlyUpdate

    update = MonthlyUpdateFactory(committee=committee, status=MonthlyUpdate.Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(town_user)
    url = reverse("monthly_queue")
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.context is None and len(queries) == KEPT_QUERIES["town", "monthly_queue"]
    before, after = _tokens(first.content.decode()), _tokens(second.content.decode())
    assert after["once"] and len(after["once"]) == len(before["once"])
    assert not set(after["once"]) & set(before["once"])  # every form a token of its own
    assert len(set(after["once"])) == len(after["once"])
    posted = client.post(url, {"csrfmiddlewaretoken": after["csrfmiddlewaretoken"][0],
                               "once": after["once"][0], "action": "accept",
                               "ids": update.pk})
    assert posted.status_code == 302
    update.refresh_from_db()
    assert update.status == MonthlyUpdate.Status.ACCEPTED
    # The next showing is rendered afresh (the data changed) and shows the message once.
    shown = client.get(url).content.decode()
    assert 'class="messages"' in shown
    assert 'class="messages"' not in client.get(url).content.decode()


def test_a_role_changed_in_place_is_not_served_the_old_page(client, town_user) -> None:
    from twinning.shared.models import Profile, Role

    client.force_login(town_user)
    assert client.get(reverse("dashboard")).status_code == 200
    Profile.objects.filter(user=town_user).update(role=Role.SECRETARY)  # no history written
    assert client.get(reverse("dashboard")).status_code == 403


def test_a_page_that_showed_personal_data_is_not_kept(rf, town_user) -> None:
    from django.http import HttpResponse

    from twinning.shared.kept_pages import kept_page

    shown = []

    @kept_page
    def view(request):
        request.personal_data = True
        shown.append(1)
        return HttpResponse("<p>电话</p>")

    for _ in range(2):
        request = rf.get("/probe/")
        request.user = town_user
        assert view(request).content == "<p>电话</p>".encode()
    assert len(shown) == 2  # rendered, and its reading recorded, each time


def test_a_page_that_shows_a_message_is_rendered_each_time(client, department_user) -> None:
    client.force_login(department_user)
    for _ in range(2):
        response = client.get(reverse("dashboard"), {"period": "2024-13"})
        assert response.context is not None  # rendered, not answered from a kept page
        assert 'class="messages"' in response.content.decode()


def test_the_bulletin_list_is_not_kept_while_a_version_is_being_built(
    client, department_user
) -> None:
    import datetime

    from django.utils import timezone

    from reports.bulletins.models import Bulletin
    from tests.factories import BulletinFactory

    building = BulletinFactory(state=Bulletin.State.BUILDING, period=datetime.date(2026, 10, 1),
                               lease_until=timezone.now() + datetime.timedelta(minutes=5))
    client.force_login(department_user)
    url = reverse("bulletin_list")
    assert "生成中" in client.get(url).content.decode()
    # The worker finishes the build by an update that writes no history (no new data version).
    Bulletin.objects.filter(pk=building.pk).update(state=Bulletin.State.READY, lease_until=None)
    shown = client.get(url)
    assert "生成中" not in shown.content.decode() and "待发布" in shown.content.decode()
    assert client.get(url).context is None  # settled: kept from now on
