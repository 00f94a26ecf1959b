"""The department builds a month's bulletin and follows its progress on the page, publishes it
after confirming, and a leader reads it: on the home page, in the list, and as a PDF."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reports.bulletins import issuing, services, tasks
from reports.bulletins.models import Bulletin
from tests.e2e.conftest import navigate, watch_console
from tests.factories import make_publishable
from twinning.shared.periods import previous_month

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_builds_and_publishes_a_bulletin_that_a_leader_reads(
    live_server, page: Page, desk: Page, log_in, monkeypatch, committee, department_user,
    leader_user,
) -> None:
    period = previous_month(timezone.localdate())
    title = f"{period:%Y年%m月}通报（第1版）"
    make_publishable(period, committee)
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
    # Publication lays the issued document out in the server's thread: no pause there.
    monkeypatch.setattr(services, "render_pdf", render_pdf)

    # Done: the page reloads itself and shows the result.
    expect(desk.locator("h1 .badge")).to_have_text("待发布")
    expect(status).to_have_count(0)
    expect(desk.get_by_role("link", name="下载PDF")).to_be_visible()
    answer = desk.request.get(f"{live_server.url}/bulletins/{bulletin.pk}/status/").json()
    assert (answer["state"], answer["progress"], answer["done"]) == ("ready", 100, True)

    # Publishing asks first, and shows its checklist; while last month's filing is still
    # open (early in the month) only a 快报 may be published.
    desk.get_by_role("link", name="发布", exact=True).click()
    expect(desk.locator("h1")).to_have_text(f"确认发布{title}")
    expect(desk.locator('[data-check="cases"]')).to_have_attribute("data-ok", "yes")
    bulletin.refresh_from_db()
    if not issuing.filing_closed(bulletin):
        desk.get_by_label("作为快报发布").check()
    desk.get_by_role("button", name="确认发布").click()
    expect(desk.locator("h1 .badge")).to_have_text("已发布")
    bulletin.refresh_from_db()
    title = str(bulletin)
    assert title == f"{period:%Y年%m月}通报（{bulletin.serial_year}年第1期）"
    expect(desk.locator(".messages")).to_contain_text(f"{title}已发布。")

    # A leader, on a phone, finds it on the home page and in the list, and opens the PDF.
    watch_console(page, problems)
    log_in(page, "leader")
    latest = page.locator(".card", has_text="最新通报")
    # Readers know bulletins by their month, not by version or issue.
    month = f"{period.year}年{period.month}月月度通报"
    expect(latest.get_by_role("link", name=month)).to_be_visible()
    navigate(page, "月度通报")
    row = page.locator("tbody tr", has_text=title)
    expect(row.locator(".badge")).to_have_text("已发布")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载PDF").click()
    assert download.value.suggested_filename == (
        f"{period:%Y-%m}-通报-{bulletin.serial_year}年第1期.pdf")
    href = row.get_by_role("link", name="下载PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert problems == []
    bulletin.refresh_from_db()
    assert (bulletin.state, bulletin.published_by) == ("published", department_user)


def test_on_a_phone_the_publish_page_lists_what_is_missing_and_offers_a_quick_edition(
    live_server, page: Page, log_in, committee, department_user, settings, tmp_path,
) -> None:
    """November built on 4 December (filing due 7 December): refused as a bulletin, issued as
    a 快报 stating the date of its figures."""
    import datetime

    settings.MEDIA_ROOT = tmp_path
    november = datetime.date(2026, 11, 1)
    make_publishable(november)  # the issuing settings only: no case, no next steps yet
    bulletin = services.bulletin_request(period=november)
    services.bulletin_build(bulletin.pk)
    Bulletin.objects.filter(pk=bulletin.pk).update(contents={
        "cases": 0, "next_steps": False, "as_of": "2026-12-04"})
    problems = watch_console(page)
    log_in(page, "dept")
    page.goto(f"{live_server.url}/bulletins/{bulletin.pk}/publish/")
    checklist = page.locator("[data-checklist]")
    expect(checklist.locator('[data-check="cases"]')).to_have_attribute("data-ok", "no")
    expect(checklist.locator('[data-check="filing"]')).to_contain_text("2026-12-07截止")
    expect(checklist.locator('[data-check="fonts"]')).to_have_attribute("data-ok", "yes")
    expect(page.locator("[data-refused]")).to_contain_text("未选定典型案例")
    expect(page.get_by_role("button", name="确认发布")).to_be_disabled()
    page.screenshot(path=str(tmp_path / "checklist-missing.png"), full_page=True)

    # The cases and next steps are written; the rebuilt version is still too early.
    make_publishable(november, committee)
    Bulletin.objects.filter(pk=bulletin.pk).update(contents={
        "cases": 1, "next_steps": True, "as_of": "2026-12-04"})
    page.reload()
    expect(checklist.locator('[data-check="cases"]')).to_have_attribute("data-ok", "yes")
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".errorlist")).to_contain_text("报送尚未结束")
    page.get_by_label("作为快报发布").check()
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator("h1 .badge")).to_have_text("已发布")
    expect(page.locator(".facts")).to_contain_text("快报")
    bulletin.refresh_from_db()
    assert bulletin.quick and bulletin.serial_number == 1
    assert problems == []
