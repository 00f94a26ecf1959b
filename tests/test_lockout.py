"""The login lock-out: a user name is locked at one client address, never for the world.

Requests go through the real login view; the client address is what the site would see behind
its reverse proxy (REMOTE_ADDR is the proxy, X-Forwarded-For as the proxy passes it on) or,
without a proxy, REMOTE_ADDR alone.
"""

import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.conftest import PASSWORD

PROXY = "10.0.0.2"  # the reverse proxy in front of the site
SECOND_PROXY = "10.0.0.3"  # a load balancer in front of that proxy
WRONG = "wrong-password"


def attempt(
    client: Client, username: str, password: str, *, remote: str = PROXY, forwarded: str = ""
):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def via_proxy(client: Client, username: str, password: str, address: str, *, sent: str = ""):
    """A request from `address` through one proxy that appends the address it saw to
    whatever X-Forwarded-For the client itself sent (`sent`)."""
    forwarded = f"{sent}, {address}" if sent else address
    return attempt(client, username, password, forwarded=forwarded)


def logged_in(response, client: Client) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def behind_one_proxy(settings) -> None:
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1


def test_failures_from_twelve_addresses_do_not_lock_out_a_thirteenth(
    client, department_user, behind_one_proxy
) -> None:
    for i in range(1, 13):
        response = via_proxy(client, "dept", WRONG, f"203.0.113.{i}")
        assert response.status_code == 200, f"address {i} was refused"
        assert "请输入一个正确的用户名和密码" in response.content.decode()
    response = via_proxy(client, "dept", PASSWORD, "203.0.113.13")
    assert logged_in(response, client)


def test_five_failures_from_one_address_lock_the_user_out_at_that_address_only(
    client, department_user, behind_one_proxy
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert via_proxy(client, "dept", WRONG, "203.0.113.7").status_code == 200
    assert via_proxy(client, "dept", WRONG, "203.0.113.7").status_code == 429

    locked = via_proxy(client, "dept", PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    page = locked.content.decode()
    assert "登录已暂时锁定" in page
    assert "用户名“dept”在您当前的网络地址（203.0.113.7）" in page

    elsewhere = Client()
    assert logged_in(via_proxy(elsewhere, "dept", PASSWORD, "198.51.100.20"), elsewhere)


def test_the_lock_out_page_says_when_the_lock_ends(client, department_user) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "dept", WRONG, remote="198.51.100.9")
    last_failure = AccessAttempt.objects.get(username="dept").attempt_time
    ends = last_failure + timedelta(hours=settings.AXES_COOLOFF_TIME)

    locked = attempt(client, "dept", PASSWORD, remote="198.51.100.9")
    assert locked.status_code == 429
    shown = formats.date_format(timezone.localtime(ends), "DATETIME_FORMAT")
    assert f"锁定将于{shown}解除" in locked.content.decode()

    # Trying again while locked does not push the end further away.
    attempt(client, "dept", WRONG, remote="198.51.100.9")
    row = AccessAttempt.objects.get(username="dept")
    assert (row.attempt_time, row.failures_since_start) == (last_failure, 5)


def test_the_lock_out_page_is_translated(client, department_user) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "dept", WRONG, remote="198.51.100.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    locked = attempt(client, "dept", PASSWORD, remote="198.51.100.9")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Login temporarily locked" in page
    assert "锁定" not in page
    with translation.override("en"):
        ends = AccessAttempt.objects.get().attempt_time + timedelta(hours=1)
        assert formats.date_format(timezone.localtime(ends), "DATETIME_FORMAT") in page


def test_behind_a_proxy_an_address_the_client_sends_itself_is_ignored(
    client, department_user, behind_one_proxy
) -> None:
    for i in range(1, settings.AXES_FAILURE_LIMIT + 1):
        via_proxy(client, "dept", WRONG, "203.0.113.7", sent=f"192.0.2.{i}")
    locked = via_proxy(client, "dept", PASSWORD, "203.0.113.7", sent="192.0.2.99")
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_behind_two_proxies_the_client_is_the_second_address_from_the_right(
    client, department_user, settings
) -> None:
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 2
    # The load balancer appends the client, the proxy appends the load balancer.
    for i in range(1, settings.AXES_FAILURE_LIMIT + 1):
        forwarded = f"192.0.2.{i}, 203.0.113.7, {SECOND_PROXY}"
        attempt(client, "dept", WRONG, forwarded=forwarded)
    locked = attempt(client, "dept", PASSWORD, forwarded=f"203.0.113.7, {SECOND_PROXY}")
    assert locked.status_code == 429
    other = Client()
    response = attempt(other, "dept", PASSWORD, forwarded=f"203.0.113.8, {SECOND_PROXY}")
    assert logged_in(response, other)


def test_a_request_with_too_few_forwarded_addresses_counts_for_the_proxy(
    client, department_user, settings
) -> None:
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 2
    # Only one address where two proxies would have written two: the client's own header
    # reached the proxy without passing the load balancer, so none of it is trusted.
    attempt(client, "dept", WRONG, forwarded="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == PROXY


def test_behind_a_proxy_the_proxy_count_is_one_unless_set_and_never_zero(tmp_path) -> None:
    def proxy_count(**env: str) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "twinning.settings",
               "DEBUG": "true", "SQLITE_PATH": str(tmp_path / "x.sqlite3"), **env}
        code = "from django.conf import settings; print(settings.PROXY_COUNT)"
        return subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True)

    assert proxy_count().stdout.strip() == "0"
    assert proxy_count(BEHIND_PROXY="true").stdout.strip() == "1"
    assert proxy_count(BEHIND_PROXY="true", PROXY_COUNT="2").stdout.strip() == "2"
    refused = proxy_count(BEHIND_PROXY="true", PROXY_COUNT="0")
    assert refused.returncode != 0
    assert "BEHIND_PROXY=true needs PROXY_COUNT of 1 or more" in refused.stderr


def test_without_a_proxy_a_forged_forwarded_for_does_not_change_the_address(
    client, department_user
) -> None:
    assert not settings.BEHIND_PROXY
    for i in range(1, settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "dept", WRONG, remote="198.51.100.9", forwarded=f"203.0.113.{i}")
    locked = attempt(client, "dept", PASSWORD, remote="198.51.100.9", forwarded="203.0.113.50")
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"


def test_one_address_trying_many_user_names_is_throttled(
    client, department_user, behind_one_proxy
) -> None:
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        assert via_proxy(client, f"user{i:02}", PASSWORD, "203.0.113.7").status_code == 200
    assert via_proxy(client, "another", PASSWORD, "203.0.113.7").status_code == 429

    throttled = via_proxy(client, "dept", PASSWORD, "203.0.113.7")
    assert throttled.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "您当前的网络地址（203.0.113.7）登录失败次数过多" in throttled.content.decode()

    elsewhere = Client()
    assert logged_in(via_proxy(elsewhere, "dept", PASSWORD, "203.0.113.8"), elsewhere)


def test_a_successful_login_does_not_clear_the_address_count(
    client, department_user, behind_one_proxy
) -> None:
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for i in range(limit - 1):
        via_proxy(client, f"user{i:02}", PASSWORD, "203.0.113.7")
    assert logged_in(via_proxy(client, "dept", PASSWORD, "203.0.113.7"), client)
    client.logout()
    assert via_proxy(client, "another", PASSWORD, "203.0.113.7").status_code == 429
