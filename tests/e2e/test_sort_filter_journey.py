"""On a phone, town staff order the branch list by a column, then filter it: the order stays."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import watch_console
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_filtering_a_sorted_list_keeps_its_order(
    page: Page, live_server, log_in, town_user, town
) -> None:
    for name in ("甲村党支部", "乙村党支部", "丙村党支部"):
        VillageFactory(town=town, name=f"测试{name}")
    problems = watch_console(page)
    log_in(page, "town")
    page.goto(f"{live_server.url}/branches/")
    page.get_by_role("link", name=re.compile("^名称")).click()
    page.get_by_role("link", name=re.compile("^名称")).click()  # again: the other way
    header = page.locator("th", has=page.get_by_role("link", name=re.compile("^名称")))
    expect(header).to_have_attribute("aria-sort", "descending")
    page.get_by_label("搜索").fill("测试")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(header).to_have_attribute("aria-sort", "descending")
    names = page.locator("tbody tr td:first-child").all_inner_texts()
    assert [n for n in names if n.startswith("测试")] == sorted(
        [n for n in names if n.startswith("测试")], reverse=True)
    assert len(names) == 3
    assert problems == []
