"""Type-ahead pickers (twinning/shared/pickers.py): each endpoint answers only what the form
it serves would accept for that user, searches Chinese names and codes, and answers nobody
who is not logged in."""

import pytest
from django.urls import reverse

from branches.models import Branch
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    JointCommitteeFactory,
    ResidentsFactory,
    VillageFactory,
    make_meeting,
)
from twinning.committees.forms import CommitteeForm
from twinning.committees.models import JointCommittee
from twinning.shared import permissions


def _labels(client, name: str, **params) -> list[str]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.status_code
    return [row["label"] for row in response.json()["results"]]


@pytest.mark.parametrize("name", ["pick_village", "pick_urban_branch",
                                  "pick_inspection_committee", "pick_offer_town",
                                  "pick_member_branch", "pick_account_committee",
                                  "pick_action_item_committee"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, name) -> None:
    response = client.get(reverse(name), {"q": "村"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_village_picker_offers_a_town_user_only_free_villages_of_their_town(
    client, town_user, town, committee, other_town
) -> None:
    free = VillageFactory(town=town, name="测试北朱解村", code="V-BZJ")
    VillageFactory(town=other_town, name="测试北朱解二村", code="V-BZJ2")
    taken = committee.memberships.first().village
    client.force_login(town_user)
    labels = _labels(client, "pick_village")
    assert labels == [f"{town.name} · {free.name} · {free.code}"]
    assert not any(taken.name in label for label in labels)


def test_village_picker_finds_a_village_by_a_chinese_fragment_or_its_code(
    client, department_user, town
) -> None:
    VillageFactory(town=town, name="测试王家我乐村", code="V-WJWL")
    VillageFactory(town=town, name="测试小庄家河岔村", code="V-XZ")
    client.force_login(department_user)
    assert _labels(client, "pick_village", q="我乐") == [f"{town.name} · 测试王家我乐村 · V-WJWL"]
    assert _labels(client, "pick_village", q="v-xz") == [f"{town.name} · 测试小庄家河岔村 · V-XZ"]
    assert _labels(client, "pick_village", q="不存在") == []


def test_village_picker_pages_long_answers(client, department_user, town) -> None:
    VillageFactory.create_batch(25, town=town)
    client.force_login(department_user)
    first = client.get(reverse("pick_village")).json()
    second = client.get(reverse("pick_village"), {"p": 2}).json()
    assert (len(first["results"]), first["has_more"]) == (20, True)
    assert (len(second["results"]), second["has_more"]) == (5, False)
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


def test_picker_ignores_filters_and_ordering_sent_by_the_client(
    client, town_user, town, other_town
) -> None:
    VillageFactory(town=other_town, name="测试外镇村", code="V-OUT")
    client.force_login(town_user)
    for params in ({"f": "town__code=T-LD"}, {"e": "town__code=T-MZ"},
                   {"ordering": "-secretary"}, {"f": "__const__town__code=T-LD"}):
        assert not any("外镇" in label for label in _labels(client, "pick_village", **params))


def test_urban_picker_offers_exactly_the_policy_choices(
    client, town_user, town, other_town
) -> None:
    from branches.models import UnitOffer

    own = ResidentsFactory(town=town, name="测试杨春居委会", code="R-YC")
    ResidentsFactory(town=other_town, name="测试外镇居委会", code="R-OUT")
    offered = DepartmentFactory(name="测试市农业局", code="D-NY")
    EnterpriseFactory(name="测试益欣食品有限公司", code="E-YX")  # not offered to the town
    UnitOffer.objects.create(branch=offered, town=town)
    client.force_login(town_user)
    labels = _labels(client, "pick_urban_branch")
    names = {label.split("（")[0].split(" · ")[0] for label in labels}
    assert {own.name, offered.name} <= names
    assert "测试外镇居委会" not in names and "测试益欣食品有限公司" not in names
    assert _labels(client, "pick_urban_branch", q="农业") == ["测试市农业局 · D-NY"]
    form = CommitteeForm(urban_qs=permissions.urban_choices(town_user),
                         village_qs=Branch.objects.none())
    assert {b.name for b in form.fields["urban"].queryset} == names


@pytest.mark.parametrize("role", ["secretary", "leader"])
def test_urban_and_village_pickers_refuse_roles_that_cannot_create(
    client, personas, role
) -> None:
    client.force_login(personas[role])
    assert client.get(reverse("pick_urban_branch")).status_code == 403
    assert client.get(reverse("pick_village")).status_code == 403


def test_inspection_picker_offers_an_inspector_only_assigned_committees(
    client, inspector_user, committee, second_committee, other_committee
) -> None:
    client.force_login(inspector_user)
    labels = _labels(client, "pick_inspection_committee")
    assert labels == [f"{c.town.name} · {c.name}" for c in (committee, second_committee)]
    assert _labels(client, "pick_inspection_committee", q="五里堡") == [
        f"{second_committee.town.name} · {second_committee.name}"]


def test_committee_form_renders_only_the_chosen_options_with_the_endpoint(
    client, department_user, town
) -> None:
    villages = VillageFactory.create_batch(30, town=town)
    client.force_login(department_user)
    body = client.get(reverse("committee_create")).content.decode()
    assert f'data-picker="{reverse("pick_village")}"' in body
    assert f'data-picker="{reverse("pick_urban_branch")}"' in body
    assert not any(f'value="{v.pk}"' in body for v in villages)
    assert "django_tomselect/js/django-tomselect.min.js" in body and "js/pickers.js" in body

    committee = JointCommitteeFactory(town=town, villages=2)
    body = client.get(reverse("committee_edit", args=[committee.code])).content.decode()
    assert f'<option value="{committee.urban_id}" selected>' in body


def test_picker_assets_are_our_static_files_and_load_nothing_from_outside() -> None:
    from django.contrib.staticfiles import finders

    from twinning.shared.pickers import MEDIA

    paths = [*MEDIA._js, *(p for group in MEDIA._css.values() for p in group)]
    for path in paths:
        found = finders.find(path)
        assert found, path
        text = open(found, encoding="utf-8").read()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_committee_village_picker_offers_only_free_villages_of_the_committees_town(
    client, town_user, town, committee, other_town, other_committee
) -> None:
    free = VillageFactory(town=town, name="测试小高乐埠村", code="V-XGLB")
    VillageFactory(town=other_town, name="测试小高乐埠二村", code="V-XGLB2")
    taken = committee.memberships.first().village
    client.force_login(town_user)
    url = reverse("committee_pick_village", args=[committee.code])
    answer = client.get(url).json()["results"]
    assert [row["label"] for row in answer] == [f"{free.name}（{town.name}） · {free.code}"]
    assert client.get(url, {"q": taken.name}).json()["results"] == []
    # Nothing outside the user's towns: not by name, and not through another town's committee.
    assert client.get(url, {"q": "二村"}).json()["results"] == []
    other = reverse("committee_pick_village", args=[other_committee.code])
    assert client.get(other, {"q": "高乐"}).status_code == 404
    # What the picker offers is what the add-a-village form accepts.
    form = client.get(reverse("committee_add_village", args=[committee.code])).context["form"]
    assert [v.pk for v in form.fields["village"].queryset] == [row["id"] for row in answer]
    assert f'data-picker="{url}"' in form["village"].as_widget()


def test_funder_picker_finds_urban_branches_by_a_chinese_fragment(
    client, secretary_user, committee, other_committee
) -> None:
    yixin = EnterpriseFactory(name="测试益欣食品有限公司", code="E-YX")
    VillageFactory(town=committee.town, name="测试益欣村", code="V-YX")  # villages fund nothing
    client.force_login(secretary_user)
    url = reverse("pick_funder", args=[committee.code])
    assert [r["label"] for r in client.get(url, {"q": "益欣"}).json()["results"]] == [
        f"{yixin.name} · {yixin.code}"]
    # The secretary's own committee only.
    assert client.get(reverse("pick_funder", args=[other_committee.code])).status_code == 404
    form = client.get(reverse("record_create", args=[committee.code, "projects"])).context["form"]
    assert f'data-picker="{url}"' in form["funder"].as_widget()
    everything = client.get(url).json()
    assert not everything["has_more"]
    assert [r["id"] for r in everything["results"]] == list(
        form.fields["funder"].queryset.values_list("pk", flat=True))


def test_offer_town_picker_answers_the_department_alone(
    client, department_user, town_user, town, other_town
) -> None:
    client.force_login(department_user)
    assert _labels(client, "pick_offer_town", q="龙都") == [other_town.name]
    assert _labels(client, "pick_offer_town") == [other_town.name, town.name]  # by code
    client.force_login(town_user)
    assert client.get(reverse("pick_offer_town")).status_code == 403


def test_member_branch_picker_offers_town_staff_only_their_towns_branches(
    client, town_user, town, committee, other_town
) -> None:
    VillageFactory(town=town, name="测试郑家河岔村", code="V-ZJ")
    VillageFactory(town=other_town, name="测试郑家河岔外镇村", code="V-ZJ2")
    EnterpriseFactory(name="测试郑家食品有限公司", code="E-ZJ")  # city-level, no town
    client.force_login(town_user)
    assert _labels(client, "pick_member_branch", q="郑家") == [
        f"测试郑家河岔村（{town.name}） · V-ZJ"]
    assert _labels(client, "pick_member_branch", q="外镇") == []
    form = client.get(reverse("member_create")).context["form"]
    answer = client.get(reverse("pick_member_branch")).json()
    assert not answer["has_more"]
    assert [r["id"] for r in answer["results"]] == list(
        form.fields["branch"].queryset.values_list("pk", flat=True))


def test_account_committee_picker_offers_town_staff_only_their_towns_committees(
    client, town_user, committee, second_committee, other_committee
) -> None:
    client.force_login(town_user)
    assert _labels(client, "pick_account_committee", q="五里堡") == [
        f"{second_committee.town.name} · {second_committee.name}"]
    assert _labels(client, "pick_account_committee", q=other_committee.name[2:5]) == []
    assert _labels(client, "pick_account_committee", q=other_committee.code) == []
    form = client.get(reverse("account_create")).context["form"]
    assert [r["id"] for r in client.get(reverse("pick_account_committee")).json()["results"]] \
        == list(form.fields["committees"].queryset.values_list("pk", flat=True))


def _dissolve(committee: JointCommittee) -> None:
    JointCommittee.objects.filter(pk=committee.pk).update(dissolved_on="2025-01-31")


def test_action_item_picker_offers_the_meeting_forms_committees(
    client, department_user, committee, second_committee, other_committee
) -> None:
    named = JointCommitteeFactory(town=committee.town, code="JC-MZ-3", name="测试高乐埠联合党总支")
    meeting = make_meeting(items=[{"committee": named}])
    _dissolve(named)
    _dissolve(JointCommitteeFactory(town=committee.town, code="JC-MZ-4", name="测试旧联合党总支"))
    client.force_login(department_user)
    # A new meeting: the running committees, labelled as the form labels them.
    running = [f"{c.name} · {c.code}" for c in (other_committee, committee, second_committee)]
    assert _labels(client, "pick_action_item_committee") == running
    assert _labels(client, "pick_action_item_committee", q="五里堡") == [running[2]]
    assert _labels(client, "pick_action_item_committee", q="jc-ld") == [running[0]]
    assert _labels(client, "pick_action_item_committee", q=other_committee.town.name) == [
        running[0]]
    assert _labels(client, "pick_action_item_committee", q="旧") == []
    form = client.get(reverse("meeting_create")).context["formset"].forms[0]
    assert [c.pk for c in form.fields["committee"].queryset] == [
        r["id"] for r in client.get(reverse("pick_action_item_committee")).json()["results"]]
    # A meeting being corrected: also the dissolved committee its open item still names.
    url = reverse("meeting_pick_committee", args=[meeting.pk])
    answer = client.get(url).json()["results"]
    assert [r["label"] for r in answer] == [*running, f"{named.name} · {named.code}"]
    form = client.get(reverse("meeting_edit", args=[meeting.pk])).context["formset"].forms[0]
    assert [c.pk for c in form.fields["committee"].queryset] == [r["id"] for r in answer]
    assert f'data-picker="{url}"' in form["committee"].as_widget()


@pytest.mark.parametrize("role", ["town", "secretary", "inspector", "leader"])
def test_action_item_picker_answers_only_those_who_record_meetings(
    client, personas, committee, role
) -> None:
    meeting = make_meeting(items=[{"committee": committee}])
    client.force_login(personas[role])
    assert client.get(reverse("pick_action_item_committee"), {"q": "测试"}).status_code == 403
    answer = client.get(reverse("meeting_pick_committee", args=[meeting.pk]), {"q": "测试"})
    assert answer.status_code in (403, 404) and b"JC-" not in answer.content


def test_meeting_form_rows_render_only_their_chosen_committee_and_refuse_a_tampered_one(
    client, department_user, committee, second_committee, other_committee
) -> None:
    meeting = make_meeting(items=[{"committee": committee}, {"committee": second_committee}])
    client.force_login(department_user)
    body = client.get(reverse("meeting_edit", args=[meeting.pk])).content.decode()
    assert body.count(f'<option value="{committee.pk}" selected>') == 1
    assert body.count(f'<option value="{second_committee.pk}" selected>') == 1
    assert f'value="{other_committee.pk}"' not in body
    assert "js/pickers.js" in body and "tom-select.default.min.css" in body

    gone = JointCommitteeFactory(town=committee.town, code="JC-MZ-9")
    _dissolve(gone)
    data = {"held_on": "2025-03-20", "attendees": "组织部", "topics": "议题", "decisions": "事项",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000", "items-0-description": "修路", "items-0-owner": "镇里",
            "items-0-due_on": "2025-04-20"}
    for tampered in (gone.pk, 999999, 10**20, "x"):
        response = client.post(reverse("meeting_create"), {**data, "items-0-committee": tampered})
        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["committee"] == [
            "所选联合党组织不存在或已撤销，请重新选择。"]
    assert meeting.__class__.objects.count() == 1
