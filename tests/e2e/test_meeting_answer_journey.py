"""On a phone, a secretary answers an action item the joint meeting gave their committee, from
the to-do list; the department then reads the answer with the secretary's name."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import watch_console
from tests.factories import make_meeting
from twinning.meetings.models import ActionItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_answers_an_action_item_and_the_department_sees_it(
    live_server, page: Page, desk: Page, log_in, secretary_user, department_user,
    committee, other_committee,
) -> None:
    today = timezone.localdate()
    meeting = make_meeting(held_on=today - datetime.timedelta(days=3), items=[
        {"description": "修通北朱解村生产路", "committee": committee,
         "due_on": today + datetime.timedelta(days=20)},
        {"description": "别人的任务", "committee": other_committee,
         "due_on": today + datetime.timedelta(days=20)},
    ])
    problems = watch_console(page)
    log_in(page, "secretary")
    todo = page.locator("#todo")
    entry = todo.get_by_role("link", name="修通北朱解村生产路")
    expect(entry).to_contain_text("联席会议")
    entry.click()
    expect(page.locator("h1")).to_have_text("答复会议任务")
    expect(page.locator(".facts")).to_contain_text("修通北朱解村生产路")

    # An empty answer is refused, and the summary of what to fix is where the eye is.
    page.get_by_role("button", name="提交答复").click()
    banner = page.locator("#error-summary")
    expect(banner).to_contain_text("请修改下列1处错误")
    expect(banner).to_contain_text("办理情况")
    expect(banner).to_be_in_viewport()
    expect(banner).to_be_focused()
    assert not ActionItem.objects.exclude(answer="").exists()

    answer = page.get_by_label("办理情况")
    answer.fill("已硬化生产路800米，剩余400米月底完工。")
    expect(page.locator(".counter")).to_contain_text("500")
    page.get_by_label("已办理完成，报请组织部办结").check()
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".messages")).to_contain_text("已答复")
    expect(page.locator("h1")).to_contain_text("联席会议")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)  # only the item given to this committee
    expect(rows).to_contain_text("已硬化生产路800米")
    expect(rows.locator(".badge")).to_contain_text(["已答复", "报请办结"])
    expect(rows.get_by_role("link", name="修改答复")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Answered: no longer on the to-do list.
    page.goto(f"{live_server.url}/")
    expect(page.locator("#todo")).not_to_contain_text("修通北朱解村生产路")

    # The department knows the secretary by name (set now: signing in greets by username).
    secretary_user.first_name = "王书记"
    secretary_user.save()
    log_in(desk, "dept")
    desk.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    items = desk.locator("table").first
    answered = items.locator("tbody tr", has_text="修通北朱解村生产路")
    expect(answered).to_contain_text("已硬化生产路800米，剩余400米月底完工。")
    expect(answered).to_contain_text("王书记")
    expect(answered).to_contain_text("已答复")
    expect(items.locator("tbody tr", has_text="别人的任务")).to_contain_text("未答复")
    desk.goto(f"{live_server.url}/meetings/actions/?answer=answered")
    expect(desk.locator("tbody tr")).to_have_count(1)
    expect(desk.locator("tbody tr")).to_contain_text("王书记")
    assert problems == []


def test_the_department_sends_an_answer_back_and_the_secretary_answers_again(
    live_server, page: Page, desk: Page, log_in, secretary_user, department_user, committee,
) -> None:
    from twinning.meetings.services import action_item_answer

    today = timezone.localdate()
    meeting = make_meeting(held_on=today - datetime.timedelta(days=3), items=[
        {"description": "修通北朱解村生产路", "committee": committee,
         "due_on": today + datetime.timedelta(days=20)},
    ])
    item = meeting.action_items.get()
    action_item_answer(item=item, answer="已办理。", done=True, user=secretary_user)
    log_in(desk, "dept")
    desk.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    desk.locator("tbody tr", has_text="修通北朱解村生产路").get_by_role(
        "link", name="退回答复").click()
    expect(desk.locator("h1")).to_have_text("退回答复")
    desk.get_by_role("button", name="确认退回").click()
    expect(desk.locator("#error-summary")).to_contain_text("退回理由")
    desk.get_by_label("退回理由").fill("请写明硬化了多少米、何时完工")
    desk.get_by_role("button", name="确认退回").click()
    expect(desk.locator(".messages")).to_contain_text("答复已退回")
    expect(desk.locator("tbody tr").first.locator(".badge")).to_contain_text(["已退回"])

    problems = watch_console(page)
    log_in(page, "secretary")
    entry = page.locator("#todo").get_by_role("link", name="修通北朱解村生产路")
    expect(entry).to_contain_text("退回")
    expect(entry).to_contain_text("请写明硬化了多少米、何时完工")
    entry.click()
    notice = page.locator(".notice")
    expect(notice).to_contain_text("请写明硬化了多少米、何时完工")
    expect(notice).to_be_in_viewport()
    answer = page.get_by_label("办理情况")
    expect(answer).to_have_value("已办理。")  # the returned answer, to revise
    answer.fill("已硬化生产路800米，10月20日完工。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".messages")).to_contain_text("已答复")
    expect(page.locator("tbody tr").first).to_contain_text("已硬化生产路800米")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#todo")).not_to_contain_text("修通北朱解村生产路")
    assert problems == []
