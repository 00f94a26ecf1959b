"""Joint meetings reach the committees they concern: a secretary reads the meetings that gave
their committee an action item, and those items, and finds them on the to-do list."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.factories import make_meeting


def _meetings(committee, other_committee):
    today = timezone.localdate()
    ours = make_meeting(held_on=today - datetime.timedelta(days=5), items=[
        {"description": "修通北朱解村生产路", "committee": committee,
         "due_on": today + datetime.timedelta(days=20)},
        {"description": "完善议事规则", "committee": committee,
         "due_on": today + datetime.timedelta(days=25)},
        {"description": "别人的任务", "committee": other_committee,
         "due_on": today + datetime.timedelta(days=20)},
    ])
    theirs = make_meeting(held_on=today - datetime.timedelta(days=40), items=[
        {"description": "别处的任务", "committee": other_committee,
         "due_on": today + datetime.timedelta(days=20)},
    ])
    return ours, theirs


def test_secretary_reads_the_meetings_and_items_of_their_committee(
    client, secretary_user, committee, other_committee
) -> None:
    ours, theirs = _meetings(committee, other_committee)
    client.force_login(secretary_user)
    meetings = client.get(reverse("meeting_list"))
    assert meetings.status_code == 200
    assert [m.pk for m in meetings.context["page"].object_list] == [ours.pk]
    assert meetings.context["page"].object_list[0].items == 3  # counted once, not per join
    items = client.get(reverse("action_item_list"))
    assert items.status_code == 200
    assert sorted(i.description for i in items.context["page"].object_list) == [
        "修通北朱解村生产路", "完善议事规则"]
    assert client.get(reverse("meeting_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("meeting_detail", args=[theirs.pk])).status_code == 404


def test_open_action_items_given_to_the_committee_are_on_the_secretarys_todo(
    client, secretary_user, committee, other_committee
) -> None:
    ours, _theirs = _meetings(committee, other_committee)
    client.force_login(secretary_user)
    todo = client.get(reverse("home")).context["todo"]
    texts = [i.text for i in todo if i.key.startswith("action-item")]
    assert len(texts) == 2 and any("修通北朱解村生产路" in t for t in texts)
    answers = {reverse("action_item_answer", args=[i.pk]) for i in ours.action_items.filter(
        committee=committee)}
    assert {i.url for i in todo if i.key.startswith("action-item")} == answers


def test_town_staff_and_leaders_still_read_every_meeting(
    client, town_user, leader_user, committee, other_committee
) -> None:
    ours, theirs = _meetings(committee, other_committee)
    for user in (town_user, leader_user):
        client.force_login(user)
        listed = client.get(reverse("meeting_list")).context["page"].object_list
        assert {m.pk for m in listed} == {ours.pk, theirs.pk}
