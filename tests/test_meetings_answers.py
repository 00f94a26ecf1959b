"""Action items given to a committee are answered by its secretary: what was done, and whether
it is done; the answer can be revised until the department closes the item, every answer is
kept, and the department sees who answered, when and what."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_meeting
from twinning.meetings.models import ActionItem
from twinning.meetings.services import action_item_answer, action_item_complete


def _meeting(committee, other_committee, *, held_days_ago: int = 5, due_in: int = 20):
    today = timezone.localdate()
    return make_meeting(held_on=today - datetime.timedelta(days=held_days_ago), items=[
        {"description": "修通北朱解村生产路", "committee": committee,
         "due_on": today + datetime.timedelta(days=due_in)},
        {"description": "别人的任务", "committee": other_committee,
         "due_on": today + datetime.timedelta(days=due_in)},
        {"description": "市直部门的任务", "owner": "市农业农村局",
         "due_on": today + datetime.timedelta(days=due_in)},
    ])


def _item(meeting, description: str) -> ActionItem:
    return meeting.action_items.get(description=description)


def _answer_url(item: ActionItem) -> str:
    return reverse("action_item_answer", args=[item.pk])


def test_secretary_answers_an_item_of_their_committee_and_revises_it(
    client, secretary_user, committee, other_committee
) -> None:
    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    client.force_login(secretary_user)
    url = _answer_url(item)
    page = client.get(url)
    assert page.status_code == 200
    assert 'maxlength="500"' in page.content.decode()  # the site's counter shows the limit
    empty = client.post(url, {"answer": "  "})
    assert empty.status_code == 200
    assert list(empty.context["form"].errors) == ["answer"]
    assert 'id="error-summary"' in empty.content.decode()
    too_long = client.post(url, {"answer": "字" * 501})
    assert list(too_long.context["form"].errors) == ["answer"]

    response = client.post(url, {"answer": "已修通生产路800米", "done": "on"})
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    item.refresh_from_db()
    assert (item.status, item.answer, item.answer_done, item.answered_by) == (
        "open", "已修通生产路800米", True, secretary_user)
    first_answered = item.answered_at
    assert first_answered is not None

    revised = client.post(url, {"answer": "已修通生产路1200米，路灯在装"})
    assert revised.status_code == 302
    item.refresh_from_db()
    assert (item.answer, item.answer_done) == ("已修通生产路1200米，路灯在装", False)
    assert item.answered_at >= first_answered
    # Every answer is kept, with who gave it.
    answers = item.history.exclude(answer="").order_by("history_date")
    assert [(h.answer, h.answer_done, h.history_user) for h in answers] == [
        ("已修通生产路800米", True, secretary_user),
        ("已修通生产路1200米，路灯在装", False, secretary_user),
    ]
    # The form shows the answer given, to revise it.
    again = client.get(url)
    assert again.context["form"].initial["answer"] == "已修通生产路1200米，路灯在装"


def test_an_answer_is_final_once_the_department_closes_the_item(
    client, secretary_user, department_user, committee, other_committee
) -> None:
    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    action_item_answer(item=item, answer="已修通", done=True, user=secretary_user)
    client.force_login(department_user)
    # Closing starts from what the committee answered.
    closing = client.get(reverse("action_item_done", args=[item.pk]))
    assert closing.context["form"].initial["result"] == "已修通"
    action_item_complete(item=item, done_on=timezone.localdate(), result="已修通，核实无误")
    client.force_login(secretary_user)
    url = _answer_url(item)
    response = client.get(url)
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    client.post(url, {"answer": "改一改"})
    item.refresh_from_db()
    assert item.answer == "已修通"
    with pytest.raises(ValidationError, match="办结，答复不能再修改"):
        action_item_answer(item=item, answer="再改", user=secretary_user)


def test_only_the_committees_own_secretary_answers(
    client, secretary_user, department_user, town_user, inspector_user, leader_user,
    committee, other_committee,
) -> None:
    meeting = _meeting(committee, other_committee)
    ours = _item(meeting, "修通北朱解村生产路")
    client.force_login(secretary_user)
    for other in (_item(meeting, "别人的任务"), _item(meeting, "市直部门的任务")):
        assert client.get(_answer_url(other)).status_code == 404
        assert client.post(_answer_url(other), {"answer": "越权答复"}).status_code == 404
    # The department and the town close or read items; they never answer for the committee.
    for user in (department_user, town_user, inspector_user, leader_user):
        client.force_login(user)
        assert client.get(_answer_url(ours)).status_code == 403
        assert client.post(_answer_url(ours), {"answer": "代为答复"}).status_code == 403
    assert not ActionItem.objects.exclude(answer="").exists()


def test_a_secretary_reads_only_their_committees_items_of_a_meeting(
    client, secretary_user, committee, other_committee
) -> None:
    meeting = _meeting(committee, other_committee)
    client.force_login(secretary_user)
    response = client.get(meeting.get_absolute_url())
    assert [i.description for i in response.context["items"]] == ["修通北朱解村生产路"]
    body = response.content.decode()
    assert "别人的任务" not in body and "市直部门的任务" not in body
    assert _answer_url(_item(meeting, "修通北朱解村生产路")) in body


def test_the_department_sees_who_answered_when_and_what(
    client, secretary_user, department_user, town_user, committee, other_committee
) -> None:
    secretary_user.first_name = "王书记"
    secretary_user.save()
    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    answered = action_item_answer(item=item, answer="已修通生产路800米", done=True,
                                  user=secretary_user)
    when = timezone.localtime(answered.answered_at).strftime("%Y-%m-%d %H:%M")
    for user in (department_user, town_user):
        client.force_login(user)
        for url in (meeting.get_absolute_url(), reverse("action_item_list")):
            body = client.get(url).content.decode()
            assert "已修通生产路800米" in body and "王书记" in body and when in body, url
            assert "已答复" in body and "报请办结" in body and "未答复" in body, url
            # The committee answers; staff never get its answer link.
            assert _answer_url(item) not in body
    meetings = client.get(reverse("meeting_list")).context["page"].object_list
    assert [(m.items, m.answered_items) for m in meetings] == [(3, 1)]

    def listed(answer: str) -> list[str]:
        page = client.get(reverse("action_item_list"), {"answer": answer}).context["page"]
        return [i.description for i in page.object_list]

    assert listed("answered") == ["修通北朱解村生产路"]
    # Unanswered: given to a committee, and no answer yet (a city unit's item awaits none).
    assert listed("unanswered") == ["别人的任务"]


def test_items_unanswered_past_their_due_date_are_overdue(
    client, secretary_user, department_user, committee, second_committee, other_committee
) -> None:
    today = timezone.localdate()
    meeting = make_meeting(held_on=today - datetime.timedelta(days=40), items=[
        {"description": "逾期未答复", "committee": committee,
         "due_on": today - datetime.timedelta(days=3)},
        {"description": "逾期后答复", "committee": second_committee,
         "due_on": today - datetime.timedelta(days=3)},
        {"description": "按期答复", "committee": other_committee,
         "due_on": today + datetime.timedelta(days=3)},
    ])
    late = _item(meeting, "逾期后答复")
    action_item_answer(item=late, answer="已办理", user=secretary_user)
    action_item_answer(item=_item(meeting, "按期答复"), answer="已办理", user=secretary_user)
    assert [i.description for i in ActionItem.objects.overdue(today)] == ["逾期未答复"]
    late.refresh_from_db()
    assert (late.is_overdue, late.answered_late) == (False, True)
    client.force_login(department_user)
    listed = client.get(reverse("action_item_list"), {"state": "overdue"}).context["page"]
    assert [i.description for i in listed.object_list] == ["逾期未答复"]
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert body.count("已逾期") == 1 and body.count("逾期答复") == 1
    meetings = client.get(reverse("meeting_list")).context["page"].object_list
    assert [(m.overdue_items, m.answered_items) for m in meetings] == [(1, 2)]


def test_answering_takes_the_item_off_the_secretarys_todo(
    client, secretary_user, committee, other_committee
) -> None:
    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    client.force_login(secretary_user)

    def todo() -> list:
        return [i for i in client.get(reverse("home")).context["todo"]
                if i.key.startswith("action-item")]

    assert [i.url for i in todo()] == [_answer_url(item)]
    client.post(_answer_url(item), {"answer": "已修通生产路800米"})
    assert todo() == []


def _return_url(item: ActionItem) -> str:
    return reverse("action_item_return", args=[item.pk])


def test_the_department_sends_an_answer_back_with_a_reason(
    client, secretary_user, department_user, committee, other_committee
) -> None:
    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    action_item_answer(item=item, answer="已修通生产路800米", done=True, user=secretary_user)
    client.force_login(department_user)
    listed = client.get(reverse("action_item_list")).content.decode()
    assert _return_url(item) in listed
    page = client.get(_return_url(item))
    assert page.status_code == 200 and "已修通生产路800米" in page.content.decode()
    empty = client.post(_return_url(item), {"reason": " "})
    assert empty.status_code == 200 and list(empty.context["form"].errors) == ["reason"]
    sent = client.post(_return_url(item), {"reason": "请补充验收照片和长度测量记录"})
    assert sent.status_code == 302 and sent.url == meeting.get_absolute_url()
    item.refresh_from_db()
    assert (item.answered_at, item.answer, item.answer_done) == (None, "", False)
    assert item.returned_answer == "已修通生产路800米"
    assert item.returned_reason == "请补充验收照片和长度测量记录"
    assert item.returned_at is not None
    # Recorded with who did it; the returned answer stays in the item's history too.
    latest = item.history.first()
    assert latest.history_user == department_user and latest.returned_reason
    assert item.history.filter(answer="已修通生产路800米").exists()
    shown = client.get(meeting.get_absolute_url()).content.decode()
    assert "已退回" in shown and "请补充验收照片和长度测量记录" in shown
    # Nothing to send back now, until the committee answers again.
    again = client.post(_return_url(item), {"reason": "再退"})
    assert again.status_code == 200 and "等待联合党组织重新答复" in again.content.decode()
    item.refresh_from_db()
    assert item.returned_reason == "请补充验收照片和长度测量记录"


def test_a_returned_answer_is_back_on_the_secretarys_todo_and_revised_there(
    client, secretary_user, committee, other_committee
) -> None:
    from twinning.meetings.services import action_item_return

    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    action_item_answer(item=item, answer="已修通生产路800米", user=secretary_user)
    action_item_return(item=item, reason="请补充验收照片")
    client.force_login(secretary_user)
    (owed,) = [i for i in client.get(reverse("home")).context["todo"]
               if i.key.startswith("action-item")]
    assert "退回" in owed.text and "请补充验收照片" in owed.text
    page = client.get(_answer_url(item)).content.decode()
    assert "请补充验收照片" in page and "已修通生产路800米" in page  # the form starts from it
    client.post(_answer_url(item), {"answer": "已修通生产路800米，照片已上传镇街"})
    item.refresh_from_db()
    assert item.is_answered and (item.returned_reason, item.returned_at) == ("", None)


def test_only_the_department_sends_answers_back_and_only_open_answered_items(
    client, secretary_user, town_user, department_user, committee, other_committee
) -> None:
    from twinning.meetings.services import action_item_return

    meeting = _meeting(committee, other_committee)
    item = _item(meeting, "修通北朱解村生产路")
    action_item_answer(item=item, answer="已修通", user=secretary_user)
    for user in (secretary_user, town_user):
        client.force_login(user)
        assert client.post(_return_url(item), {"reason": "不行"}).status_code in (403, 404)
    with pytest.raises(ValidationError):
        action_item_return(item=_item(meeting, "别人的任务"), reason="未答复的")
    action_item_complete(item=item, done_on=timezone.localdate(), result="办结")
    with pytest.raises(ValidationError):
        action_item_return(item=item, reason="已办结的")
