"""Reminders by SMS (Alibaba Cloud SMS) and by a town's WeCom group robot, against a stub of
both served by the test (tests/stub_gateways.py): the right text reaches them, every delivery
is recorded with its outcome, and a gateway that is down or answers an error loses nothing."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.stub_gateways import KEY_ID, gateway  # noqa: F401 - a fixture
from twinning.shared import channels, deliveries, reminders
from twinning.shared.models import ReminderChannels, ReminderDelivery, ReminderLog
from twinning.shared.tasks import retry_reminder_deliveries

D = datetime.date
Status = ReminderDelivery.Status
PHONE = "13812345678"
DUE_TEXT = "请在2026-03-05前报送测试后黄疃联合党总支2026年2月工作报告。"


@pytest.fixture
def reachable(gateway, secretary_user, town):  # noqa: F811
    """The secretary owes February, has a phone and an e-mail; the town has a robot."""
    secretary_user.first_name, secretary_user.email = "王芳", "wangfang@example.cn"
    secretary_user.save()
    ReminderChannels.objects.create(user=secretary_user, phone=PHONE)
    town.wecom_webhook = f"{gateway.base}/robot/send?key=town-mz"
    town.save()
    return secretary_user


def test_signature_v1_matches_alibaba_clouds_published_example() -> None:
    params = {
        "TimeStamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
        "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert channels.aliyun_signature(params, "testsecret", "GET") == (
        "CT9X0VtwR86fNWSnsc6v8YGOjuE=")
    assert channels.percent_encode("a b*c~/") == "a%20b%2Ac~%2F"


def test_a_reminder_reaches_the_sms_gateway_and_the_town_robot(
    remind, reachable, gateway, mailoutbox  # noqa: F811
) -> None:
    result = remind("2026-03-02")
    assert result == {"users": 1, "items": 1, "email": 1, "sms": 1, "wecom": 1}
    (sms,) = gateway.sms
    assert sms.signature_ok
    form = sms.form
    assert (form["Action"], form["Version"], form["AccessKeyId"]) == (
        "SendSms", "2017-05-25", KEY_ID)
    assert (form["PhoneNumbers"], form["SignName"], form["TemplateCode"]) == (
        PHONE, "诸城组工", "SMS_480000001")
    assert json.loads(form["TemplateParam"]) == {"name": "王芳", "count": "1"}
    (robot,) = gateway.robot
    assert robot.path == "/robot/send?key=town-mz"
    assert robot.json["msgtype"] == "text"
    content = robot.json["text"]["content"]
    assert content.splitlines() == [
        "【城乡联合党组织】2026-03-02 待办提醒",
        "王芳（1项）：",
        f"1. {DUE_TEXT}",
        "请登录 http://127.0.0.1:8000/ 处理。系统每天最多提醒一次，只列出尚未完成的事项。",
    ]
    assert robot.json["text"]["mentioned_mobile_list"] == [PHONE]
    (mail,) = mailoutbox
    assert DUE_TEXT in mail.body
    sent = {d.channel: d for d in ReminderDelivery.objects.all()}
    assert {c: (d.status, d.attempts, d.last_error) for c, d in sent.items()} == {
        "email": (Status.SENT, 1, ""), "sms": (Status.SENT, 1, ""),
        "wecom": (Status.SENT, 1, ""),
    }
    assert sent["wecom"].group_name == "测试密州街道" and sent["wecom"].user is None
    assert sent["sms"].user == reachable and sent["sms"].target == PHONE
    # Once a day: a second run sends nothing on any channel.
    assert remind("2026-03-02")["items"] == 0
    assert (len(gateway.sms), len(gateway.robot)) == (1, 1)


def test_a_failing_sms_gateway_is_retried_with_backoff_and_recorded(
    remind, reachable, gateway, monkeypatch  # noqa: F811
) -> None:
    reachable.email = ""
    reachable.save()
    ReminderChannels.objects.filter(user=reachable).update(by_wecom=False)
    gateway.fail((503, {"Code": "ServiceUnavailable", "Message": "busy"}), "drop",
                 (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}))
    assert remind("2026-03-02")["sms"] == 1
    delivery = ReminderDelivery.objects.get()
    first_try = delivery.claimed_at
    assert (delivery.status, delivery.attempts) == (Status.RETRY, 1)
    assert "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at == first_try + datetime.timedelta(seconds=120)
    # Nothing is lost meanwhile: the item stays on the to-do list and in the day's log.
    assert DUE_TEXT in [i.text for i in reminders.todo_for(reachable, D(2026, 3, 2))]
    assert ReminderLog.objects.filter(user=reachable).count() == 1
    assert deliveries.due(first_try + datetime.timedelta(seconds=119)) == []
    second_try = first_try + datetime.timedelta(seconds=120)
    assert deliveries.due(second_try) == [delivery.pk]
    assert deliveries.deliver(delivery.pk, second_try) == Status.RETRY  # connection dropped
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == second_try + datetime.timedelta(seconds=240)
    third_try = delivery.next_attempt_at
    assert deliveries.deliver(delivery.pk, third_try) == Status.RETRY  # throttled
    delivery.refresh_from_db()
    assert "isv.BUSINESS_LIMIT_CONTROL" in delivery.last_error
    # Beat's sweep hands it to the task when it is due; this time the gateway answers.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert retry_reminder_deliveries.delay().get() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 4, "")
    assert len(gateway.sms) == 4
    assert [r.signature_ok for r in gateway.sms] == [True] * 4
    assert json.loads(gateway.sms[-1].form["TemplateParam"]) == {"name": "王芳", "count": "1"}


def test_a_robot_that_is_down_is_retried_and_one_that_refuses_is_recorded(
    remind, reachable, gateway  # noqa: F811
) -> None:
    ReminderChannels.objects.filter(user=reachable).update(by_sms=False, by_email=False)
    gateway.fail((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    remind("2026-03-02")
    delivery = ReminderDelivery.objects.get()
    assert (delivery.channel, delivery.status) == ("wecom", Status.RETRY)
    gateway.fail((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    assert deliveries.deliver(delivery.pk, delivery.next_attempt_at) == Status.FAILED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (
        2, "HTTP 200 errcode 93000: invalid webhook url")
    assert deliveries.due(delivery.next_attempt_at + datetime.timedelta(days=1)) == []


def test_a_refused_number_is_failed_at_once(remind, reachable, gateway) -> None:  # noqa: F811
    ReminderChannels.objects.filter(user=reachable).update(by_wecom=False, by_email=False)
    gateway.fail((400, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}))
    remind("2026-03-02")
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert delivery.last_error == "HTTP 400 isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"


def test_after_the_last_attempt_the_delivery_is_failed(
    remind, reachable, gateway, settings  # noqa: F811
) -> None:
    settings.REMINDER_MAX_ATTEMPTS = 2
    ReminderChannels.objects.filter(user=reachable).update(by_wecom=False, by_email=False)
    gateway.fail((502, {}), (502, {}))
    remind("2026-03-02")
    delivery = ReminderDelivery.objects.get()
    assert deliveries.deliver(delivery.pk, delivery.next_attempt_at) == Status.FAILED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error[:8]) == (2, "HTTP 502")


def test_a_delivery_not_sent_on_its_day_is_dropped_for_the_next_digest(
    remind, reachable, gateway  # noqa: F811
) -> None:
    ReminderChannels.objects.filter(user=reachable).update(by_wecom=False, by_email=False)
    gateway.fail((503, {}))
    remind("2026-03-02")
    delivery = ReminderDelivery.objects.get()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert deliveries.deliver(delivery.pk, tomorrow) == Status.FAILED
    delivery.refresh_from_db()
    assert "次日的提醒会列出仍未完成的事项" in delivery.last_error
    assert len(gateway.sms) == 1
    assert remind("2026-03-03")["sms"] == 1  # the next day's digest lists it again


def test_a_delivery_whose_worker_died_is_sent_again(remind, reachable, gateway) -> None:  # noqa: F811
    ReminderChannels.objects.filter(user=reachable).update(by_wecom=False, by_email=False)
    gateway.fail((503, {}))
    remind("2026-03-02")
    now = timezone.now()
    ReminderDelivery.objects.update(status=Status.SENDING, claimed_at=now - datetime.timedelta(
        minutes=6))
    (pk,) = deliveries.due(now)
    assert ReminderDelivery.objects.get(pk=pk).status == Status.RETRY
    assert deliveries.deliver(pk, now) == Status.SENT


def test_only_the_channels_chosen_and_reachable_are_used(
    remind, reachable, gateway, settings, mailoutbox  # noqa: F811
) -> None:
    ReminderChannels.objects.filter(user=reachable).update(by_email=False, by_wecom=False)
    settings.SMS_TEMPLATE_CODE = ""  # SMS not configured: no SMS, whatever the user chose
    result = remind("2026-03-02")
    assert (result["items"], result["email"], result["sms"], result["wecom"]) == (1, 0, 0, 0)
    assert gateway.received == [] and mailoutbox == []
    assert ReminderLog.objects.get().emailed is False


def test_town_staff_and_secretaries_share_their_towns_robot(
    reachable, gateway, town, town_user, other_committee, department_user  # noqa: F811
) -> None:
    from twinning.shared.permissions import grant_committee

    other_committee.town.wecom_webhook = f"{gateway.base}/robot/send?key=town-ld"
    other_committee.town.save()
    grant_committee(reachable, other_committee)
    robot = deliveries.Group(key=f"town:{town.pk}", name="测试密州街道",
                             webhook=f"{gateway.base}/robot/send?key=town-mz")
    other = deliveries.Group(key=f"town:{other_committee.town_id}", name="测试龙都街道",
                             webhook=f"{gateway.base}/robot/send?key=town-ld")
    found = reminders.groups_of([reachable.pk, town_user.pk, department_user.pk])
    assert found == {reachable.pk: [robot, other], town_user.pk: [robot]}


def test_a_robot_address_outside_wecom_is_never_called(
    remind, reachable, gateway, town  # noqa: F811
) -> None:
    ReminderChannels.objects.filter(user=reachable).update(by_sms=False, by_email=False)
    town.wecom_webhook = "http://10.0.0.8/internal"
    town.save()
    remind("2026-03-02")
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == Status.FAILED and "WECOM_WEBHOOK_PREFIX" in delivery.last_error
    assert gateway.received == []


def test_a_long_group_message_is_split_without_splitting_a_person() -> None:
    blocks = [f"书记{n}（2项）：\n1. {'测' * 100}\n2. {'试' * 100}" for n in range(12)]
    texts = channels.split_for_robot(blocks, "header", "footer")
    assert len(texts) > 1
    assert all(len(text.encode()) <= channels.ROBOT_MAX_BYTES for text, _ in texts)
    assert [i for _, indexes in texts for i in indexes] == list(range(12))
    assert all(blocks[i] in text for text, indexes in texts for i in indexes)


def test_phone_numbers_are_chinese_mobiles(secretary_user) -> None:
    ReminderChannels(user=secretary_user, phone=PHONE).full_clean()
    with pytest.raises(ValidationError):
        ReminderChannels(user=secretary_user, phone="02512345678").full_clean()
