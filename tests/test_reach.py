"""No user can widen their own reach (DESIGN §2): nothing a town user or a secretary may write
brings another organisation's members into their view, and a dissolved committee shows no one
its branches' members. Each test first names the member the user must not see."""

from typing import Any

import pytest
from django.urls import reverse

from branches.models import Branch, Member
from tests.exchange_helpers import csv_bytes
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MemberFactory,
    ResidentsFactory,
    VillageFactory,
)
from twinning.committees.models import JointCommittee
from twinning.committees.services import committee_dissolve, committee_update
from twinning.shared import permissions
from twinning.shared.exchange.services import import_file

COMMITTEE_FIELDS = ["code", "name", "urban", "villages", "formation", "established_on"]


def sees_members_of(client: Any, user: Any, branch: Branch) -> bool:
    """Whether any page or export shows the user this branch's member register."""
    secret = MemberFactory(branch=branch, name="机密党员甲", phone="13900000001")
    client.force_login(user)
    page = client.get(reverse("branch_detail", args=[branch.code])).content.decode()
    # Searched by name; the search box repeats the name, so look for the member's link.
    listing = client.get(reverse("member_list"), {"q": secret.name}).content.decode()
    export = client.get(reverse("export_members", args=["csv"]))
    exported = b"".join(export.streaming_content) if export.streaming else export.content
    shown = (secret.name in page, secret.get_absolute_url() in listing,
             secret.name.encode() in exported,
             permissions.visible(user, Member.objects.filter(pk=secret.pk)).exists())
    secret.delete()
    return any(shown)


@pytest.fixture
def foreign_urban(other_town) -> Branch:
    """A residents' committee in another town, with a member register."""
    return ResidentsFactory(town=other_town, name="外镇居委会")


@pytest.fixture
def city_unit(db) -> Branch:
    """A city-level enterprise that the department has not offered to anyone."""
    return EnterpriseFactory(name="市直未提供企业")


def _create_committee(client: Any, town: Any, urban: Branch, code: str = "NEW-R") -> Any:
    villages = VillageFactory.create_batch(2, town=town)
    return client.post(reverse("committee_create"), {
        "code": code, "name": "越权联合党总支", "urban": urban.pk,
        "villages": [v.pk for v in villages], "formation": "assigned",
        "established_on": "2025-01-01",
    })


@pytest.mark.parametrize("target", ["foreign_urban", "city_unit"])
def test_town_staff_cannot_lead_a_committee_with_an_urban_side_outside_their_town(
    client, town_user, town, target, request
) -> None:
    urban = request.getfixturevalue(target)
    client.force_login(town_user)
    response = _create_committee(client, town, urban)
    assert response.status_code == 200
    assert "只能选择本镇街的城市党组织或组织部提供给本镇街的市直单位" in response.content.decode()
    assert not JointCommittee.objects.filter(code="NEW-R").exists()
    assert not sees_members_of(client, town_user, urban)


def test_town_staff_cannot_move_their_committee_to_an_urban_side_outside_their_town(
    client, town_user, committee, foreign_urban
) -> None:
    client.force_login(town_user)
    response = client.post(reverse("committee_edit", args=[committee.code]), {
        "name": committee.name, "urban": foreign_urban.pk, "formation": "assigned",
        "established_on": "2024-01-01",
    })
    assert response.status_code == 200
    committee.refresh_from_db()
    assert committee.urban_id != foreign_urban.pk
    assert not sees_members_of(client, town_user, foreign_urban)


def test_a_committees_import_cannot_take_an_urban_side_outside_the_town(
    client, town_user, town, committee, foreign_urban, city_unit
) -> None:
    villages = VillageFactory.create_batch(2, town=town)
    rows = [COMMITTEE_FIELDS,
            ["NEW-I", "导入越权联合党总支", city_unit.code, ";".join(v.code for v in villages),
             "assigned", "2025-01-01"],
            [committee.code, committee.name, foreign_urban.code,
             ";".join(m.village.code for m in committee.memberships.all()), "assigned",
             "2024-01-01"]]
    report = import_file("committees", "c.csv", csv_bytes(rows), user=town_user, dry_run=False)
    assert not report.written
    assert {p.row for p in report.problems} == {2, 3}
    assert all("提供给本镇街的市直单位" in p.message for p in report.problems)
    assert not sees_members_of(client, town_user, foreign_urban)
    assert not sees_members_of(client, town_user, city_unit)


def test_a_unit_the_department_offered_to_the_town_can_lead_its_committee(
    client, department_user, town_user, town, city_unit
) -> None:
    client.force_login(department_user)
    response = client.post(reverse("branch_edit", args=[city_unit.code]), {
        "code": city_unit.code, "name": city_unit.name, "kind": city_unit.kind, "town": "",
        "secretary": "", "industries": "", "offered_to": [town.pk],
    })
    assert response.status_code == 302, response.content.decode()
    assert list(city_unit.offers.values_list("town_id", flat=True)) == [town.pk]
    client.force_login(town_user)
    assert _create_committee(client, town, city_unit).status_code == 302
    assert JointCommittee.objects.get(code="NEW-R").urban == city_unit
    assert sees_members_of(client, town_user, city_unit)


def test_only_the_department_offers_units(client, town_user, town, city_unit) -> None:
    client.force_login(town_user)
    response = client.post(reverse("branch_edit", args=[city_unit.code]), {
        "code": city_unit.code, "name": "改名", "kind": city_unit.kind, "town": "",
        "secretary": "", "industries": "", "offered_to": [town.pk],
    })
    assert response.status_code == 404
    assert not city_unit.offers.exists()


def test_an_offer_to_another_town_does_not_reach_this_one(
    client, town_user, town, other_town, city_unit, department_user
) -> None:
    from branches.services import branch_set_offers

    branch_set_offers(branch=city_unit, towns=[other_town])
    client.force_login(town_user)
    assert _create_committee(client, town, city_unit).status_code == 200
    assert not sees_members_of(client, town_user, city_unit)


def test_a_dissolved_committee_shows_no_one_its_branches_members(
    client, town_user, secretary_user, committee, town, department_user
) -> None:
    unit = DepartmentFactory(name="市直局")
    from branches.services import branch_set_offers

    branch_set_offers(branch=unit, towns=[town])
    committee_update(committee=committee, name=committee.name, urban=unit,
                     formation=committee.formation, established_on=committee.established_on)
    village = committee.memberships.first().village
    assert sees_members_of(client, secretary_user, unit)
    assert sees_members_of(client, secretary_user, village)
    import datetime

    committee_dissolve(committee=committee, dissolved_on=datetime.date(2025, 6, 30),
                       reason="调整")
    assert not sees_members_of(client, secretary_user, unit)
    assert not sees_members_of(client, secretary_user, village)
    assert not sees_members_of(client, town_user, unit)
    # The town keeps its own villages: they are in its town, not reached through a committee.
    assert sees_members_of(client, town_user, village)
    assert sees_members_of(client, department_user, unit)


@pytest.mark.parametrize("change", [{"town": ""}, {"town": "other"}])
def test_town_staff_cannot_move_a_branch_out_of_their_town(
    client, town_user, town, other_town, change
) -> None:
    branch = EnterpriseFactory(town=town, name="本镇企业")
    client.force_login(town_user)
    town_value = other_town.pk if change["town"] == "other" else ""
    response = client.post(reverse("branch_edit", args=[branch.code]), {
        "code": branch.code, "name": branch.name, "kind": branch.kind, "town": town_value,
        "secretary": "", "industries": "",
    })
    assert response.status_code == 200
    branch.refresh_from_db()
    assert branch.town_id == town.pk


def test_town_staff_cannot_import_a_branch_out_of_their_town(town_user, town) -> None:
    branch = EnterpriseFactory(town=town, name="本镇企业")
    rows = [["code", "name", "kind", "town"], [branch.code, branch.name, "enterprise", ""]]
    report = import_file("branches", "b.csv", csv_bytes(rows), user=town_user, dry_run=False)
    assert not report.written
    branch.refresh_from_db()
    assert branch.town_id == town.pk


def test_inspectors_see_no_secretary_names(client, inspector_user, committee) -> None:
    village = committee.memberships.first().village
    village.secretary = "王秘书"
    village.save()
    client.force_login(inspector_user)
    page = client.get(reverse("branch_detail", args=[village.code])).content.decode()
    assert village.name in page and "王秘书" not in page
    listing = client.get(reverse("branch_list")).content.decode()
    assert village.name in listing and "王秘书" not in listing
    found = client.get(reverse("branch_list"), {"q": "王秘书"}).content.decode()
    assert village.name not in found
    export = client.get(reverse("export_branches", args=["csv"]))
    data = b"".join(export.streaming_content) if export.streaming else export.content
    assert village.code.encode() in data and "王秘书".encode() not in data


def test_secretary_names_still_shown_to_those_who_may_see_members(
    client, town_user, committee
) -> None:
    village = committee.memberships.first().village
    village.secretary = "王秘书"
    village.save()
    client.force_login(town_user)
    assert "王秘书" in client.get(reverse("branch_detail", args=[village.code])).content.decode()
    assert village.name in client.get(reverse("branch_list"), {"q": "王秘书"}).content.decode()
