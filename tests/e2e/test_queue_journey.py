"""On a phone: town staff decide the review queue; the secretary's menu shows every entry
without sideways scrolling and the to-do lists what the committee owes."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import error_summary_in_view, navigate
from tests.e2e.test_inspection_journey import rubric  # noqa: F401 (a fixture)
from tests.factories import MonthlyUpdateFactory, make_committee, make_inspection
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate

pytestmark = pytest.mark.django_db(transaction=True)
Status = MonthlyUpdate.Status


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_town_staff_accept_and_return_from_the_queue_on_a_phone(
    live_server, page: Page, log_in, town_user, town
) -> None:
    period = rules.last_due_period(timezone.localdate())
    now = timezone.now()
    first, second = (make_committee(town=town) for _ in range(2))
    older = MonthlyUpdateFactory(committee=first, period=period,
                                 first_submitted_at=now - datetime.timedelta(days=9))
    newer = MonthlyUpdateFactory(committee=second, period=period,
                                 first_submitted_at=now - datetime.timedelta(days=1))
    log_in(page, "town")
    todo = page.locator("#todo")
    expect(todo).to_contain_text("2份月度工作报告已报送，待您审核。")
    todo.get_by_role("link", name="2份月度工作报告已报送，待您审核。").click()
    items = page.locator(".queue-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(first.name)  # oldest first
    expect(items.first.locator(".badge.bad")).to_contain_text("已等待 9 天")
    assert _fits(page)
    item = page.locator(f"#queue-{newer.pk}")
    item.get_by_text("退回", exact=True).click()
    item.get_by_label("退回原因（书记会看到）").fill("投入资金与台账不一致")
    item.get_by_role("button", name="确认退回").click()
    expect(page.locator(".messages")).to_contain_text("已退回1份报告")
    page.locator(f"#queue-{older.pk}").get_by_label("选择").check()
    page.get_by_role("button", name="通过所选").click()
    expect(page.locator(".messages")).to_contain_text("已通过1份报告。")
    expect(page.locator(".card.empty")).to_contain_text("没有待审核的报告。")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (Status.ACCEPTED, Status.RETURNED)


def test_town_staff_return_a_selection_with_one_reason_on_a_phone(
    live_server, page: Page, log_in, town_user, town
) -> None:
    period = rules.last_due_period(timezone.localdate())
    now = timezone.now()
    updates = [MonthlyUpdateFactory(committee=make_committee(town=town), period=period,
                                    first_submitted_at=now - datetime.timedelta(days=n))
               for n in (5, 3, 1)]
    log_in(page, "town")
    page.goto(f"{live_server.url}/monthly/queue/")
    bulk = page.locator("#queue-bulk")
    bulk.get_by_text("退回所选", exact=True).click()
    # No reason yet: said at the top, in view, with the selection kept.
    for update in updates[:2]:
        page.locator(f"#queue-{update.pk}").get_by_label("选择").check()
    bulk.get_by_role("button", name="退回所选报告").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("请写明退回原因")
    expect(messages).to_be_in_viewport()
    for update in updates[:2]:
        expect(page.locator(f"#queue-{update.pk}").get_by_label("选择")).to_be_checked()
    expect(page.locator(f"#queue-{updates[2].pk}").get_by_label("选择")).not_to_be_checked()
    bulk.get_by_label("退回原因（所选报告共用，书记会看到）").fill("请补充联席会议记录")
    bulk.get_by_role("button", name="退回所选报告").click()
    # The confirmation names both and the reason; nothing is returned yet.
    expect(page.get_by_role("heading", name="确认退回2份报告")).to_be_visible()
    confirm = page.locator("#queue-confirm")
    for update in updates[:2]:
        expect(confirm).to_contain_text(update.committee.name)
    expect(confirm).not_to_contain_text(updates[2].committee.name)
    expect(confirm).to_contain_text("请补充联席会议记录")
    assert _fits(page)
    assert MonthlyUpdate.objects.filter(status=Status.RETURNED).count() == 0
    confirm.get_by_role("button", name="确认退回").click()
    expect(messages).to_contain_text("已退回2份报告，书记会看到退回原因。")
    expect(messages).to_be_in_viewport()
    expect(page.locator(".queue-item")).to_have_count(1)
    assert _fits(page)
    for update in updates:
        update.refresh_from_db()
    assert [u.status for u in updates] == [Status.RETURNED, Status.RETURNED, Status.SUBMITTED]
    assert {u.return_reason for u in updates[:2]} == {"请补充联席会议记录"}


def test_secretary_menu_fits_a_phone_and_the_todo_tells_the_truth(
    live_server, page: Page, log_in, secretary_user, committee, rubric  # noqa: F811
) -> None:
    today = timezone.localdate()
    MonthlyUpdateFactory(committee=committee, period=rules.last_due_period(today))
    make_inspection(committee, visited_on=today - datetime.timedelta(days=2),
                    items=[{"description": "补齐三会一课记录",
                            "due_on": today + datetime.timedelta(days=20)}])
    log_in(page, "secretary")
    assert _fits(page)
    nav = page.get_by_role("navigation", name="主导航")
    for name in ("月度通报", "通知"):
        link = nav.get_by_role("link", name=name)
        expect(link).to_be_in_viewport()
    todo = page.locator("#todo")
    expect(todo).to_contain_text("整改事项待完成：补齐三会一课记录")
    expect(page.get_by_text("没有待办事项")).to_have_count(0)
    navigate(page, "月度工作报告")
    expect(page).to_have_url(f"{live_server.url}/committees/{committee.code}/monthly/")


def test_a_refused_submission_shows_its_errors_in_view_on_a_phone(
    live_server, page: Page, log_in, secretary_user, committee, settings
) -> None:
    settings.MONTHLY_DEADLINE_DAY = 31
    settings.MONTHLY_LOCK_DAYS = 30
    period = rules.last_due_period(timezone.localdate())
    log_in(page, "secretary")
    page.goto(f"{live_server.url}/committees/{committee.code}/monthly/{period:%Y-%m}/")
    page.get_by_label("召开了").check()
    summary = page.get_by_label("工作小结")
    summary.fill("短")
    expect(page.locator(".counter")).to_have_text("已输入1字，最多5000字")
    page.get_by_role("button", name="提交报告").click()
    banner = error_summary_in_view(page)
    expect(banner).to_contain_text("请修改下列1处错误")
    expect(summary).to_have_value("短")
    banner.get_by_role("link").click()
    expect(summary).to_be_in_viewport()
    assert not MonthlyUpdate.objects.filter(committee=committee).exists()
