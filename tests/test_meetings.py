"""The monthly joint meeting: the department records it with action items, followed until done;
town staff and leaders read it."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import make_meeting
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.meetings.services import action_item_complete, meeting_save


def _data(items: list[dict[str, Any]] = (), initial: int = 0, **fields: str) -> dict[str, Any]:
    data = {"held_on": "2025-03-20", "attendees": "组织部、各镇街", "topics": "通报督查情况",
            "decisions": "限期整改", "items-TOTAL_FORMS": str(len(items)),
            "items-INITIAL_FORMS": str(initial), "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000", **fields}
    for n, item in enumerate(items):
        data.update({f"items-{n}-{key}": value for key, value in item.items()})
    return data


def test_department_records_a_meeting_with_action_items(
    client, department_user, committee
) -> None:
    client.force_login(department_user)
    items = [
        {"description": "协调帮扶项目用地", "owner": "密州街道党工委", "committee": committee.pk,
         "due_on": "2025-04-20"},
        {"description": "", "owner": "", "committee": "", "due_on": ""},
        {"description": "汇总基础设施需求", "owner": "市农业农村局", "committee": "",
         "due_on": "2025-05-01"},
    ]
    response = client.post(reverse("meeting_create"), _data(items))
    meeting = JointMeeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert (meeting.period, meeting.recorded_by) == (datetime.date(2025, 3, 1), department_user)
    assert list(meeting.action_items.values_list("owner", "committee", "status")) == [
        ("密州街道党工委", committee.pk, "open"), ("市农业农村局", None, "open")]
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "协调帮扶项目用地" in body and "变更记录" in body


def test_an_item_due_before_the_meeting_is_refused_on_its_row(client, department_user) -> None:
    client.force_login(department_user)
    items = [{"description": "整改", "owner": "督查组", "committee": "", "due_on": "2025-03-01"}]
    response = client.post(reverse("meeting_create"), _data(items))
    assert response.context["formset"].forms[0].errors == {"due_on": ["完成时限不能早于会议日期。"]}
    assert not JointMeeting.objects.exists()


def test_a_meeting_is_recorded_once_held(db) -> None:
    with pytest.raises(ValidationError) as caught:
        meeting_save(held_on=datetime.date(2025, 3, 21), attendees="组织部", topics="议题",
                     decisions="决定", today=datetime.date(2025, 3, 20))
    assert caught.value.message_dict == {"held_on": ["会议日期不能晚于今天：会议召开后再记录。"]}


def test_an_action_item_is_followed_until_done(client, department_user) -> None:
    meeting = make_meeting(items=[{"description": "约谈提醒", "due_on": datetime.date(2025, 4, 5)}])
    item = meeting.action_items.get()
    client.force_login(department_user)
    url = reverse("action_item_done", args=[item.pk])
    response = client.post(url, {"done_on": "2025-03-25", "result": ""})
    assert response.context["form"].errors == {"result": ["这个字段是必填项。"]}
    response = client.post(url, {"done_on": "2025-03-19", "result": "已约谈"})
    assert response.context["form"].errors == {
        "done_on": ["办结日期不能早于会议日期（2025-03-20）。"]}
    response = client.post(url, {"done_on": "2025-04-09", "result": "已约谈3名书记"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.done_on, item.done_late) == ("done", datetime.date(2025, 4, 9), True)
    again = client.get(url)
    assert again.status_code == 302 and again.url == meeting.get_absolute_url()
    with pytest.raises(ValidationError, match="已于2025-04-09办结"):
        action_item_complete(item=item, done_on=datetime.date(2025, 4, 10), result="再办")


def test_editing_a_meeting_leaves_done_items_alone(client, department_user) -> None:
    meeting = make_meeting(items=[{"description": "甲"}, {"description": "乙"}])
    first, second = meeting.action_items.order_by("pk")
    action_item_complete(item=second, done_on=datetime.date(2025, 3, 25), result="完成")
    client.force_login(department_user)
    url = reverse("meeting_edit", args=[meeting.pk])
    assert [f.instance for f in client.get(url).context["formset"].forms[:1]] == [first]
    items = [{"id": first.pk, "description": "甲（改）", "owner": "组织部", "committee": "",
              "due_on": "2025-04-30", "DELETE": "on"}]
    response = client.post(url, _data(items, initial=1, held_on="2025-03-21"))
    assert response.status_code == 302
    assert list(meeting.action_items.values_list("description", flat=True)) == ["乙"]
    meeting.refresh_from_db()
    assert meeting.held_on == datetime.date(2025, 3, 21)


def test_overdue_action_items_are_listed_for_the_department(
    client, department_user, town_user, leader_user
) -> None:
    meeting = make_meeting(held_on=datetime.date(2025, 3, 20), items=[
        {"description": "逾期的任务", "due_on": datetime.date(2025, 4, 1)},
        {"description": "未到期的任务", "due_on": datetime.date(2099, 1, 1)},
    ])
    done = make_meeting(held_on=datetime.date(2025, 2, 20), items=[
        {"description": "办结的任务", "due_on": datetime.date(2025, 3, 1)}]).action_items.get()
    action_item_complete(item=done, done_on=datetime.date(2025, 2, 27), result="完成")
    client.force_login(department_user)
    listed = client.get(reverse("action_item_list"), {"state": "overdue"}).context["page"]
    assert [i.description for i in listed.object_list] == ["逾期的任务"]
    home = client.get(reverse("home")).content.decode()
    assert f'{reverse("action_item_list")}?state=overdue' in home
    meetings = client.get(reverse("meeting_list")).context["page"].object_list
    assert [(m.items, m.open_items, m.overdue_items) for m in meetings] == [(2, 2, 1), (1, 0, 0)]
    # Town staff and leaders read the meetings; only the department records.
    for reader in (town_user, leader_user):
        client.force_login(reader)
        body = client.get(meeting.get_absolute_url()).content.decode()
        assert "逾期的任务" in body
        assert reverse("meeting_edit", args=[meeting.pk]) not in body
        assert client.post(reverse("meeting_edit", args=[meeting.pk]), _data()).status_code == 403
    assert ActionItem.objects.overdue(datetime.date(2025, 4, 2)).count() == 1


def test_meetings_are_searched_by_year_and_text(client, leader_user) -> None:
    make_meeting(held_on=datetime.date(2024, 12, 18))
    later = make_meeting(held_on=datetime.date(2025, 1, 15))
    JointMeeting.objects.filter(pk=later.pk).update(topics="研究乡村旅游项目")
    client.force_login(leader_user)

    def listed(**params: str) -> list[datetime.date]:
        page = client.get(reverse("meeting_list"), params).context["page"]
        return [m.held_on for m in page.object_list]

    assert listed(year="2024") == [datetime.date(2024, 12, 18)]
    assert listed(q="乡村旅游") == [datetime.date(2025, 1, 15)]
    assert listed() == [datetime.date(2025, 1, 15), datetime.date(2024, 12, 18)]
