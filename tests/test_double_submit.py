"""A form posted twice saves once: a double click, a resend after a slow answer, two tabs.

The page issues a one-time token with the form; the second POST that brings it is sent where
the first led, with a message, and nothing is saved again, even when both arrive at once.
"""

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_write_protocol import _post_forms
from twinning.aid.models import HelpActivity
from twinning.meetings import services as meeting_services
from twinning.meetings.models import JointMeeting
from twinning.shared.models import SubmitToken

REPEATED = "该表单已提交过，未重复保存。"


def _form(client: Client, url: str) -> dict[str, Any]:
    """What the page's form would send as shown, with its one-time token."""
    fields = _post_forms(client.get(url).content.decode(), url)[0]
    assert fields.get("once", [""])[0], "the form carries no one-time token"
    return {key: value for key, value in fields.items() if key != "csrfmiddlewaretoken"}


def _meeting(client: Client) -> dict[str, Any]:
    return {**_form(client, reverse("meeting_create")),
            "attendees": "组织部、各镇街", "topics": "听取督查情况汇报", "decisions": "抓好整改"}


def test_a_help_activity_posted_twice_is_saved_once(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    url = reverse("record_create", args=[committee.code, "activities"])
    data = {**_form(client, url), "kind": "fellowship", "held_on": timezone.localdate(),
            "title": "联谊活动", "count": 30}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert HelpActivity.objects.filter(committee=committee, title="联谊活动").count() == 1
    assert second.status_code == 302
    assert second.url == first.url
    assert REPEATED in client.get(second.url).content.decode()


def test_a_joint_meeting_posted_twice_is_saved_once(client, department_user) -> None:
    client.force_login(department_user)
    data = _meeting(client)
    first = client.post(reverse("meeting_create"), data)
    second = client.post(reverse("meeting_create"), data)
    assert JointMeeting.objects.count() == 1
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.url == first.url == JointMeeting.objects.get().get_absolute_url()


def test_a_form_with_errors_gives_its_token_back(client, department_user) -> None:
    """The user corrects the form and sends it again: that one saves."""
    client.force_login(department_user)
    data = _meeting(client)
    assert client.post(reverse("meeting_create"), {**data, "topics": ""}).status_code == 200
    assert client.post(reverse("meeting_create"), data).status_code == 302
    assert JointMeeting.objects.count() == 1


def test_each_showing_of_a_form_has_its_own_token(client, department_user) -> None:
    client.force_login(department_user)
    client.post(reverse("meeting_create"), _meeting(client))
    client.post(reverse("meeting_create"), _meeting(client))
    assert JointMeeting.objects.count() == 2
    assert SubmitToken.objects.filter(user=department_user).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_save_one_meeting(department_user, monkeypatch) -> None:
    """Two connections post the same form together; the service is slowed down so that the
    second arrives while the first is still saving."""
    client = Client()
    client.force_login(department_user)
    data = _meeting(client)
    save = meeting_services.meeting_save

    def slow_save(**kwargs: Any) -> Any:
        time.sleep(0.5)
        return save(**kwargs)

    monkeypatch.setattr(meeting_services, "meeting_save", slow_save)
    start = threading.Barrier(2)
    answers: list[int] = []

    def post() -> None:
        try:
            other = Client()
            other.force_login(department_user)
            start.wait(timeout=10)
            answers.append(other.post(reverse("meeting_create"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert answers == [302, 302]
    assert JointMeeting.objects.count() == 1


def test_a_refused_button_gives_its_token_back(client, department_user, monkeypatch) -> None:
    """A press the database refused may be tried again with the same page."""
    from django.db import OperationalError

    from reports.bulletins import services as bulletin_services
    from tests.factories import BulletinFactory, make_publishable

    bulletin = BulletinFactory(state="ready")
    make_publishable(bulletin.period)
    client.force_login(department_user)
    url = reverse("bulletin_publish", args=[bulletin.pk])
    data = _form(client, url)
    publish = bulletin_services.bulletin_publish

    def refuse(**kwargs: Any) -> Any:
        raise OperationalError("cannot execute UPDATE in a read-only transaction")

    monkeypatch.setattr(bulletin_services, "bulletin_publish", refuse)
    client.post(url, data)
    assert not SubmitToken.objects.exists()
    monkeypatch.setattr(bulletin_services, "bulletin_publish", publish)
    client.post(url, data)
    bulletin.refresh_from_db()
    assert bulletin.state == "published"
