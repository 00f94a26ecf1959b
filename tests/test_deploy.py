"""The production shape, outside containers: the compose file is valid, and the same
start-up commands it runs (gunicorn serving the site) work with production settings."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.conftest import skip_unless

ROOT = Path(settings.BASE_DIR)


def test_compose_file_is_valid() -> None:
    skip_unless(bool(shutil.which("docker-compose")), "docker-compose (make system-deps)")
    env = {**os.environ, "POSTGRES_PASSWORD": "p", "SECRET_KEY": "s", "ALLOWED_HOSTS": "h"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:"):
        assert service in result.stdout
    assert "gunicorn twinning.wsgi:application" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_site_with_production_settings(tmp_path) -> None:
    env = {
        "PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "SECRET_KEY": "production-like-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1", "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
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
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.3)
        assert health == b"ok"
        login = urllib.request.urlopen(f"{base}/accounts/login/", timeout=5)
        page = login.read().decode()
        assert "登录" in page and "Content-Security-Policy" in login.headers
        css = page.split('href="')[1].split('"')[0]
        assert ".css" in css and urllib.request.urlopen(base + css, timeout=5).status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
