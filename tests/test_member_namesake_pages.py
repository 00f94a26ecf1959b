"""Pages, forms and exports tell two members of one branch who share a name apart (number,
role, year joined), and a member's phone is a mobile number shown only where members are."""

import datetime

import pytest
from django.urls import reverse

from branches.models import Member
from tests.exchange_helpers import read_csv
from tests.factories import MemberFactory, open_review_round
from tests.review_helpers import sheet_url
from twinning.shared.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(committee) -> list[Member]:
    village = committee.memberships.first().village
    return [
        MemberFactory(branch=village, name="王芳", number="370782001", role="member",
                      joined_on=datetime.date(1998, 7, 1)),
        MemberFactory(branch=village, name="王芳", number="370782002", role="committee",
                      joined_on=datetime.date(2012, 7, 1)),
    ]


def test_member_pages_show_the_numbers_of_namesakes(client, department_user, namesakes) -> None:
    client.force_login(department_user)
    listing = client.get(reverse("member_list"), {"q": "王芳"}).content.decode()
    branch = client.get(namesakes[0].branch.get_absolute_url()).content.decode()
    for member in namesakes:
        assert member.number in listing and member.number in branch
    detail = client.get(namesakes[1].get_absolute_url()).content.decode()
    assert "370782002" in detail and "370782001" not in detail
    # The number is searchable.
    found = client.get(reverse("member_list"), {"q": "370782002"}).context["page"].object_list
    assert list(found) == [namesakes[1]]


def test_the_review_sheet_tells_namesakes_apart(client, secretary_user, committee,
                                                namesakes) -> None:
    review_round = open_review_round()
    client.force_login(secretary_user)
    body = client.get(sheet_url(review_round, committee)).content.decode()
    assert "370782001" in body and "370782002" in body
    assert "1998年入党" in body and "2012年入党" in body


def test_the_pairing_form_offers_namesakes_with_their_particulars(
        client, secretary_user, committee, namesakes) -> None:
    client.force_login(secretary_user)
    response = client.get(reverse("record_create", args=[committee.code, "pairings"]))
    labels = [label for _value, label in response.context["form"].fields["village_member"].choices]
    branch = namesakes[0].branch.name
    assert f"王芳（{branch} · 370782001 · 党员 · 1998年入党）" in labels
    assert f"王芳（{branch} · 370782002 · 委员 · 2012年入党）" in labels


def test_the_member_register_export_carries_the_number(client, department_user,
                                                        namesakes) -> None:
    client.force_login(department_user)
    response = client.get(reverse("export_members", args=["csv"]), {"q": "王芳"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = read_csv(content)
    header = next(row for row in rows if "党员编号" in row)
    at = header.index("党员编号")
    assert sorted(row[at] for row in rows[rows.index(header) + 1:] if "王芳" in row) == [
        "370782001", "370782002"]


def test_a_second_namesake_is_registered_on_the_site_with_a_number(
        client, department_user, namesakes) -> None:
    client.force_login(department_user)
    branch = namesakes[0].branch
    data = {"branch": branch.pk, "name": "王芳", "role": "member", "joined_on": "",
            "phone": "", "number": ""}
    response = client.post(reverse("member_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == [
        "本党组织已有党员叫「王芳」，请填写党员编号以区分。"]
    response = client.post(reverse("member_create"), {**data, "number": "370782003"})
    assert response.status_code == 302
    assert Member.objects.filter(branch=branch, name="王芳").count() == 3


@pytest.mark.parametrize("phone", ["12345", "0536-6012345", "1380000000a", "23800000000"])
def test_a_phone_must_be_a_mobile_number(client, department_user, namesakes, phone) -> None:
    client.force_login(department_user)
    member = namesakes[0]
    response = client.post(reverse("member_edit", args=[member.pk]), {
        "branch": member.branch.pk, "number": member.number, "name": member.name,
        "role": member.role, "joined_on": "1998-07-01", "phone": phone})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["请填写11位手机号码，如 13800000000。"]
    member.refresh_from_db()
    assert member.phone != phone


def test_a_mobile_number_is_accepted_with_or_without_86(client, department_user,
                                                         namesakes) -> None:
    client.force_login(department_user)
    member = namesakes[0]
    for phone in ("13912345678", "+8613912345678"):
        response = client.post(reverse("member_edit", args=[member.pk]), {
            "branch": member.branch.pk, "number": member.number, "name": member.name,
            "role": member.role, "joined_on": "1998-07-01", "phone": phone})
        assert response.status_code == 302, response.context["form"].errors
        member.refresh_from_db()
        assert member.phone == phone


def test_a_phone_is_shown_only_where_members_may_be_seen_and_its_reading_recorded(
        client, secretary_user, inspector_user, namesakes) -> None:
    member = namesakes[0]
    Member.objects.filter(pk=member.pk).update(phone="13912345678")
    client.force_login(inspector_user)
    assert client.get(member.get_absolute_url()).status_code == 404
    assert "13912345678" not in client.get(member.branch.get_absolute_url()).content.decode()
    client.force_login(secretary_user)
    before = PersonalDataAccess.objects.count()
    assert "13912345678" in client.get(member.get_absolute_url()).content.decode()
    assert PersonalDataAccess.objects.count() == before + 1


def test_an_imported_phone_must_be_a_mobile_number(town) -> None:
    from tests.exchange_helpers import csv_bytes, problems
    from tests.factories import VillageFactory
    from twinning.shared.exchange import import_file

    VillageFactory(code="V-1", town=town)
    report = import_file("members", "m.csv", csv_bytes([
        ["branch", "name", "phone"],
        ["V-1", "张三", "0536-1234567"],
        ["V-1", "李四", "13800000000"],
    ]), user=None, dry_run=False)
    assert problems(report) == [(2, "C", "请填写11位手机号码，如 13800000000。")]
