"""The permission matrix for writes: every URL of the site is POSTed by every role, on an object
in their reach and one outside it, with the form data a user of that page really submits.

- Where a role may not open a page, posting the department's own form data to it answers as
  the GET does (403 or 404), or 403/404 for POST-only URLs, and writes nothing.
- Where town staff or a secretary may write, they post the page's form filled in, and then
  every choice the department's form offers that theirs does not (an urban side in another
  town, another town's village...). After each write the members they can see are still
  within their scope (DESIGN §2: no user can widen their own reach).
"""

from typing import Any

import pytest
from django.urls import resolve, reverse

from branches.models import Branch, Member, Town
from tests.exchange_helpers import history_rows
from tests.factories import EnterpriseFactory, MemberFactory
from tests.matrix import ROLES, site_urls, url_kwargs
from tests.page_forms import PageForm, post_forms
from tests.test_permissions import EXPECTED
from twinning.shared import permissions

# Forms of the base layout, on every page: not the page's own write.
LAYOUT_ACTIONS = ("/i18n/setlang/", "/accounts/logout/")
# URLs that answer only POST (405 to a GET), by the roles that may post them.
POST_ONLY = {
    "bulletin_build": {"department"},
    "case_remove": {"department"},
    "review_round_roster": {"department"},
    "assessment_generate": {"department"},
    "advisor_rules": {"department"},
    "advisor_accept": {"department"},
    "advisor_reject": {"department"},
}
# How many foreign choices of one field are tried.
TRIED_CHOICES = 3


def _page_form(client: Any, url: str) -> PageForm | None:
    response = client.get(url)
    if response.status_code != 200 or response.streaming:
        return None
    if "text/html" not in response.get("Content-Type", ""):
        return None
    forms = [f for f in post_forms(response.content.decode())
             if not f.action.startswith(LAYOUT_ACTIONS)]
    return forms[0] if forms else None


def _target(form: PageForm | None, url: str) -> str:
    return form.action if form is not None and form.action else url


def _members(user: Any) -> set[int]:
    return set(permissions.visible(user, Member.objects.all()).values_list("pk", flat=True))


def _scope(user: Any, before: set[int]) -> set[int]:
    """What the user may see after any write: what they saw before, and for town staff the
    members of branches in their own towns (they may register new ones there)."""
    towns = permissions.visible(user, Town.objects.all())
    own = Member.objects.filter(branch__town__in=towns) \
        if permissions.can(user, "list_own_towns") else Member.objects.none()
    return before | set(own.values_list("pk", flat=True))


@pytest.fixture
def bait(sides, other_town) -> list[Member]:
    """Members a widening write would expose: in the other committee's urban branch and in a
    city-level enterprise that nobody offered to a town."""
    unit = EnterpriseFactory(name="市直诱饵企业")
    return [MemberFactory(branch=sides["other"].committee.urban, name="外镇城市党员"),
            MemberFactory(branch=unit, name="市直企业党员")]


def _post(client: Any, url: str, data: dict) -> Any:
    response = client.post(url, data)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_write_matrix(client, personas, sides, bait, name) -> None:
    pattern = dict(site_urls())[name]
    urls = {side: reverse(name, kwargs=url_kwargs(pattern, sides[side])) for side in EXPECTED[name]}
    client.force_login(personas["department"])
    department_forms = {side: _page_form(client, url) for side, url in urls.items()}
    wrong = []
    for role in ROLES:
        user = personas[role]
        for side, url in urls.items():
            refused_get = EXPECTED[name][side][role] in (403, 404, 405)
            allowed_post = role in POST_ONLY.get(name, set())
            if not refused_get or allowed_post:
                continue
            client.force_login(user)
            form = department_forms[side]
            before = history_rows()
            target = _target(form, url)
            response = _post(client, target, form.filled() if form else {})
            # A page's form may post to another URL (publish, a decision): judge by that one.
            rows = EXPECTED[resolve(target).url_name]
            expected = rows.get(side, rows["own"])[role]
            # A view that only reads answers any POST 405, whoever asks and for whatever object.
            denied = (403, 404, 405) if expected == 405 else (expected, 405)
            if response.status_code not in denied or history_rows() != before:
                wrong.append((role, side, url, response.status_code, expected))
    assert wrong == [], "(role, side, url, got, expected) — a refused write"

    for role in ("town", "secretary"):
        user = personas[role]
        if EXPECTED[name]["own"][role] != 200 and role not in POST_ONLY.get(name, set()):
            continue
        client.force_login(user)
        own = _page_form(client, urls["own"])
        if own is None:
            continue
        tries = [own.filled()]
        theirs = department_forms["own"]
        baits = {str(v) for m in bait for v in (m.branch_id, m.branch.code)}
        for field_name, field in own.fields.items():
            if not field.kind.startswith("select"):
                continue
            offered = theirs.fields.get(field_name, field).options if theirs else []
            foreign = [o for o in offered if o and o not in field.options]
            # The bait's branch wherever the user's own form or the department's offers it,
            # then a few other choices only the department has.
            chosen = [o for o in dict.fromkeys(field.options + offered) if o in baits]
            chosen += [o for o in foreign if o not in chosen][:TRIED_CHOICES]
            tries += [own.filled(**{field_name: value}) for value in chosen]
        before = _members(user)
        for data in tries:
            response = _post(client, _target(own, urls["own"]), data)
            assert response.status_code < 500, (role, name, data)
            widened = _members(user) - _scope(user, before)
            assert not widened, (role, name, data, list(
                Member.objects.filter(pk__in=widened).values_list("name", "branch__code")))


def test_the_bait_is_outside_every_persona_but_the_department(personas, bait) -> None:
    """The scope check above is meaningful only if the bait is really out of reach."""
    for role in ("town", "secretary", "inspector", "leader"):
        assert not _members(personas[role]) & {m.pk for m in bait}, role
    assert {m.pk for m in bait} <= _members(personas["department"])
    assert Branch.objects.filter(pk=bait[1].branch_id, town__isnull=True).exists()
