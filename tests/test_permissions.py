"""The permission matrix of DESIGN §2, over every URL of the site.

`EXPECTED` names, for each URL pattern, the response each persona gets for an object in their
reach ("own") and one outside it ("other"). The URL configuration is walked, so a new URL
without a row here fails `test_every_url_has_expectations` and cannot be forgotten.
"""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from branches.models import Branch, Member
from tests.factories import MemberFactory
from twinning.models import JointCommittee

ROLES = ("department", "town", "secretary", "inspector", "leader")
ALL_OK = dict.fromkeys(ROLES, 200)

# url name -> {"own": {role: status}, "other": {role: status}}; GET requests.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "home": {"own": ALL_OK},
    "committee_list": {"own": {**ALL_OK, "leader": 403}},
    "committee_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "committee_detail": {
        "own": {**ALL_OK, "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
    "branch_list": {"own": {**ALL_OK, "leader": 403}},
    "branch_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "branch_detail": {
        "own": {**ALL_OK, "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
    "member_list": {
        "own": {"department": 200, "town": 200, "secretary": 200, "inspector": 403,
                "leader": 403},
    },
    "member_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "member_detail": {
        "own": {"department": 200, "town": 200, "secretary": 200, "inspector": 404,
                "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
}
CHANGE = {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 404}
CHANGE_OTHER = {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                "leader": 404}
MEMBER_CHANGE = {**CHANGE, "inspector": 404}
for _name in ("committee_edit", "committee_add_village", "committee_remove_village",
              "committee_dissolve", "branch_edit"):
    EXPECTED[_name] = {"own": CHANGE, "other": CHANGE_OTHER}
EXPECTED["member_edit"] = {"own": MEMBER_CHANGE, "other": CHANGE_OTHER}

# Spreadsheet exchange: importing is for department and town staff; an export answers like the
# list it exports (towns have no list page: department only).
STAFF_ONLY = {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 403}
EXPECTED["exchange_import"] = {"own": STAFF_ONLY}
EXPECTED["exchange_template"] = {"own": STAFF_ONLY}
EXPECTED["exchange_confirm"] = {"own": {**STAFF_ONLY, "department": 302, "town": 302}}
EXPECTED["export_towns"] = {"own": {**dict.fromkeys(ROLES, 403), "department": 200}}
EXPECTED["export_branches"] = EXPECTED["branch_list"]
EXPECTED["export_members"] = EXPECTED["member_list"]
EXPECTED["export_committees"] = EXPECTED["committee_list"]

# Views that belong to Django or to other packages and guard themselves.
FOREIGN_PREFIXES = ("admin:",)
FOREIGN_NAMES = {"login", "logout", "set_language"}


def _names(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            found.extend(_names(p.url_patterns, prefix + ns))
        elif p.name:
            found.append((prefix + p.name, p))
    return found


def site_urls() -> list[tuple[str, URLPattern]]:
    return [
        (name, p) for name, p in _names(get_resolver().url_patterns)
        if not name.startswith(FOREIGN_PREFIXES) and name not in FOREIGN_NAMES
    ]


def _kwargs(pattern: URLPattern, committee: JointCommittee, member: Member) -> dict[str, Any]:
    village = committee.memberships.first().village
    values = {"code": committee.code, "village_code": village.code, "pk": member.pk,
              "kind": "members", "fmt": "xlsx"}
    name = pattern.name or ""
    if name.startswith("branch_"):
        values["code"] = village.code
    return {key: values[key] for key in pattern.pattern.converters}


@pytest.fixture
def personas(department_user, town_user, secretary_user, inspector_user, leader_user):
    return {
        "department": department_user, "town": town_user, "secretary": secretary_user,
        "inspector": inspector_user, "leader": leader_user,
    }


@pytest.fixture
def members(committee: JointCommittee, other_committee: JointCommittee) -> dict[str, Member]:
    return {
        "own": MemberFactory(branch=committee.memberships.first().village),
        "other": MemberFactory(branch=other_committee.memberships.first().village),
    }


def test_every_url_has_expectations() -> None:
    missing = [name for name, _ in site_urls() if name not in EXPECTED]
    assert missing == [], f"URLs with no permission expectations: {missing}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anonymous_is_sent_to_login(client, committee, members, name) -> None:
    pattern = dict(site_urls())[name]
    url = reverse(name, kwargs=_kwargs(pattern, committee, members["own"]))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(
    client, personas, committee, other_committee, members, name, role
) -> None:
    pattern = dict(site_urls())[name]
    client.force_login(personas[role])
    for side, target in (("own", committee), ("other", other_committee)):
        if side not in EXPECTED[name]:
            continue
        url = reverse(name, kwargs=_kwargs(pattern, target, members[side]))
        response = client.get(url)
        assert response.status_code == EXPECTED[name][side][role], (side, url)


def test_lists_show_only_what_the_user_may_see(
    client, personas, committee, other_committee
) -> None:
    expectations = {
        "department": (True, True), "town": (True, False),
        "secretary": (True, False), "inspector": (True, False),
    }
    for role, (sees_own, sees_other) in expectations.items():
        client.force_login(personas[role])
        body = client.get(reverse("committee_list")).content.decode()
        assert (committee.name in body) is sees_own, role
        assert (other_committee.name in body) is sees_other, role
        branches = client.get(reverse("branch_list"), {"kind": "village"}).content.decode()
        assert (committee.memberships.first().village.name in branches) is sees_own, role
        assert (other_committee.memberships.first().village.name in branches) is sees_other


def test_member_names_hidden_from_inspectors_on_committee_page(
    client, inspector_user, secretary_user, committee
) -> None:
    village = committee.memberships.first().village
    MemberFactory(branch=village, name="张测试", role=Member.Role.SECRETARY)
    client.force_login(secretary_user)
    assert "张测试" in client.get(committee.get_absolute_url()).content.decode()
    client.force_login(inspector_user)
    assert "张测试" not in client.get(committee.get_absolute_url()).content.decode()
    assert "张测试" not in client.get(village.get_absolute_url()).content.decode()


def test_secretary_cannot_change_committee_by_post(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    response = client.post(
        reverse("committee_edit", args=[committee.code]),
        {"name": "改名", "urban": committee.urban_id, "formation": "voluntary",
         "established_on": "2024-01-01"},
    )
    assert response.status_code == 403
    committee.refresh_from_db()
    assert committee.name != "改名"


def test_town_staff_cannot_dissolve_another_towns_committee(
    client, town_user, other_committee
) -> None:
    client.force_login(town_user)
    response = client.post(
        reverse("committee_dissolve", args=[other_committee.code]),
        {"date": "2025-01-01", "reason": "越权"},
    )
    assert response.status_code == 404
    other_committee.refresh_from_db()
    assert other_committee.dissolved_on is None


def test_town_staff_can_only_pick_their_own_villages(
    client, town_user, town, other_committee
) -> None:
    from tests.factories import ResidentsFactory, VillageFactory

    foreign = VillageFactory(town=other_committee.town)
    mine = VillageFactory(town=town)
    urban = ResidentsFactory(town=town)
    client.force_login(town_user)
    response = client.post(
        reverse("committee_create"),
        {"code": "NEW1", "name": "越界联合党总支", "urban": urban.pk,
         "villages": [mine.pk, foreign.pk], "formation": "assigned",
         "established_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "villages" in response.context["form"].errors
    assert not JointCommittee.objects.filter(code="NEW1").exists()


def test_department_creates_committee_and_it_is_audited(
    client, department_user, town
) -> None:
    from tests.factories import ResidentsFactory, VillageFactory

    villages = VillageFactory.create_batch(2, town=town)
    urban = ResidentsFactory(town=town)
    client.force_login(department_user)
    response = client.post(
        reverse("committee_create"),
        {"code": "NEW2", "name": "新建联合党总支", "urban": urban.pk,
         "villages": [v.pk for v in villages], "formation": "voluntary",
         "established_on": "2025-03-01"},
    )
    committee = JointCommittee.objects.get(code="NEW2")
    assert response.status_code == 302
    assert committee.form == JointCommittee.Form.VILLAGE_RESIDENTS
    record = committee.history.get()
    assert record.history_user == department_user
    detail = client.get(committee.get_absolute_url()).content.decode()
    assert "变更记录" in detail and department_user.username in detail


def test_audit_trail_is_for_the_department_only(client, town_user, committee) -> None:
    client.force_login(town_user)
    assert "变更记录" not in client.get(committee.get_absolute_url()).content.decode()


def test_branch_kind_cannot_change_while_in_a_committee(
    client, department_user, committee
) -> None:
    village = committee.memberships.first().village
    client.force_login(department_user)
    response = client.post(
        reverse("branch_edit", args=[village.code]),
        {"code": village.code, "name": village.name, "kind": Branch.Kind.RESIDENTS,
         "town": village.town_id, "secretary": "", "industries": ""},
    )
    assert response.status_code == 200
    assert "该村正在联合党组织中，不能更改类型。" in response.content.decode()
    village.refresh_from_db()
    assert village.kind == Branch.Kind.VILLAGE
