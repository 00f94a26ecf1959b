"""Faults: the broker down, a worker killed mid-build, the database refusing a write."""

import datetime
import os
import signal
import time
from types import SimpleNamespace

import celery.exceptions
import kombu.utils.functional
import pytest
import redis
import redis.connection
import redis.retry
from django.db import OperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError as KombuOperationalError

from reports import services as bulletin_services
from reports import tasks
from reports.models import Bulletin
from tests.factories import make_committee
from twinning import services
from twinning.celery import app

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: as if Redis had stopped


def _reconnect(**conf) -> None:
    # Celery caches its connection pool and result backend per app; forget them (as Celery
    # does after a fork) so the next send uses the new broker and backend.
    app.conf.update(conf)
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker_down():
    """Point Celery's broker and result backend at a port where no Redis listens."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    _reconnect(broker_url=DOWN, result_backend=DOWN, task_always_eager=False)
    yield
    _reconnect(**saved)


@pytest.fixture
def redis_attempts(monkeypatch):
    """Every connection Redis clients try, and every pause a retry loop takes, in order.

    The pauses are recorded instead of slept, so a request that would wait shows it here
    rather than by being slow.
    """
    record = SimpleNamespace(connects=0, pauses=[])
    original = redis.connection.Connection._connect

    def connect(self):
        record.connects += 1
        return original(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", connect)
    monkeypatch.setattr(kombu.utils.functional, "sleep", record.pauses.append)
    monkeypatch.setattr(redis.retry, "sleep", record.pauses.append)
    return record


def test_database_refusing_a_write_keeps_the_users_input(
    client, department_user, committee, monkeypatch
) -> None:
    def refuse(**kwargs):
        raise OperationalError("could not write: database is read-only")

    monkeypatch.setattr(services, "committee_update", refuse)
    client.force_login(department_user)
    response = client.post(
        reverse("committee_edit", args=[committee.code]),
        {"name": "我刚输入的新名称", "urban": committee.urban_id, "formation": "voluntary",
         "established_on": "2024-01-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "数据库暂时无法保存，您填写的内容已保留" in body
    assert 'value="我刚输入的新名称"' in body


def test_with_the_broker_down_pages_work_and_the_build_waits_for_it(
    client, department_user, town, settings, tmp_path, broker_down, redis_attempts,
    django_capture_on_commit_callbacks,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    make_committee(town=town)
    client.force_login(department_user)
    client.raise_request_exception = False  # a 500 must show as a 500, not as an exception
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulletin_build"), {"period": "2026-10"}, follow=True)
    assert response.status_code == 200
    bulletin = Bulletin.objects.get()
    assert bulletin.state == Bulletin.State.QUEUED
    assert "排队中" in response.content.decode()
    # The request answered at once: one connection per publish attempt the settings allow,
    # none to a result backend, and no pause between attempts.
    allowed = 1 + settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"]
    assert redis_attempts.connects <= allowed
    assert redis_attempts.pauses == []
    assert client.get(reverse("committee_list")).status_code == 200
    # The broker is back: the beat task hands the queued build over.
    _reconnect(task_always_eager=True)
    assert tasks.dispatch_queued_bulletins() == 1
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.READY and bulletin.pdf


@pytest.mark.parametrize("error", [
    KombuOperationalError("connection refused"),
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:1"),
    redis.exceptions.TimeoutError("Timeout connecting to server"),
    RuntimeError("Retry limit exceeded while trying to reconnect to the result backend"),
    ConnectionRefusedError(111, "Connection refused"),
    celery.exceptions.CeleryError("broker gone"),
], ids=lambda error: type(error).__name__)
def test_any_broker_error_at_publish_leaves_the_version_queued(
    db, monkeypatch, caplog, error
) -> None:
    def refuse(*args, **kwargs):
        raise error

    bulletin = bulletin_services.bulletin_request(period=datetime.date(2026, 10, 1))
    monkeypatch.setattr(tasks.build_bulletin, "apply_async", refuse)
    assert tasks.send(bulletin.pk) is False
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.QUEUED
    assert f"bulletin {bulletin.pk} stays queued" in caplog.text


def _kill_worker(queue: str) -> None:
    for pid in os.popen(f"pgrep -f 'celery.*{queue}'").read().split():
        os.kill(int(pid), signal.SIGKILL)


def test_a_worker_killed_mid_build_leaves_no_broken_bulletin(real_worker, town) -> None:
    for kind in ("residents", "enterprise", "department") * 5:
        make_committee(town=town, urban_kind=kind, villages=3)
    period = datetime.date(2026, 10, 1)
    # Kill the worker the moment it has claimed the build; should a build ever finish
    # before we look, start another version and try again.
    for _attempt in range(5):
        bulletin = bulletin_services.bulletin_request(period=period)
        tasks.build_bulletin.apply_async(args=[bulletin.pk], queue=real_worker)
        deadline = time.monotonic() + 60
        while bulletin.state == Bulletin.State.QUEUED and time.monotonic() < deadline:
            time.sleep(0.005)
            bulletin.refresh_from_db()
        if bulletin.state == Bulletin.State.BUILDING:
            _kill_worker(real_worker)
            break
        assert bulletin.state == Bulletin.State.READY and bulletin.pdf
    bulletin.refresh_from_db()
    # The kill hit mid-build: the version is not "ready", and it has no PDF.
    assert bulletin.state == Bulletin.State.BUILDING
    assert not bulletin.pdf
    long_ago = bulletin.requested_at - bulletin_services.STALE_AFTER * 2
    Bulletin.objects.filter(pk=bulletin.pk).update(heartbeat_at=long_ago)
    assert bulletin_services.bulletins_recover_stale() == 1
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.FAILED and "中断" in bulletin.last_error
    assert Bulletin.objects.filter(state=Bulletin.State.READY, pdf="").count() == 0
