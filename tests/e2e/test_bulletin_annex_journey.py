"""On a phone (390×844), a leader opens a published bulletin and downloads its spreadsheet
annex, which the bulletin names; the dashboard says as of which day it counts warnings."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from reports.bulletins import issuing, services
from tests.e2e.conftest import navigate, watch_console
from tests.factories import make_publishable
from twinning.shared.periods import previous_month

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_downloads_the_annex_on_a_phone(
    live_server, page: Page, log_in, committee, department_user, leader_user,
) -> None:
    period = previous_month(timezone.localdate())
    make_publishable(period, committee)
    bulletin = services.bulletin_request(period=period)
    assert services.bulletin_build(bulletin.pk) == "ready"
    bulletin.refresh_from_db()
    # Early in the month last month's filing is still open: then only a 快报 may go out.
    services.bulletin_publish(bulletin=bulletin, user=department_user,
                              quick=not issuing.filing_closed(bulletin))

    problems = watch_console(page)
    log_in(page, "leader")
    page.goto(f"{live_server.url}{bulletin.get_absolute_url()}")
    link = page.get_by_role("link", name=f"下载附件（XLSX，{bulletin.annex_rows}行）")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == bulletin.annex_filename
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = sum(book[name].max_row - 1 for name in book.sheetnames)
    assert rows == bulletin.annex_rows

    navigate(page, "数据看板")
    today = timezone.localdate()
    expect(page.get_by_text(f"截至{today.year}年{today.month}月{today.day}日（今天）的预警"))\
        .to_be_visible()
    assert problems == []
