"""The reminder settings page: a user's own channels and phone; town staff and the department
set the towns' WeCom group robots (only their own towns, only WeCom addresses)."""

from django.urls import reverse

from twinning.shared.models import ReminderChannels

URL = reverse("reminder_settings")
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"


def test_a_secretary_chooses_sms_only_with_a_phone(client, secretary_user, town) -> None:
    client.force_login(secretary_user)
    page = client.get(URL).content.decode()
    assert "提醒方式" in page and "群机器人地址" not in page
    response = client.post(URL, {"by_sms": "on", "phone": "13912345678",
                                 f"robot_{town.pk}": ROBOT})
    assert response.status_code == 302
    chosen = ReminderChannels.objects.get(user=secretary_user)
    assert (chosen.by_email, chosen.by_sms, chosen.by_wecom, chosen.phone) == (
        False, True, False, "13912345678")
    assert chosen.history.count() == 1
    town.refresh_from_db()
    assert town.wecom_webhook == ""  # not theirs to set


def test_a_wrong_phone_is_refused_on_the_form(client, secretary_user) -> None:
    client.force_login(secretary_user)
    response = client.post(URL, {"by_sms": "on", "phone": "1391234"})
    assert response.status_code == 200
    assert "请输入11位手机号码" in response.content.decode()
    assert not ReminderChannels.objects.exists()


def test_town_staff_set_their_towns_robot_and_only_a_wecom_address(
    client, town_user, town, other_town
) -> None:
    client.force_login(town_user)
    page = client.get(URL).content.decode()
    assert f"robot_{town.pk}" in page and f"robot_{other_town.pk}" not in page
    refused = client.post(URL, {"by_email": "on", f"robot_{town.pk}": "http://10.0.0.8/x"})
    assert "请填写企业微信群机器人的Webhook地址" in refused.content.decode()
    town.refresh_from_db()
    assert town.wecom_webhook == ""
    assert client.post(URL, {"by_email": "on", f"robot_{town.pk}": ROBOT}).status_code == 302
    town.refresh_from_db()
    assert town.wecom_webhook == ROBOT
    assert town.history.first().history_user == town_user


def test_the_department_sets_any_towns_robot(client, department_user, town, other_town) -> None:
    client.force_login(department_user)
    page = client.get(URL).content.decode()
    assert f"robot_{town.pk}" in page and f"robot_{other_town.pk}" in page
    client.post(URL, {f"robot_{other_town.pk}": ROBOT})
    other_town.refresh_from_db()
    assert other_town.wecom_webhook == ROBOT


def test_the_department_reads_every_delivery_in_the_admin(
    client, department_user, secretary_user
) -> None:
    from twinning.shared.models import ReminderDelivery

    department_user.is_staff = True
    department_user.save()
    delivery = ReminderDelivery.objects.create(
        user=secretary_user, channel="sms", key="reminders:2026-03-02", sent_on="2026-03-02",
        target="13912345678", status="retry", attempts=2, last_error="HTTP 503 busy",
    )
    client.force_login(department_user)
    listing = client.get(reverse("admin:twinning_reminderdelivery_changelist"))
    assert "HTTP 503 busy" in listing.content.decode()
    page = client.get(reverse("admin:twinning_reminderdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and "13912345678" not in page.content.decode()
