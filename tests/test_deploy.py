"""The production shape, outside containers: the compose file is valid, the same start-up
commands and health check it runs work with production settings (HTTPS, a real host name),
the demo serves the site with DEBUG off, and error pages are the site's own."""

import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import LoginView
from django.db import OperationalError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import skip_unless

ROOT = Path(settings.BASE_DIR)
PRODUCTION_HOST = "twinning.example.gov.cn"
# What the compose file and the README's .env give a real deployment.
PRODUCTION_ENV = {
    "ALLOWED_HOSTS": PRODUCTION_HOST, "HTTPS": "true", "BEHIND_PROXY": "true",
    "PROXY_COUNT": "1", "SECRET_KEY": "production-like-secret-key-" + "x" * 40,
}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${NAME:-default}` substitution, enough for the values checked here."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1]) or m[2], value)


def _health_check() -> list[str]:
    """The web service's health check command, as the container runs it."""
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD", test
    return test[1:]


def _health_check_url() -> SplitResult:
    return urlsplit(re.search(r"https?://[^'\"\s]+", " ".join(_health_check()))[0])


def test_compose_file_is_valid() -> None:
    skip_unless(bool(shutil.which("docker-compose")), "docker-compose (make system-deps)")
    env = {**os.environ, "POSTGRES_PASSWORD": "p", "SECRET_KEY": "s", "ALLOWED_HOSTS": "h"}
    env.pop("WEB_BIND", None)
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:"):
        assert service in result.stdout
    assert "gunicorn twinning.wsgi:application" in result.stdout
    (port,) = yaml.safe_load(result.stdout)["services"]["web"]["ports"]
    # docker-compose v1 prints "ip:published:target/tcp", v2 the long form.
    if isinstance(port, dict):
        published = (port.get("host_ip"), str(port["published"]), str(port["target"]))
    else:
        published = tuple(port.split("/")[0].split(":"))
    assert published == ("127.0.0.1", "8000", "8000")


def test_compose_publishes_the_web_port_on_loopback_unless_told_otherwise() -> None:
    # The app trusts X-Forwarded-* headers: only the reverse proxy on the host may reach it.
    (port,) = _compose()["services"]["web"]["ports"]
    assert _interpolate(port, {}) == "127.0.0.1:8000:8000"
    assert _interpolate(port, {"WEB_BIND": "0.0.0.0", "WEB_PORT": "8080"}) == "0.0.0.0:8080:8000"


def _production_settings() -> ModuleType:
    """twinning/settings.py as a production environment (PRODUCTION_ENV) reads it."""
    spec = importlib.util.spec_from_file_location("production_settings",
                                                  ROOT / "twinning" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, PRODUCTION_ENV):
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def production(settings: Any, db: None) -> None:
    """The request-handling settings of production (HTTPS, a real host name, behind a proxy)."""
    real = _production_settings()
    assert real.SECURE_SSL_REDIRECT and real.ALLOWED_HOSTS == [PRODUCTION_HOST]
    for name in ("DEBUG", "ALLOWED_HOSTS", "MIDDLEWARE", "SECURE_SSL_REDIRECT",
                 "SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST", "SECURE_HSTS_SECONDS",
                 "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        setattr(settings, name, getattr(real, name))


def test_the_compose_health_check_passes_under_production_settings(client, production) -> None:
    url = _health_check_url()
    assert url.path == reverse("healthz")
    response = client.get(url.path, HTTP_HOST=url.netloc, secure=url.scheme == "https")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_only_the_health_check_skips_host_validation_and_the_https_redirect(
    client, production
) -> None:
    inside = _health_check_url().netloc
    assert client.get("/", HTTP_HOST=inside).status_code == 400
    assert client.get("/healthz/", HTTP_HOST=inside).status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST=inside).status_code == 400
    plain = client.get("/accounts/login/", HTTP_HOST=PRODUCTION_HOST)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://{PRODUCTION_HOST}/accounts/login/"
    proxied = client.get("/accounts/login/", HTTP_HOST=PRODUCTION_HOST,
                         HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    """One request, redirects not followed; the body is read into `.body`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def _wait_until(ready: Any, server: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        assert server.poll() is None, server.stderr.read().decode()
        assert time.monotonic() < deadline, f"{what} did not answer in 30 s"
        time.sleep(0.3)


def test_gunicorn_serves_the_site_with_production_settings(tmp_path) -> None:
    env = {
        "PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "twinning.settings",
        **PRODUCTION_ENV, "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media"),
    }
    python = sys.executable
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    port = _free_port()
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "twinning.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The container's own health check, word for word, pointed at this server's port.
    compose_web = _compose()["services"]["web"]
    assert "--bind 0.0.0.0:8000" in compose_web["command"]
    check = [python if word == "python" else word.replace(":8000/", f":{port}/")
             for word in _health_check()]
    assert check != _health_check()

    def healthy() -> bool:
        return subprocess.run(check, env=env, capture_output=True).returncode == 0

    try:
        _wait_until(healthy, server, "the health check")
        proxy = {"Host": PRODUCTION_HOST, "X-Forwarded-Proto": "https"}
        login = _get(port, "/accounts/login/", **proxy)
        page = login.body.decode()
        assert login.status == 200
        assert "登录" in page and login.headers["Content-Security-Policy"]
        css = page.split('href="')[1].split('"')[0]
        assert ".css" in css and _get(port, css, **proxy).status == 200
        # Nothing else answers a request that did not come through the proxy.
        assert _get(port, "/accounts/login/").status == 400
        plain = _get(port, "/accounts/login/", Host=PRODUCTION_HOST)
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{PRODUCTION_HOST}/accounts/login/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _demo_commands(port: int) -> list[str]:
    """What `make demo DEMO_DEBUG=false` runs, one shell line each (make -n prints them)."""
    venv = Path(sys.executable).parent.parent
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "demo", "DEMO_DEBUG=false",
         f"DEMO_ADDR=127.0.0.1:{port}", f"VENV={venv}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return result.stdout.replace("\\\n", " ").splitlines()


def test_demo_without_debug_collects_static_files_and_serves_them(tmp_path) -> None:
    skip_unless(bool(shutil.which("make")), "make")
    port = _free_port()
    lines = _demo_commands(port)
    (serve,) = [i for i, line in enumerate(lines) if "runserver" in line]
    collect = [i for i, line in enumerate(lines) if "collectstatic" in line]
    assert collect and collect[-1] < serve, "the demo serves before collecting static files"
    env = {
        "PATH": os.environ["PATH"], "ALLOW_DEV_SECRET_KEY": "true",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    subprocess.run(lines[collect[-1]], shell=True, cwd=ROOT, env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen(lines[serve], shell=True, cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)

    def answers() -> bool:
        try:
            return _get(port, "/accounts/login/").status == 200
        except OSError:
            return False

    try:
        _wait_until(answers, server, "the demo server")
        page = _get(port, "/accounts/login/").body.decode()
        assert "登录" in page
        css = page.split('href="')[1].split('"')[0]
        assert re.search(r"/static/css/app\.[0-9a-f]{12}\.css$", css), css
        style = _get(port, css)
        assert style.status == 200 and b"--red" in style.body
        missing = _get(port, "/no-such-page/")
        assert missing.status == 404 and "页面不存在" in missing.body.decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


# Error pages: the site's layout in Chinese, with a way back, never Django's bare pages.

def _layout(body: str) -> None:
    assert 'class="brand" href="/"' in body  # the site's header
    assert 'href="/static/css/app.' in body
    assert "返回首页" in body
    assert "<script>" not in body  # the content security policy forbids inline code


@pytest.fixture
def no_debug(settings: Any) -> None:
    settings.DEBUG = False


def test_an_unknown_address_shows_the_not_found_page(client, department_user, no_debug) -> None:
    client.force_login(department_user)
    came_from = "http://testserver/committees/"
    response = client.get("/no-such-page/", HTTP_REFERER=came_from)
    assert response.status_code == 404
    body = response.content.decode()
    _layout(body)
    assert "页面不存在" in body
    assert f'href="{came_from}"' in body and "返回上一页" in body
    assert "月度通报" in body  # the user's own navigation


def test_the_way_back_never_leads_to_another_site(client, department_user, no_debug) -> None:
    client.force_login(department_user)
    response = client.get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/")
    body = response.content.decode()
    assert "elsewhere.example" not in body and "返回上一页" not in body
    assert "返回首页" in body


def test_a_forbidden_action_shows_the_permission_page(client, town_user, no_debug) -> None:
    client.force_login(town_user)
    response = client.get(reverse("warning_settings"))
    assert response.status_code == 403
    body = response.content.decode()
    _layout(body)
    assert "没有权限" in body


def test_a_stale_form_shows_the_chinese_csrf_page(department_user, no_debug) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "dept", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    _layout(body)
    assert "页面已过期" in body and "CSRF" not in body


def test_a_server_error_shows_the_error_page_with_the_layout(
    client, department_user, no_debug
) -> None:
    client.force_login(department_user)
    client.raise_request_exception = False
    with mock.patch("twinning.site.views.render", side_effect=RuntimeError("broken page")):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    body = response.content.decode()
    _layout(body)
    assert "服务器出错" in body and "broken page" not in body
    assert "月度通报" in body


def test_the_error_page_still_renders_when_the_database_is_down(
    client, department_user, no_debug
) -> None:
    client.force_login(department_user)
    client.raise_request_exception = False
    down = OperationalError("could not connect to server")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=down):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    body = response.content.decode()
    _layout(body)
    assert "服务器出错" in body


def test_the_error_page_has_a_last_resort_when_the_layout_fails(client, no_debug) -> None:
    client.raise_request_exception = False
    with (mock.patch.object(LoginView, "get", side_effect=RuntimeError("broken view")),
          mock.patch("twinning.site.errors.render_to_string",
                     side_effect=ValueError("no manifest")),
          mock.patch("twinning.site.errors.render", side_effect=ValueError("no manifest"))):
        response = client.get(reverse("login"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错" in body and 'href="/"' in body


def test_the_too_many_requests_page_says_to_wait() -> None:
    request = RequestFactory().get("/imports/")
    request.user = AnonymousUser()
    body = render_to_string("429.html", request=request)
    _layout(body)
    assert "请求过于频繁" in body


def test_error_pages_follow_the_chosen_language(client, department_user, no_debug) -> None:
    client.force_login(department_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body and "页面不存在" not in body
