"""A secretary on a phone turns e-mail reminders off, gives a mobile number for SMS, is told
when the number is wrong, and town staff set their town's WeCom robot."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from twinning.shared.models import ReminderChannels

pytestmark = pytest.mark.django_db(transaction=True)
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"


def test_a_secretary_on_a_phone_chooses_sms(live_server, page: Page, log_in,
                                            secretary_user) -> None:
    log_in(page, "secretary")
    page.get_by_role("link", name="设置提醒方式（邮件、短信、企业微信群）").click()
    expect(page.get_by_role("heading", name="提醒方式")).to_be_visible()
    page.get_by_label("电子邮件").uncheck()
    page.fill("#id_phone", "1391234")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请输入11位手机号码，如13812345678。", exact=True)).to_be_visible()
    expect(page.get_by_label("电子邮件")).not_to_be_checked()  # the choice is kept
    page.fill("#id_phone", "13912345678")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提醒方式已保存。")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chosen = ReminderChannels.objects.get(user=secretary_user)
    assert (chosen.by_email, chosen.by_sms, chosen.phone) == (False, True, "13912345678")


def test_town_staff_set_their_towns_robot(live_server, page: Page, log_in, town_user,
                                          town) -> None:
    log_in(page, "town")
    page.goto(f"{live_server.url}/account/reminders/")
    page.get_by_label("测试密州街道企业微信群机器人地址").fill(ROBOT)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提醒方式已保存。")).to_be_visible()
    expect(page.get_by_label("测试密州街道企业微信群机器人地址")).to_have_value(ROBOT)
    town.refresh_from_db()
    assert town.wecom_webhook == ROBOT
