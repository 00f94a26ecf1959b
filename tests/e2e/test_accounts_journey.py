"""Accounts on a phone: the department creates a town user, who signs in through the one-time
link and sets a password, creates a secretary, and the secretary changes their password."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, pick, watch_console

pytestmark = pytest.mark.django_db(transaction=True)

TOWN_PASSWORD = "Mizhou-town-2026"
SECRETARY_FIRST = "Houhuang-sec-2026"
SECRETARY_NEW = "Houhuang-new-2027"


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _create(page: Page, username: str, role: str, choose: dict[str, str],
            committee: str = "") -> str:
    """Fill the new-account form, picking `committee` by typing it; return the one-time link
    the page shows."""
    page.get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name="新建账号").click()
    page.fill("#id_username", username)
    page.select_option("#id_role", label=role)
    for field, label in choose.items():
        page.locator(field).select_option(label=label)
    if committee:
        pick(page, page.get_by_role("combobox", name="联合党组织"), committee)
    _fits(page)
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name=f"账号 {username} 已创建")).to_be_visible()
    _fits(page)
    return page.locator("#account-link").input_value()


def _set_password(page: Page, link: str, password: str, username: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="设置密码")).to_be_visible()
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.get_by_role("button", name="设置密码并登录").click()
    expect(page.get_by_text("密码长度太短，至少须有 10 个字符。", exact=True)).to_be_visible()
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.get_by_role("button", name="设置密码并登录").click()
    expect(page.get_by_role("heading", name=f"您好，{username}")).to_be_visible()
    expect(page.get_by_text("密码已设置")).to_be_visible()
    _fits(page)


def test_department_town_and_secretary_accounts_on_a_phone(
    live_server, page: Page, new_context: Any, log_in, department_user, town, committee,
    other_committee,
) -> None:
    problems = watch_console(page)
    log_in(page, "dept")
    town_link = _create(page, "zhao.town", "镇街党(工)委", {"#id_towns": town.name})
    page.context.clear_cookies()

    town_page = new_context().new_page()
    watch_console(town_page, problems)
    _set_password(town_page, town_link, TOWN_PASSWORD, "zhao.town")
    # Town staff may create secretaries and inspectors of their own committees only.
    town_page.get_by_role("link", name="账号管理").click()
    town_page.get_by_role("link", name="新建账号").click()
    roles = town_page.locator("#id_role option").all_inner_texts()
    assert roles == ["联合党组织书记", "督查组"]
    picker = town_page.get_by_role("combobox", name="联合党组织")
    picker.click()
    expect(town_page.locator(".ts-dropdown .option")).to_have_text(
        [f"{town.name} · {committee.name}"])
    secretary_link = _create(town_page, "sun.sec", "联合党组织书记", {}, committee="后黄疃")

    secretary_page = new_context().new_page()
    watch_console(secretary_page, problems)
    _set_password(secretary_page, secretary_link, SECRETARY_FIRST, "sun.sec")
    # The link was for once.
    secretary_page.goto(secretary_link)
    expect(secretary_page.get_by_text("此链接已失效")).to_be_visible()
    secretary_page.goto(f"{live_server.url}/")
    secretary_page.get_by_role("link", name="我的账号").click()
    secretary_page.get_by_role("link", name="修改密码").click()
    secretary_page.fill("#id_old_password", SECRETARY_FIRST)
    secretary_page.fill("#id_new_password1", SECRETARY_NEW)
    secretary_page.fill("#id_new_password2", SECRETARY_NEW)
    secretary_page.get_by_role("button", name="修改密码").click()
    expect(secretary_page.get_by_text("密码已修改")).to_be_visible()
    _fits(secretary_page)

    secretary = User.objects.get(username="sun.sec")
    assert secretary.check_password(SECRETARY_NEW)
    kinds = list(secretary.account_events.order_by("id").values_list("kind", "actor__username"))
    assert kinds == [("created", "zhao.town"), ("link", "zhao.town"),
                     ("password_set", "sun.sec"), ("password_changed", "sun.sec")]
    assert problems == []
