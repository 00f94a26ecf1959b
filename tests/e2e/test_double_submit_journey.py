"""On a phone, the department records a joint meeting on a slow connection: the button turns
into "正在提交…" and cannot be pressed again while the server saves; one meeting is saved."""

import threading
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from twinning.meetings import services
from twinning.meetings.models import JointMeeting

pytestmark = pytest.mark.django_db(transaction=True)


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
    log_in(page, "dept")
    page.goto(f"{live_server.url}/meetings/new/")
    page.get_by_label("参会人员").fill("组织部、各镇街")
    page.get_by_label("会议议题").fill("听取督查情况汇报")
    page.get_by_label("议定事项").fill("抓好整改落实")
    button = page.locator("main form[method=post] button[type=submit]")
    # The answer goes to a frame of the page, so the page itself stays readable while the
    # server holds the save (a pending navigation of the page would hide it from Playwright;
    # the frame shows nothing, as the site may not be framed, and needs to show nothing).
    page.evaluate("""() => {
        const frame = Object.assign(document.createElement("iframe"), {name: "answer"});
        document.body.append(frame);
        document.querySelector("main form[method=post]").target = "answer";
    }""")
    saving = page.expect_response(
        lambda answer: answer.request.method == "POST" and answer.url.endswith("/meetings/new/"))
    with saving as posted:
        button.evaluate("button => button.click()")
        try:
            expect(button).to_be_disabled()
            expect(button).to_have_text("正在提交…")
            expect(page.locator("main form[aria-busy=true]")).to_have_count(1)
            # A second press does nothing while the first is being saved.
            button.evaluate("button => button.click()")
        finally:
            looked.set()
    assert posted.value.status == 302
    assert JointMeeting.objects.count() == 1
