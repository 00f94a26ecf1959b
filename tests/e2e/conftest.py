"""Browser tests: Debian's Chromium through Playwright, against Django's live server.

The `page` fixture is a phone; `desk` is a second person at a desktop at the same time.
Failed tests leave screenshots of every open page in var/test-results (see pyproject.toml).
"""

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls the test makes
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


@pytest.fixture(autouse=True)
def _pages_kept(kept_pages: None) -> None:
    """In the browser the main pages are kept whole, as in production."""


@pytest.fixture
def log_in(live_server: Any) -> Callable[[Page, str], None]:
    """Log `page` in as `username` (a persona of tests/conftest.py) from the login page."""

    def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
        device = _second_factor(username)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        if device is not None:
            page.fill("#id_token", next_code(device))
            page.get_by_role("button", name="验证").click()
        expect(page.get_by_role("heading", name=f"您好，{username}")).to_be_visible()

    return log_in


def _second_factor(username: str) -> Any:
    """The TOTP device of an account that signs in with a second factor (enrolled here for
    department personas), or None."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from twinning.shared import permissions
    from twinning.shared.models import Profile

    user = User.objects.select_related("profile").get(username=username)
    if not (permissions.can(user, "need_second_factor") or user.profile.second_factor):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        # A wide tolerance: one test may sign the same persona in several times a step.
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True,
                                           tolerance=3)
        Profile.objects.filter(user=user).update(second_factor=True)
    return device


def next_code(device: Any) -> str:
    """The authenticator app's code for the first time step the device has not used yet."""
    import time

    from django_otp.oath import totp

    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    ahead = max(0, device.last_t + 1 - now)
    return f"{totp(device.bin_key, device.step, device.t0 - ahead * device.step):06d}"


@pytest.fixture
def desk(new_context: Callable[..., Any]) -> Page:
    """A page in a browser of its own on a desktop screen: another user, signed in apart."""
    page = new_context().new_page()
    page.set_viewport_size(DESKTOP)
    return page


def navigate(page: Page, name: str) -> None:
    """Follow the main navigation's link `name`, opening the menu it sits in first, if any."""
    nav = page.get_by_role("navigation", name="主导航")
    # A link in a closed menu is hidden from the accessibility tree until the menu opens.
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)
    menu = nav.locator("details", has=link)
    if menu.count() and not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    nav.locator(link).click()


def watch_console(page: Page, problems: list[str] | None = None) -> list[str]:
    """A list (`problems`, or a new one) that collects the errors `page`'s console reports from
    now on (a refusal by the content security policy is one) and its uncaught exceptions."""
    problems = [] if problems is None else problems

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"{page.url}: console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def error_summary_in_view(page: Page) -> Any:
    """The form's error summary (templates/includes/error_summary.html), once it is shown
    whole inside the viewport and has the focus; a phone shows it without scrolling."""
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    box = summary.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, height: window.innerHeight}; }")
    # Scrolled to its top edge, which may land a fraction of a pixel above the viewport.
    assert -1 < box["top"] and box["bottom"] <= box["height"], box
    return summary


def pick(page: Page, box: Locator, fragment: str) -> None:
    """Type `fragment` into a type-ahead picker's `box` and take its one answer with Enter."""
    box.click()
    box.press_sequentially(fragment)
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    box.press("Enter")
