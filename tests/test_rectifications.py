"""Rectification items: from raised to closed, overdue by the local date, evidence files, who
may do what, and what each secretary owes."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.inspections.models import Rectification
from evaluations.inspections.selectors import rectifications_owed
from evaluations.inspections.services import (
    rectification_close,
    rectification_return,
    rectification_submit,
)
from tests.conftest import PASSWORD
from tests.factories import make_inspection
from twinning.shared.models import Role
from twinning.site.accounts import user_create

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _item(committee, due_on: datetime.date = datetime.date(2025, 4, 11),
          visited_on: datetime.date = datetime.date(2025, 3, 12)) -> Rectification:
    inspection = make_inspection(committee, visited_on=visited_on,
                                 items=[{"description": "补齐三会一课记录", "due_on": due_on}])
    return inspection.rectifications.get()


def test_secretary_submits_inspector_returns_then_closes(
    client, secretary_user, inspector_user, committee
) -> None:
    item = _item(committee)
    client.force_login(secretary_user)
    response = client.post(reverse("rectification_submit", args=[item.pk]), {
        "evidence": "已补齐1至3月会议记录。",
        "evidence_file": SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf"),
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.awaits_confirmation and item.submitted_by == secretary_user
    assert item.evidence_file_name.endswith(".pdf")
    # The secretary may not close it; the inspector may not submit for the committee.
    assert client.get(reverse("rectification_review", args=[item.pk])).status_code == 403

    client.force_login(inspector_user)
    assert client.get(reverse("rectification_submit", args=[item.pk])).status_code == 403
    url = reverse("rectification_review", args=[item.pk])
    response = client.post(url, {"decision": "return", "note": ""})
    assert response.context["form"].errors == {"note": ["退回时请写明原因。"]}
    client.post(url, {"decision": "return", "note": "缺少2月记录"})
    item.refresh_from_db()
    assert (item.submitted_on, item.returned_reason, item.is_closed) == (None, "缺少2月记录", False)

    client.force_login(secretary_user)
    assert "缺少2月记录" in client.get(item.get_absolute_url()).content.decode()
    client.post(reverse("rectification_submit", args=[item.pk]), {"evidence": "已补齐2月记录。"})
    item.refresh_from_db()
    assert item.awaits_confirmation and item.returned_reason == ""
    assert item.evidence_file  # the earlier file stays when no new one comes

    client.force_login(inspector_user)
    client.post(url, {"decision": "close", "closed_on": "2025-04-10", "note": "核实无误"})
    item.refresh_from_db()
    assert (item.status, item.closed_on, item.closed_by) == (
        "closed", datetime.date(2025, 4, 10), inspector_user)
    assert not item.closed_late
    # Closed is final: the pages send you back to the item, the services refuse.
    client.force_login(secretary_user)
    response = client.get(reverse("rectification_submit", args=[item.pk]))
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    with pytest.raises(ValidationError, match="已于2025-04-10销号"):
        rectification_submit(rectification=item, evidence="再交")


def test_closing_without_evidence_needs_what_was_verified(committee) -> None:
    item = _item(committee)
    with pytest.raises(ValidationError) as caught:
        rectification_close(rectification=item, closed_on=datetime.date(2025, 4, 1), note="")
    assert caught.value.message_dict == {
        "note": ["整改单位尚未提交整改情况，直接销号须写明核实情况。"]}
    with pytest.raises(ValidationError) as caught:
        rectification_close(rectification=item, closed_on=datetime.date(2025, 3, 1),
                            note="现场核实")
    assert caught.value.message_dict == {"closed_on": ["销号日期不能早于督查日期（2025-03-12）。"]}
    with pytest.raises(ValidationError, match="尚未提交整改情况，无需退回"):
        rectification_return(rectification=item, reason="不行")
    closed = rectification_close(rectification=item, closed_on=datetime.date(2025, 4, 20),
                                 note="现场核实已整改")
    assert closed.closed_late and closed.closing_note == "现场核实已整改"


def test_town_staff_close_items_of_their_town(client, town_user, committee) -> None:
    item = _item(committee)
    client.force_login(town_user)
    client.post(reverse("rectification_review", args=[item.pk]),
                {"decision": "close", "closed_on": "2025-04-02", "note": "镇街核实"})
    item.refresh_from_db()
    assert item.is_closed and item.closed_by == town_user


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("照片.png", PDF, "文件内容与扩展名“.png”不符，请上传原始文件。"),
        ("程序.exe", b"MZ\x90\x00", "只能上传PDF、图片（JPG、PNG）或Word、Excel文件。"),
        ("大文件.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024),
         "文件不能超过10 MB，此文件为11.0 MB。"),
    ],
)
def test_evidence_files_are_checked_for_size_and_type(
    client, secretary_user, committee, name, content, message
) -> None:
    item = _item(committee)
    client.force_login(secretary_user)
    response = client.post(reverse("rectification_submit", args=[item.pk]), {
        "evidence": "已整改", "evidence_file": SimpleUploadedFile(name, content)})
    assert response.context["form"].errors == {"evidence_file": [message]}
    item.refresh_from_db()
    assert item.submitted_on is None and not item.evidence_file


def test_evidence_file_is_served_only_within_reach(
    client, secretary_user, town_user, other_committee, committee, department_user
) -> None:
    item = _item(committee)
    rectification_submit(rectification=item, evidence="见附件",
                         evidence_file=SimpleUploadedFile("图.png", PNG))
    url = reverse("rectification_file", args=[item.pk])
    client.force_login(secretary_user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    foreign = _item(other_committee)
    rectification_submit(rectification=foreign, evidence="见附件",
                         evidence_file=SimpleUploadedFile("表.xlsx", b"PK\x03\x04rest"))
    assert client.get(reverse("rectification_file", args=[foreign.pk])).status_code == 404
    client.force_login(department_user)
    response = client.get(reverse("rectification_file", args=[foreign.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"PK\x03\x04rest"


@pytest.mark.parametrize(
    ("due_on", "today", "overdue"),
    [
        (datetime.date(2025, 1, 31), datetime.date(2025, 1, 31), False),
        (datetime.date(2025, 1, 31), datetime.date(2025, 2, 1), True),
        (datetime.date(2025, 2, 28), datetime.date(2025, 2, 28), False),
        (datetime.date(2025, 2, 28), datetime.date(2025, 3, 1), True),
        (datetime.date(2024, 2, 28), datetime.date(2024, 2, 29), True),
        (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29), False),
        (datetime.date(2025, 4, 30), datetime.date(2025, 5, 1), True),
        (datetime.date(2025, 12, 31), datetime.date(2026, 1, 1), True),
    ],
)
def test_overdue_means_open_with_the_due_date_before_today(
    committee, due_on, today, overdue
) -> None:
    item = _item(committee, due_on=due_on, visited_on=due_on.replace(day=1))
    assert Rectification.objects.overdue(today).filter(pk=item.pk).exists() is overdue
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        assert item.is_overdue is overdue


def test_overdue_follows_the_shanghai_date_not_utc(committee) -> None:
    item = _item(committee, due_on=datetime.date(2025, 1, 31), visited_on=datetime.date(2025, 1, 6))
    late_evening = datetime.datetime(2025, 1, 31, 15, 30, tzinfo=datetime.UTC)  # 23:30 there
    after_midnight = datetime.datetime(2025, 1, 31, 16, 30, tzinfo=datetime.UTC)  # 00:30, 1 Feb
    with mock.patch("django.utils.timezone.now", return_value=late_evening):
        assert not item.is_overdue
    with mock.patch("django.utils.timezone.now", return_value=after_midnight):
        assert item.is_overdue and item.overdue_days == 1


def test_closed_or_not_yet_due_items_are_not_overdue(committee) -> None:
    closed = _item(committee, due_on=datetime.date(2025, 3, 31))
    rectification_close(rectification=closed, closed_on=datetime.date(2025, 4, 15), note="核实")
    assert not Rectification.objects.overdue(datetime.date(2025, 5, 1)).exists()
    # …but it was overdue in the first half of April, before it was closed.
    assert Rectification.objects.overdue(datetime.date(2025, 4, 14)).get() == closed
    assert not Rectification.objects.overdue(datetime.date(2025, 4, 15)).exists()


def test_each_sees_the_overdue_items_within_their_reach(
    client, department_user, town_user, secretary_user, committee, second_committee,
    other_committee,
) -> None:
    due = datetime.date(2025, 3, 31)
    mine, neighbour, elsewhere = (_item(c, due_on=due) for c in
                                  (committee, second_committee, other_committee))
    _item(committee, due_on=datetime.date(2099, 1, 1), visited_on=datetime.date(2025, 4, 2))
    expected = {department_user: {mine, neighbour, elsewhere}, town_user: {mine, neighbour},
                secretary_user: {mine}}
    for user, items in expected.items():
        client.force_login(user)
        response = client.get(reverse("rectification_list"), {"overdue": "on"})
        assert set(response.context["page"].object_list) == items, user
        assert response.context["counts"].overdue == len(items)
        home = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("rectification_list")}?overdue=on"' in home


def test_list_filters_by_state_town_committee_and_due_date(
    client, department_user, committee, other_committee
) -> None:
    early, late = _item(committee), _item(other_committee, due_on=datetime.date(2025, 5, 20))
    waiting = _item(committee, visited_on=datetime.date(2025, 4, 3))
    rectification_submit(rectification=waiting, evidence="已整改")
    rectification_close(rectification=early, closed_on=datetime.date(2025, 4, 1), note="核实")
    client.force_login(department_user)

    def listed(**params: str) -> list[Rectification]:
        return list(client.get(reverse("rectification_list"), params).context["page"].object_list)

    assert listed(state="closed") == [early]
    assert listed(state="awaiting") == [waiting]
    assert listed(state="open") == [late]
    assert listed(town=other_committee.town.code) == [late]
    assert listed(q=committee.name) == [waiting, early]
    assert listed(due_before="2025-05-01") == [waiting, early]


def test_overdue_items_are_owed_by_the_committees_secretaries(
    secretary_user, committee, second_committee, other_committee, inspector_user
) -> None:
    def secretary(username: str, of: object):
        return user_create(username=username, role=Role.SECRETARY, password=PASSWORD,
                           committees=[of])

    second_secretary = secretary("secretary2", committee)
    gone = secretary("secretary3", committee)
    gone.is_active = False
    gone.save()
    other_secretary = secretary("secretary4", other_committee)
    today = datetime.date(2025, 5, 1)
    owed = _item(committee, due_on=datetime.date(2025, 4, 11))
    due_today = _item(committee, due_on=datetime.date(2025, 5, 1),
                      visited_on=datetime.date(2025, 4, 8))
    awaiting = _item(second_committee, due_on=datetime.date(2025, 4, 1))
    rectification_submit(rectification=awaiting, evidence="已整改")
    abroad = _item(other_committee, due_on=datetime.date(2025, 4, 20))
    nobody = _item(second_committee, due_on=datetime.date(2025, 4, 2),
                   visited_on=datetime.date(2025, 4, 1))
    rectification_return(rectification=awaiting, reason="材料不全")  # theirs again, but…
    listed = rectifications_owed(today)
    # An item not yet overdue is on the to-do list but not e-mailed.
    assert {(i.user_id, i.key) for i in listed if not i.remind} == {
        (user.pk, f"rectification:{due_today.pk}") for user in (secretary_user, second_secretary)
    }
    items = [i for i in listed if i.remind]
    # …second_committee has no secretary: nobody is reminded of `awaiting` or `nobody`.
    assert [(i.user_id, i.key) for i in items] == [
        (secretary_user.pk, f"rectification:{owed.pk}"),
        (second_secretary.pk, f"rectification:{owed.pk}"),
        (other_secretary.pk, f"rectification:{abroad.pk}"),
    ]
    assert nobody.pk not in {int(i.key.split(":")[1]) for i in items}
    first = items[0]
    assert first.url == reverse("rectification_detail", args=[owed.pk])
    assert first.text == (
        "整改事项逾期20天：补齐三会一课记录（测试后黄疃联合党总支，责任人王责任，期限2025-04-11）"
    )


def test_evidence_in_means_nothing_is_owed(secretary_user, committee) -> None:
    item = _item(committee, due_on=datetime.date(2025, 4, 11))
    rectification_submit(rectification=item, evidence="已整改")
    assert rectifications_owed(datetime.date(2025, 5, 1)) == []
    rectification_close(rectification=item, closed_on=datetime.date(2025, 4, 30), note="")
    assert rectifications_owed(datetime.date(2025, 5, 1)) == []


def test_overdue_rectifications_reach_the_secretarys_todo_list_and_digest(
    secretary_user, committee, remind
) -> None:
    import datetime

    from django.core import mail

    from tests.factories import make_inspection
    from twinning.shared import reminders

    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    inspection = make_inspection(committee, items=[{"description": "台账不全"}])
    item = inspection.rectifications.get()
    late = item.due_on + datetime.timedelta(days=3)
    todo = reminders.todo_for(secretary_user, late)
    assert any(o.key == f"rectification:{item.pk}" and "逾期3天" in o.text for o in todo)
    remind(late.isoformat())
    assert any("台账不全" in m.body for m in mail.outbox)
