"""Reminders: one digest a day per person, only for what they owe, never twice for one item
on one day; to-do lists from the same sources. Celery runs eagerly here (settings_test)."""

import datetime
import zoneinfo

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import MonthlyUpdateFactory
from twinning.celery import app
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared import channels, reminders
from twinning.shared.models import ReminderDelivery, ReminderLog, Role
from twinning.shared.tasks import retry_reminder_deliveries
from twinning.site.accounts import user_create

D = datetime.date
Status = MonthlyUpdate.Status
FEBRUARY = D(2026, 2, 1)  # due Thursday 2026-03-05; reminders from 03-02; locked from 03-15
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def owing(secretary_user, committee, second_committee, other_committee):
    """The secretary owes February for two committees and a returned January; the secretary
    of the other committee has filed February."""
    from twinning.shared.permissions import grant_committee

    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    grant_committee(secretary_user, second_committee)
    MonthlyUpdateFactory(
        committee=committee, period=D(2026, 1, 1), status=Status.RETURNED,
        return_reason="缺少活动照片",
        reviewed_at=datetime.datetime(2026, 2, 27, 10, tzinfo=SHANGHAI),
    )
    filed = user_create(username="filed", role=Role.SECRETARY, password=PASSWORD,
                        committees=[other_committee])
    filed.email = "filed@example.cn"
    filed.save()
    MonthlyUpdateFactory(committee=other_committee, period=FEBRUARY)
    return secretary_user


def test_one_digest_per_secretary_lists_everything_they_owe(remind, owing, mailoutbox) -> None:
    result = remind("2026-03-02")
    assert result == {"users": 1, "items": 3, "email": 1, "sms": 0, "wecom": 0}
    (mail,) = mailoutbox
    assert mail.to == ["shuji@example.cn"]
    assert mail.subject == "【城乡联合党组织】您有3项待办"
    assert "测试后黄疃联合党总支2026年2月工作报告" in mail.body
    assert "测试五里堡联合党总支2026年2月工作报告" in mail.body
    assert "2026年1月工作报告被退回：缺少活动照片" in mail.body
    assert f"{django_settings.SITE_URL}/committees/JC-MZ-1/monthly/2026-01/" in mail.body
    assert sorted(ReminderLog.objects.values_list("key", flat=True)) == sorted(
        f"monthly:{c.pk}:{p}" for c, p in (
            (owing_committee("JC-MZ-1"), "2026-01"), (owing_committee("JC-MZ-1"), "2026-02"),
            (owing_committee("JC-MZ-2"), "2026-02"),
        )
    )


def owing_committee(code):
    from twinning.committees.models import JointCommittee

    return JointCommittee.objects.get(code=code)


def test_reminders_go_once_per_day_per_item(remind, owing, mailoutbox) -> None:
    remind("2026-03-02")
    again = remind("2026-03-02")
    assert again == {"users": 0, "items": 0, "email": 0, "sms": 0, "wecom": 0}
    assert len(mailoutbox) == 1
    remind("2026-03-03")
    assert len(mailoutbox) == 2
    assert ReminderLog.objects.filter(sent_on=D(2026, 3, 3)).count() == 3


def test_filing_stops_the_reminders(
    remind, owing, committee, second_committee, mailoutbox
) -> None:
    MonthlyUpdateFactory(committee=committee, period=FEBRUARY)
    MonthlyUpdateFactory(committee=second_committee, period=FEBRUARY)
    MonthlyUpdate.objects.filter(period=D(2026, 1, 1)).update(status=Status.SUBMITTED)
    assert remind("2026-03-06")["email"] == 0
    assert mailoutbox == []


def test_no_mail_before_the_window_or_after_the_lock_but_the_todo_stays(
    remind, owing, committee, mailoutbox, settings
) -> None:
    MonthlyUpdate.objects.filter(period=D(2026, 1, 1)).delete()
    assert remind("2026-03-01")["items"] == 0
    before = reminders.todo_for(owing, D(2026, 3, 1))
    assert len(before) == 2
    assert "请在2026-03-05前报送测试后黄疃联合党总支2026年2月工作报告。" in [i.text for i in before]
    # After the deadline every day until the lock, then no more mail.
    assert remind("2026-03-14")["items"] == 2
    assert "已逾期（截止2026-03-05）" in mailoutbox[0].body
    assert remind("2026-03-15")["items"] == 0
    locked = reminders.todo_for(owing, D(2026, 3, 15))
    assert "已于2026-03-15锁定；如需补报请提交重新开放申请" in locked[0].text
    assert not any(item.remind for item in locked)


def test_users_without_email_are_recorded_and_see_it_on_their_todo(
    remind, secretary_user, committee, mailoutbox
) -> None:
    assert secretary_user.email == ""
    result = remind("2026-03-04")
    assert result == {"users": 1, "items": 1, "email": 0, "sms": 0, "wecom": 0}
    assert mailoutbox == []
    log = ReminderLog.objects.get()
    assert (log.user, log.emailed) == (secretary_user, False)


def test_todo_on_the_home_page_lists_what_the_user_owes(
    client, secretary_user, committee, settings
) -> None:
    client.force_login(secretary_user)
    body = client.get(reverse("home")).content.decode()
    assert "我的待办" in body
    assert f"{committee.name}" in body and "工作报告" in body
    items = client.get(reverse("home")).context["todo"]
    assert [i.key for i in items] == [f"monthly:{committee.pk}:{items[0].key[-7:]}"]


def test_department_todo_lists_pending_reopen_requests_without_mail(
    remind, client, department_user, committee, mailoutbox
) -> None:
    department_user.email = "zuzhibu@example.cn"
    department_user.save()
    ReopenRequest.objects.create(committee=committee, period=FEBRUARY, reason="书记外出学习")
    items = reminders.todo_for(department_user, D(2026, 3, 20))
    assert [i.text for i in items] == [
        f"{committee.name}申请重新开放2026年2月工作报告：书记外出学习"
    ]
    assert items[0].url == reverse("monthly_reopen_decide", args=[committee.code, "2026-02"])
    remind("2026-03-20")
    assert mailoutbox == []


def test_another_apps_source_joins_the_same_digest(
    remind, owing, mailoutbox, monkeypatch
) -> None:
    def overdue(today):
        yield reminders.OwedItem(owing.pk, "rectification:7", "整改事项“建立台账”已逾期", "/x/")

    monkeypatch.setattr(reminders, "_SOURCES", [*reminders._SOURCES, overdue])
    remind("2026-03-02")
    (mail,) = mailoutbox
    assert mail.subject == "【城乡联合党组织】您有4项待办"
    assert "整改事项“建立台账”已逾期" in mail.body


def test_a_failing_mailbox_does_not_stop_the_others_and_is_retried(
    remind, owing, second_committee, mailoutbox, monkeypatch
) -> None:
    other = user_create(username="other", role=Role.SECRETARY, password=PASSWORD,
                        committees=[second_committee])
    other.email = "other@example.cn"
    other.save()
    real_send = channels.send_mail

    def flaky(subject, body, sender, to):
        if to == ["shuji@example.cn"]:
            raise OSError("mail server down")
        return real_send(subject, body, sender, to)

    monkeypatch.setattr(channels, "send_mail", flaky)
    assert remind("2026-03-02")["email"] == 2
    assert [mail.to for mail in mailoutbox] == [["other@example.cn"]]
    failed = ReminderDelivery.objects.get(user=owing)
    assert (failed.status, failed.attempts) == (ReminderDelivery.Status.RETRY, 1)
    assert "mail server down" in failed.last_error
    # The items were put in the day's digest: a second run sends nothing new...
    assert ReminderLog.objects.filter(user=owing).count() == 3
    assert remind("2026-03-02")["email"] == 0
    # ...and the failed mail goes when the mail server is back and its retry is due.
    monkeypatch.setattr(channels, "send_mail", real_send)
    assert retry_reminder_deliveries.delay().get() == 0  # not due yet
    failed.next_attempt_at = timezone.now()
    failed.save()
    assert retry_reminder_deliveries.delay().get() == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (
        ReminderDelivery.Status.SENT, 2, "")
    assert [mail.to for mail in mailoutbox][-1] == ["shuji@example.cn"]
    assert "您有3项待办" in mailoutbox[-1].subject


def test_beat_runs_the_reminder_task_every_day() -> None:
    (entry,) = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values()
                if e["task"] == "twinning.shared.tasks.send_reminders"]
    assert entry["schedule"].hour == {django_settings.REMINDER_HOUR}
    assert entry["schedule"].day_of_month == set(range(1, 32))
    assert "twinning.shared.tasks.send_reminders" in app.tasks
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
