"""A real Celery worker, started as a subprocess against Redis, runs the reminder task and its
effect lands in the test database.

It needs PostgreSQL (the worker process must reach the test database; in-memory SQLite lives
in one process) and Redis. Without them it is skipped on a developer's machine; under CI (the
CI environment variable is set) it fails instead, because CI must really run it.
"""

import datetime
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from twinning.models import ReminderLog
from twinning.tasks import send_reminders

REDIS_URL = "redis://127.0.0.1:6379/3"
CELERY = Path(sys.executable).with_name("celery")
TIMEOUT = 60


def _missing_service() -> str | None:
    if connection.vendor != "postgresql":
        return f"the worker test needs PostgreSQL, not {connection.vendor}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is unreachable: {error}"
    return None


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A solo worker on a queue of its own, stopped (and waited for) whatever happens."""
    missing = _missing_service()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Celery worker test: {missing}")
        pytest.skip(missing)
    queue = f"test-worker-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "celery-worker-test",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CELERY), "-A", "twinning", "worker", "--pool=solo", "--concurrency=1",
             "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, *client.keys(f"*{queue}*"))
        print(log.read_text(errors="replace")[-3000:])


def test_a_real_worker_sends_the_reminders_and_records_them(
    worker: str, secretary_user, committee
) -> None:
    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    probe = Celery("probe", broker=REDIS_URL, backend=REDIS_URL)
    probe.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        first = probe.send_task(send_reminders.name, args=["2026-03-02"], queue=worker)
        assert first.get(timeout=TIMEOUT) == {"users": 1, "items": 1, "emails": 1, "failed": 0}
        log = ReminderLog.objects.get()
        assert (log.user, log.key, log.sent_on, log.emailed) == (
            secretary_user, f"monthly:{committee.pk}:2026-02", datetime.date(2026, 3, 2), True
        )
        again = probe.send_task(send_reminders.name, args=["2026-03-02"], queue=worker)
        assert again.get(timeout=TIMEOUT)["items"] == 0
        assert ReminderLog.objects.count() == 1
        first.forget()
        again.forget()
    finally:
        probe.close()
