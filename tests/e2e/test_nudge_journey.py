"""On a phone: town staff remind (催报) the committees that have not filed, from the
completeness page, confirm, and see what was sent; the row then says it was reminded today."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import navigate
from tests.factories import MonthlyUpdateFactory
from twinning.monthly import rules
from twinning.monthly.models import MonthlyNudge

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_town_staff_nudge_the_committees_not_filed_on_a_phone(
    live_server, page: Page, log_in, town_user, secretary_user, committee, second_committee,
) -> None:
    period = rules.last_due_period(timezone.localdate())
    MonthlyUpdateFactory(committee=second_committee, period=period)  # filed
    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    log_in(page, "town")
    navigate(page, "报送情况")
    row = page.locator("#grid tbody tr", has_text=committee.name)
    expect(row.get_by_role("link", name="催报", exact=True)).to_be_visible()
    expect(page.locator("#grid tbody tr", has_text=second_committee.name)
           .get_by_role("link", name="催报", exact=True)).to_have_count(0)

    page.locator("#nudge-all").click()
    expect(page.locator("h1")).to_contain_text("催报")
    expect(page.locator("#nudge-list li")).to_have_count(1)
    expect(page.locator("#nudge-list")).to_contain_text(committee.name)
    assert _fits(page)
    page.get_by_role("button", name="确认催报（1个）").click()

    message = page.locator(".messages")
    expect(message).to_contain_text("已向 1 个联合党组织发送催报，0 个今日已催报。")
    expect(message).to_be_in_viewport()
    row = page.locator("#grid tbody tr", has_text=committee.name)
    expect(row.locator(".nudge")).to_contain_text("今日已催报")
    expect(row.locator(".nudge")).to_contain_text("已催报")
    expect(row.get_by_role("link", name="催报", exact=True)).to_have_count(0)
    assert MonthlyNudge.objects.filter(committee=committee, sent_by=town_user).count() == 1


def test_a_nudge_for_a_locked_month_says_so_before_it_is_sent(
    live_server, page: Page, log_in, town_user, secretary_user, committee,
) -> None:
    from twinning.shared.periods import add_months, format_period

    locked = add_months(rules.last_due_period(timezone.localdate()), -3)
    log_in(page, "town")
    page.goto(f"{live_server.url}/monthly/completeness/?month={format_period(locked)}")
    page.locator("#grid tbody tr", has_text=committee.name).get_by_role(
        "link", name="催报", exact=True).click()
    notice = page.locator("#nudge-confirm .notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"已于{rules.lock_date(locked).isoformat()}锁定")
    expect(notice).to_contain_text("申请重新开放")
    assert _fits(page)
