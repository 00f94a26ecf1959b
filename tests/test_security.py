"""Security settings, headers and login throttling."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD


def test_pages_carry_a_content_security_policy_without_inline_code(client, department_user):
    client.force_login(department_user)
    response = client.get(reverse("committee_list"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    body = response.content.decode()
    assert "<script>" not in body and " onchange=" not in body and 'style="' not in body


def test_repeated_failed_logins_lock_the_account_out(client, department_user) -> None:
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "dept", "password": "wrong-password"})
        assert response.status_code == 200
        assert "请输入一个正确的用户名和密码" in response.content.decode()
    last = client.post(url, {"username": "dept", "password": "wrong-password"})
    assert last.status_code == 429
    locked = client.post(url, {"username": "dept", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_resets_the_count(client, department_user) -> None:
    url = reverse("login")
    client.post(url, {"username": "dept", "password": "wrong-password"})
    response = client.post(url, {"username": "dept", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(department_user.pk)


def test_deploy_check_is_clean_under_production_settings(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "SECRET_KEY": "x" * 64 + "production-like-secret-key-for-the-check",
        "HTTPS": "true", "ALLOWED_HOSTS": "twinning.example.cn",
        "SQLITE_PATH": str(tmp_path / "check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_the_development_key(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "twinning.settings",
           "SQLITE_PATH": str(tmp_path / "x.sqlite3")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR,
                            env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("name", ["SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY"])
def test_cookies_are_not_readable_by_scripts(name: str) -> None:
    assert getattr(settings, name) is True
