"""Reading members' personal data is recorded (who, when, which members) and never cached;
the department reads the record (PIPL's accountability for personal information)."""

import pytest
from django.urls import reverse

from tests.factories import MemberFactory
from twinning.shared.models import PersonalDataAccess


@pytest.fixture
def member(committee):
    return MemberFactory(branch=committee.memberships.first().village, name="李查阅")


def _pages(member) -> dict[str, str]:
    return {
        "member_detail": reverse("member_detail", args=[member.pk]),
        "member_list": reverse("member_list"),
        "branch_detail": reverse("branch_detail", args=[member.branch.code]),
    }


# Not named `page`: that is the browser tests' fixture.
@pytest.mark.parametrize("where", ["member_detail", "member_list", "branch_detail"])
def test_a_page_with_members_is_recorded_and_not_stored(client, town_user, member, where) -> None:
    client.force_login(town_user)
    response = client.get(_pages(member)[where])
    assert response.status_code == 200 and "李查阅" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    record = PersonalDataAccess.objects.get()
    assert record.user == town_user
    assert member.pk in record.member_ids and record.count >= 1
    assert record.path == _pages(member)[where]


def test_a_page_without_personal_data_is_neither_recorded_nor_marked(
    client, inspector_user, member
) -> None:
    client.force_login(inspector_user)
    response = client.get(reverse("branch_detail", args=[member.branch.code]))
    assert response.status_code == 200 and "李查阅" not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")
    assert not PersonalDataAccess.objects.exists()


def test_the_department_reads_the_record_and_others_may_not(
    client, department_user, town_user, member
) -> None:
    client.force_login(town_user)
    client.get(reverse("member_detail", args=[member.pk]))
    assert client.get(reverse("personal_data_log")).status_code == 403
    client.force_login(department_user)
    body = client.get(reverse("personal_data_log"), {"q": "town"}).content.decode()
    assert "党员详情" in body and "town" in body
    empty = client.get(reverse("personal_data_log"), {"q": "nobody"}).content.decode()
    assert "没有符合条件" in empty


@pytest.mark.parametrize("kind", ["members", "branches"])
def test_an_export_with_personal_data_is_recorded_and_not_stored(
    client, town_user, member, kind
) -> None:
    client.force_login(town_user)
    response = client.get(reverse(f"export_{kind}", args=["csv"]))
    b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    record = PersonalDataAccess.objects.get()
    assert record.what.endswith("导出") and record.user == town_user
    assert (member.pk in record.member_ids) is (kind == "members")


def test_an_export_without_personal_data_is_not_recorded(client, town_user, member) -> None:
    client.force_login(town_user)
    client.get(reverse("export_committees", args=["csv"]))
    assert not PersonalDataAccess.objects.exists()


def test_the_branch_list_with_secretaries_names_is_recorded_as_its_export_is(
    client, town_user, inspector_user, committee
) -> None:
    client.force_login(inspector_user)  # sees no secretary: nothing to record
    client.get(reverse("branch_list"))
    assert not PersonalDataAccess.objects.exists()
    client.force_login(town_user)
    response = client.get(reverse("branch_list"))
    assert "no-store" in response["Cache-Control"]
    assert PersonalDataAccess.objects.get().user == town_user
