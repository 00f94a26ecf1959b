"""On a phone, the department records a joint meeting on a slow connection: the button turns
into "正在提交…" and cannot be pressed again while the server saves; one meeting is saved."""

import threading
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import watch_console
from twinning.meetings import services
from twinning.models import JointMeeting

pytestmark = pytest.mark.django_db(transaction=True)
FORM = 'document.querySelector("main form[method=post]")'
STATE = (f"(() => {{ const form = {FORM}; const button = form.querySelector('button[type=submit]');"
         " return [button.disabled, button.textContent, form.getAttribute('aria-busy')]"
         ".join('|'); })()")
PRESS = f"{FORM}.querySelector('button[type=submit]').click()"


def test_the_submit_button_is_disabled_while_the_meeting_is_saved(
    live_server, page: Page, log_in, monkeypatch, department_user,
) -> None:
    # The server holds the save until the page has been looked at, as a slow answer would.
    looked = threading.Event()
    save = services.meeting_save

    def held_save(**kwargs: Any) -> Any:
        looked.wait(timeout=30)
        return save(**kwargs)

    monkeypatch.setattr(services, "meeting_save", held_save)
    problems = watch_console(page)
    log_in(page, "dept")
    page.goto(f"{live_server.url}/meetings/new/")
    page.get_by_label("参会人员").fill("组织部、各镇街")
    page.get_by_label("会议议题").fill("听取督查情况汇报")
    page.get_by_label("议定事项").fill("抓好整改落实")
    button = page.locator("main form[method=post] button[type=submit]")
    # Pressed from the page's script: Playwright's own click would wait for the navigation
    # it starts, which the held save keeps from finishing.
    button.evaluate("button => button.click()")
    try:
        # Read through the browser's own protocol: Playwright's locators and evaluations wait
        # for the pending navigation, which the held save keeps from finishing.
        cdp = page.context.new_cdp_session(page)
        state = ""
        for _attempt in range(50):
            answer = cdp.send("Runtime.evaluate", {"returnByValue": True, "expression": STATE})
            state = str(answer["result"].get("value", answer))
            if state.startswith("true"):
                break
            time.sleep(0.1)  # not page.wait_for_timeout: it waits for the navigation too
        assert state == "true|正在提交…|true", state
        # A second press does nothing while the first is being saved.
        cdp.send("Runtime.evaluate", {"expression": PRESS})
    finally:
        looked.set()
    expect(page.locator(".messages")).to_contain_text("已保存")
    assert JointMeeting.objects.count() == 1
    assert problems == []
