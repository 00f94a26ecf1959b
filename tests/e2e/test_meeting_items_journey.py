"""On a phone, the department records a joint meeting and gives an action item, in a row added
by the "add" button, to a committee found by typing part of its name into the row's picker."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import watch_console
from tests.factories import JointCommitteeFactory
from twinning.committees.models import JointCommittee
from twinning.meetings.models import JointMeeting

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_gives_an_added_rows_item_to_a_committee_picked_by_typing(
    page: Page, live_server, log_in, department_user, town
) -> None:
    JointCommitteeFactory(town=town, code="JC-GL-1", name="测试大高乐埠联合党总支")
    xiao = JointCommitteeFactory(town=town, code="JC-GL-2", name="测试小高乐埠联合党总支")
    old = JointCommitteeFactory(town=town, code="JC-GL-0", name="测试高乐埠旧联合党总支")
    JointCommittee.objects.filter(pk=old.pk).update(dissolved_on=datetime.date(2024, 1, 1))
    problems = watch_console(page)
    log_in(page, "dept")
    page.goto(f"{live_server.url}/meetings/new/")
    page.get_by_label("参会人员").fill("组织部、各镇街")
    page.get_by_label("会议议题").fill("听取督查情况汇报")
    page.get_by_label("议定事项").fill("抓好整改落实")
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    rows = page.locator("[data-formset=items] fieldset")
    rows.nth(0).get_by_label("任务事项").fill("汇总各镇街督查问题")
    rows.nth(0).get_by_label("责任人或单位").fill("市委组织部")
    rows.nth(0).get_by_label("完成时限").fill(due)

    # The blank row kept for cloning has a plain select: a picker started in it would be
    # copied half-built into every added row.
    template = "document.querySelector('template[data-formset-template=items]').content"
    assert page.evaluate(f"{template}.querySelector('.ts-wrapper, .tomselected') === null")

    page.get_by_role("button", name="添加任务").click()
    expect(rows).to_have_count(2)
    added = rows.nth(1)
    added.get_by_label("任务事项").fill("修通高乐埠生产路")
    added.get_by_label("责任人或单位").fill("小高乐埠联合党总支")
    added.get_by_label("完成时限").fill(due)
    picker = added.get_by_role("combobox", name="涉及的联合党组织")
    picker.click()
    picker.press_sequentially("高乐")
    options = page.locator(".ts-dropdown .option")
    # Running committees only, labelled as the form labels them.
    expect(options).to_have_text(["测试大高乐埠联合党总支 · JC-GL-1",
                                  "测试小高乐埠联合党总支 · JC-GL-2"])
    expect(options.first).to_have_class(re.compile(r"\bactive\b"))
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(added.locator(".ts-wrapper.single .item")).to_have_text(
        "测试小高乐埠联合党总支 · JC-GL-2")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("已保存")
    meeting = JointMeeting.objects.get()
    assert list(meeting.action_items.order_by("pk").values_list("description", "committee")) == [
        ("汇总各镇街督查问题", None), ("修通高乐埠生产路", xiao.pk)]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []
