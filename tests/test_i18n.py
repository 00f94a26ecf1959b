"""Simplified Chinese by default, English by the switch on every page."""

import subprocess
from pathlib import Path

from django.conf import settings
from django.urls import reverse

CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalog_has_no_untranslated_or_fuzzy_entries() -> None:
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(CATALOG)],
            capture_output=True, text=True, check=True,
        ).stdout
        assert "msgid" not in out, out


def test_chinese_is_the_default(client, department_user) -> None:
    client.force_login(department_user)
    body = client.get(reverse("committee_list")).content.decode()
    assert '<html lang="zh-CN">' in body
    assert "联合党组织" in body and "筛选" in body


def test_language_switch_turns_the_pages_into_english(client, department_user) -> None:
    client.force_login(department_user)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("committee_list")}
    )
    assert response.status_code == 302
    body = client.get(reverse("committee_list")).content.decode()
    assert '<html lang="en">' in body
    assert "Joint committees" in body and "Filter" in body


def test_login_page_offers_the_switch_before_login(client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert 'name="language"' in body and "English" in body


def test_browser_language_does_not_override_the_chinese_default(client, department_user) -> None:
    client.force_login(department_user)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-CN">' in body
