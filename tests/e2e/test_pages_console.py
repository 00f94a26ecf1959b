"""The main pages on a phone run their scripts without an error or a refusal by the site's
content security policy, and the dashboard's charts are drawn."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, watch_console
from tests.factories import MonthlyUpdateFactory
from tests.factories_aid import AidProjectFactory, ProgressFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "/": "您好，dept",
    "/committees/": "联合党组织",
    "/dashboard/": "数据看板",
    "/monthly/completeness/": "报送情况",
}


def test_main_pages_have_no_script_errors_on_a_phone(
    live_server, page: Page, log_in, department_user, committee, other_committee,
) -> None:
    MonthlyUpdateFactory(committee=committee)
    ProgressFactory(project=AidProjectFactory(committee=committee))
    problems = watch_console(page)
    log_in(page, "dept")
    for path, heading in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_contain_text(heading)
        page.wait_for_load_state("networkidle")
        # Nothing wider than the phone: tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        if path == "/dashboard/":
            drawn = page.evaluate(
                "[...document.querySelectorAll('canvas')]"
                ".map(c => Boolean(Chart.getChart(c)) && c.width > 0 && c.height > 0)"
            )
            # One chart per section's canvas (overview ×2, filing, scores, aid ×2).
            assert drawn == [True] * 6
    assert problems == []
