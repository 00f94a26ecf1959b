"""A secretary files a month's update on a phone; the department finds it on the completeness
page and returns it with a reason; the secretary sees why, fixes it and resubmits."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import navigate
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_files_department_returns_secretary_resubmits(
    live_server, page: Page, desk: Page, log_in, settings, secretary_user, department_user,
    committee,
) -> None:
    settings.MONTHLY_DEADLINE_DAY = 31  # due at the end of this month: filing now is on time
    settings.MONTHLY_LOCK_DAYS = 30
    period = rules.last_due_period(timezone.localdate())
    month = f"{period.year}年{period.month}月工作报告"
    base = live_server.url

    # The secretary, on a phone, starts from the home page.
    log_in(page, "secretary")
    due = page.locator(f"#due-{committee.code}")
    expect(due).to_contain_text(month)
    expect(due).to_contain_text("待报送")
    due.get_by_role("link", name="开始填报").click()
    page.get_by_label("召开了").check()
    page.get_by_label("联谊活动（次）").fill("2")
    page.get_by_label("党员结对帮扶（对）").fill("9")
    page.get_by_label("本月投入资金（元）").fill("30000")
    page.get_by_label("工作小结").fill("本月召开联席会议一次，开展联谊活动两次，帮助村里修通了生产路。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存。")
    expect(page.get_by_label("工作小结")).to_have_value(
        "本月召开联席会议一次，开展联谊活动两次，帮助村里修通了生产路。"
    )
    page.get_by_role("button", name="提交报告").click()
    expect(page.locator(".messages")).to_contain_text("报告已报送，等待审核。")
    expect(page.locator("h1")).to_contain_text("已报送")
    expect(page.get_by_role("button", name="提交报告")).to_have_count(0)

    # The department sees it on the completeness page and returns it with a reason.
    log_in(desk, "dept")
    navigate(desk, "报送情况")
    expect(desk.locator("h1")).to_contain_text(f"{period.year}年{period.month}月")
    row = desk.locator("#grid tbody tr", has_text=committee.name)
    expect(row.locator("td.current")).to_have_text("按时·")  # · awaiting review
    row.locator("td.current a").click()
    expect(desk.locator("h1")).to_contain_text("已报送")
    desk.get_by_label("退回原因").fill("投入资金与帮扶项目台账不一致，请核对。")
    desk.get_by_role("button", name="退回修改").click()
    expect(desk.locator(".messages")).to_contain_text("已退回")
    navigate(desk, "报送情况")
    expect(desk.locator("#grid tbody tr", has_text=committee.name).locator("td.current")
           ).to_have_text("退回")

    # The secretary sees why on the home page, fixes the figure and resubmits.
    page.goto(f"{base}/")
    due = page.locator(f"#due-{committee.code}")
    expect(due).to_contain_text("退回原因：投入资金与帮扶项目台账不一致，请核对。")
    expect(page.locator("#todo")).to_contain_text("被退回")
    due.get_by_role("link", name="修改并重新报送").click()
    expect(page.locator("#return-reason")).to_contain_text("投入资金与帮扶项目台账不一致")
    expect(page.get_by_label("工作小结")).to_have_value(
        "本月召开联席会议一次，开展联谊活动两次，帮助村里修通了生产路。"
    )
    page.get_by_label("本月投入资金（元）").fill("26000")
    page.get_by_role("button", name="重新报送").click()
    expect(page.locator(".messages")).to_contain_text("报告已报送，等待审核。")
    expect(page.locator("#return-reason")).to_contain_text("上次退回原因")

    # Back on time for the department: on-time follows the first submission.
    desk.reload()
    expect(desk.locator("#grid tbody tr", has_text=committee.name).locator("td.current")
           ).to_have_text("按时·")  # · awaiting review again
    update = MonthlyUpdate.objects.get(committee=committee, period=period)
    assert (update.status, str(update.investment_yuan)) == ("submitted", "26000.00")
