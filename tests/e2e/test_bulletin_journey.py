"""The department builds a month's bulletin and follows its progress on the page, publishes it
after confirming, and a leader reads it: on the home page, in the list, and as a PDF."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reports.bulletins import services, tasks
from reports.bulletins.models import Bulletin
from tests.e2e.conftest import navigate, watch_console
from twinning.shared.periods import previous_month

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_builds_and_publishes_a_bulletin_that_a_leader_reads(
    live_server, page: Page, desk: Page, log_in, monkeypatch, committee, department_user,
    leader_user,
) -> None:
    period = previous_month(timezone.localdate())
    title = f"{period:%Y年%m月}通报（第1版）"
    # The broker takes the job and this test is the worker, so the page is open while the
    # build runs (with eager tasks it would be finished before the page loaded).
    sent: list[int] = []
    monkeypatch.setattr(tasks, "send", sent.append)

    problems = watch_console(desk)
    log_in(desk, "dept")
    navigate(desk, "月度通报")
    expect(desk.get_by_label("月份")).to_have_value(f"{period:%Y-%m}")
    desk.get_by_role("button", name="立即生成").click()
    expect(desk.locator(".messages")).to_contain_text(f"{title}已排队等待生成，本页会显示进度。")
    status = desk.locator("[data-bulletin-status]")
    expect(status.locator("[data-note]")).to_have_text("排队中 · 0%")
    bulletin = Bulletin.objects.get()
    assert (sent, bulletin.state) == ([bulletin.pk], "queued")

    # The worker pauses at typesetting until the open page has shown that step by itself.
    render_pdf = services.render_pdf

    def render_once_shown(html: str):
        expect(status.locator("[data-note]")).to_have_text("生成中 · 排版PDF · 40%")
        expect(status.locator("progress")).to_have_js_property("value", 40)
        expect(desk.locator("h1 .badge")).to_have_text("生成中")
        return render_pdf(html)

    monkeypatch.setattr(services, "render_pdf", render_once_shown)
    assert services.bulletin_build(bulletin.pk) == "ready"

    # Done: the page reloads itself and shows the result.
    expect(desk.locator("h1 .badge")).to_have_text("待发布")
    expect(status).to_have_count(0)
    expect(desk.get_by_role("link", name="下载PDF")).to_be_visible()
    answer = desk.request.get(f"{live_server.url}/bulletins/{bulletin.pk}/status/").json()
    assert (answer["state"], answer["progress"], answer["done"]) == ("ready", 100, True)

    # Publishing asks first.
    desk.get_by_role("link", name="发布", exact=True).click()
    expect(desk.locator("h1")).to_have_text(f"确认发布{title}")
    desk.get_by_role("button", name="确认发布").click()
    expect(desk.locator(".messages")).to_contain_text(f"{title}已发布。")
    expect(desk.locator("h1 .badge")).to_have_text("已发布")

    # A leader, on a phone, finds it on the home page and in the list, and opens the PDF.
    watch_console(page, problems)
    log_in(page, "leader")
    latest = page.locator(".card", has_text="最新通报")
    expect(latest.get_by_role("link", name=title)).to_be_visible()
    navigate(page, "月度通报")
    row = page.locator("tbody tr", has_text=title)
    expect(row.locator(".badge")).to_have_text("已发布")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载PDF").click()
    assert download.value.suggested_filename == f"{period:%Y-%m}-通报-第1版.pdf"
    href = row.get_by_role("link", name="下载PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert problems == []
    bulletin.refresh_from_db()
    assert (bulletin.state, bulletin.published_by) == ("published", department_user)
