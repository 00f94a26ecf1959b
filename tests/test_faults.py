"""Faults: the broker down, a worker killed mid-build, the database refusing a write."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from types import SimpleNamespace

import celery.exceptions
import kombu.utils.functional
import pytest
import redis
import redis.connection
import redis.retry
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from reports.bulletins import services as bulletin_services
from reports.bulletins import tasks
from reports.bulletins.models import Bulletin
from tests.conftest import _database_url, redis_reachable, skip_unless
from tests.factories import make_committee
from twinning.celery import app
from twinning.committees import services

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


OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def city(town):
    return [make_committee(town=town, urban_kind=kind, villages=2)
            for kind in ("residents", "enterprise", "department")]


def _building_with_dead_worker(bulletin: Bulletin) -> int:
    """Claim the version as a worker would, then let that worker die: its lease passes."""
    attempt = bulletin_services._claim(bulletin.pk)
    assert attempt is not None
    Bulletin.objects.filter(pk=bulletin.pk).update(
        progress=40, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    return attempt


def test_a_build_whose_worker_died_never_blocks_a_new_one(
    client, city, department_user, django_capture_on_commit_callbacks
) -> None:
    stuck = bulletin_services.bulletin_request(period=OCTOBER)
    _building_with_dead_worker(stuck)
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulletin_build"), {"period": "2026-10"})
    stuck.refresh_from_db()
    assert stuck.state == Bulletin.State.FAILED and "工作进程中断" in stuck.last_error
    rebuilt = Bulletin.objects.get(period=OCTOBER, version=2)
    assert response.url == rebuilt.get_absolute_url()
    assert rebuilt.state == Bulletin.State.READY and rebuilt.pdf


def test_the_bulletin_pages_show_a_dead_workers_build_as_failed(
    client, db, department_user
) -> None:
    stuck = bulletin_services.bulletin_request(period=OCTOBER)
    _building_with_dead_worker(stuck)
    client.force_login(department_user)
    status = client.get(reverse("bulletin_status", args=[stuck.pk])).json()
    assert (status["state"], status["done"]) == ("failed", True)
    assert "工作进程中断" in status["error"]
    body = client.get(reverse("bulletin_detail", args=[stuck.pk])).content.decode()
    assert "重新生成（新版本）" in body  # the rebuild button is offered at once


def test_the_beat_task_builds_again_a_version_whose_worker_died(city) -> None:
    stuck = bulletin_services.bulletin_request(period=OCTOBER)
    _building_with_dead_worker(stuck)
    assert tasks.dispatch_queued_bulletins() == 1
    stuck.refresh_from_db()
    assert stuck.state == Bulletin.State.READY and stuck.pdf
    assert (stuck.version, stuck.attempts) == (1, 2)
    assert stuck.pdf.name.endswith("2026-10-v1-r2.pdf")  # the retry's own file


def test_a_version_whose_workers_keep_dying_is_failed_not_retried_for_ever(
    db, settings
) -> None:
    settings.BULLETIN_MAX_ATTEMPTS = 2
    stuck = bulletin_services.bulletin_request(period=OCTOBER)
    _building_with_dead_worker(stuck)
    assert bulletin_services.bulletins_requeue_expired() == 1
    _building_with_dead_worker(stuck)
    assert bulletin_services.bulletins_requeue_expired() == 0
    stuck.refresh_from_db()
    assert stuck.state == Bulletin.State.FAILED and "多次中断" in stuck.last_error
    assert stuck.attempts == 2


def test_a_build_under_a_live_lease_is_left_alone(client, db, department_user) -> None:
    building = bulletin_services.bulletin_request(period=OCTOBER)
    assert bulletin_services._claim(building.pk) == 1
    assert bulletin_services._claim(building.pk) is None
    assert bulletin_services.bulletin_request(period=OCTOBER) == building
    assert bulletin_services.bulletins_requeue_expired() == 0
    assert bulletin_services.bulletins_fail_expired() == 0
    client.force_login(department_user)
    assert client.get(reverse("bulletin_status", args=[building.pk])).json()["state"] == (
        "building"
    )
    building.refresh_from_db()
    assert (building.state, building.attempts) == (Bulletin.State.BUILDING, 1)


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_build_that_took_over(
    city, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path
    bulletin = bulletin_services.bulletin_request(period=OCTOBER)
    late = _building_with_dead_worker(bulletin)
    assert bulletin_services.bulletin_build(bulletin.pk) == Bulletin.State.READY
    bulletin.refresh_from_db()
    taken_over = (bulletin.pdf.name, bulletin.checksum)
    # The first worker was only slow: it wakes up and tries to store its own PDF.
    stored = bulletin_services._store(bulletin, late, {"pdf": b"%PDF late"}, 1)
    assert stored == Bulletin.State.READY
    bulletin.refresh_from_db()
    assert (bulletin.pdf.name, bulletin.checksum) == taken_over
    assert sorted(p.name for p in (tmp_path / "bulletins").iterdir()) == [
        "2026-10-v1-r2.docx", "2026-10-v1-r2.html", "2026-10-v1-r2.pdf"]


def test_a_redelivered_build_under_a_live_lease_looks_again_when_it_passes(
    db, monkeypatch
) -> None:
    building = bulletin_services.bulletin_request(period=OCTOBER)
    bulletin_services._claim(building.pk)
    retried = {}

    def retry(**options):
        retried.update(options)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.build_bulletin, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        tasks._watch(tasks.build_bulletin, building.pk, watched=0)
    lease = settings.BULLETIN_LEASE_SECONDS
    assert retried["args"] == [building.pk] and retried["kwargs"] == {"watched": 1}
    assert lease - 5 < retried["countdown"] <= lease + 1
    # Once the lease has passed, that delivery takes the build over.
    Bulletin.objects.filter(pk=building.pk).update(lease_until=timezone.now())
    assert bulletin_services._claim(building.pk) == 2


def _layout_raises(monkeypatch, error: Exception) -> None:
    def render_pdf(html: str):
        raise error

    monkeypatch.setattr(bulletin_services, "render_pdf", render_pdf)


def test_a_transient_database_error_leaves_the_build_to_a_retry(db, monkeypatch) -> None:
    building = bulletin_services.bulletin_request(period=OCTOBER)
    _layout_raises(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    retried = {}

    def retry(**options):
        retried.update(options)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.build_bulletin, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        tasks.build_bulletin.apply(args=[building.pk], throw=True)
    assert retried["countdown"] == 5 and isinstance(retried["exc"], OperationalError)
    # Not recorded as failed: the retry (or the next delivery, once the lease passes) builds it.
    building.refresh_from_db()
    assert (building.state, building.last_error) == (Bulletin.State.BUILDING, "")


def test_a_transient_database_error_past_the_retries_fails_the_version(db, monkeypatch) -> None:
    building = bulletin_services.bulletin_request(period=OCTOBER)
    _layout_raises(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    with pytest.raises(OperationalError):
        tasks.build_bulletin.apply(
            args=[building.pk], retries=tasks.DATABASE_RETRIES, throw=True
        )
    building.refresh_from_db()
    assert building.state == Bulletin.State.FAILED
    assert building.last_error == "数据库暂时不可用，多次重试后仍失败。"


def test_a_database_error_that_is_not_transient_fails_the_version_without_retry(
    db, monkeypatch
) -> None:
    # An IntegrityError is a django.db.DatabaseError too, but retrying never mends it.
    building = bulletin_services.bulletin_request(period=OCTOBER)
    _layout_raises(monkeypatch, IntegrityError("duplicate key value"))
    monkeypatch.setattr(tasks.build_bulletin, "retry", lambda **options: pytest.fail("retried"))
    assert tasks.build_bulletin.apply(args=[building.pk], throw=True).get() == "failed"
    building.refresh_from_db()
    assert building.state == Bulletin.State.FAILED
    assert building.last_error == "IntegrityError: duplicate key value"


@pytest.mark.django_db(transaction=True)
def test_of_two_workers_claiming_a_dead_workers_build_at_once_one_gets_it() -> None:
    skip_unless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
    stuck = bulletin_services.bulletin_request(period=OCTOBER)
    _building_with_dead_worker(stuck)
    first_claimed, first_may_commit = threading.Event(), threading.Event()
    tokens = {}

    def first() -> None:
        try:
            with transaction.atomic():
                tokens["first"] = bulletin_services._claim(stuck.pk)
                first_claimed.set()
                first_may_commit.wait(60)
        finally:
            connection.close()

    def second() -> None:
        try:
            tokens["second"] = bulletin_services._claim(stuck.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_claimed.wait(60)
    threads[1].start()
    # Let the first commit only once the second's UPDATE waits on the row it has locked.
    for _look in range(600):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the second claim never waited on the first")
    first_may_commit.set()
    for thread in threads:
        thread.join(60)
    assert tokens == {"first": 2, "second": None}
    stuck.refresh_from_db()
    assert (stuck.state, stuck.attempts) == (Bulletin.State.BUILDING, 2)


def _start_worker(
    app_module: str, queue: str, env: dict, log, pool: str = "solo"
) -> subprocess.Popen:
    """A Celery worker of `app_module` on `queue`, answering pings when this returns."""
    node = f"{queue}-{app_module}@{socket.gethostname()}"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app_module, "worker", f"--pool={pool}",
             "--concurrency=1",
             "-Q", queue, "-n", node, "--loglevel=INFO", "--without-gossip",
             "--without-mingle"],
            env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while not app.control.ping(destination=[node], timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError(f"worker did not start:\n{log.read_text()[-3000:]}")
    return worker


def _wait_for(bulletin: Bulletin, done, seconds: int = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        bulletin.refresh_from_db()
        if done(bulletin):
            return
        time.sleep(0.2)
    pytest.fail(f"gave up waiting; the version is {bulletin.state} {bulletin.progress}%")


@pytest.fixture
def workers(town, tmp_path, settings):
    """Start Celery workers (`start(app_module, pool)`) on one fresh queue of Redis, sharing
    this test's PostgreSQL database; this process sends to that queue. The lease and the
    visibility timeout are a few seconds, so a redelivery comes in seconds, not minutes."""
    skip_unless(connection.vendor == "postgresql", "workers share the database: PostgreSQL")
    broker = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    skip_unless(redis_reachable(broker), f"Redis at {broker}")
    for kind in ("residents", "enterprise", "department"):
        make_committee(town=town, urban_kind=kind, villages=2)
    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "twinning.settings",
           "DATABASE_URL": _database_url(), "CONN_MAX_AGE": "0", "REDIS_URL": broker,
           "MEDIA_ROOT": str(tmp_path), "BULLETIN_LEASE_SECONDS": "5",
           "CELERY_VISIBILITY_TIMEOUT": "8"}
    log = tmp_path / "workers.log"
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    _reconnect(broker_url=broker, result_backend=broker, task_always_eager=False)
    started: list[subprocess.Popen] = []

    def start(app_module: str, pool: str = "solo") -> subprocess.Popen:
        started.append(_start_worker(app_module, queue, env, log, pool))
        return started[-1]

    try:
        yield SimpleNamespace(start=start, queue=queue)
    finally:
        for worker in started:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(30)
        _reconnect(**saved)
        client = redis.Redis.from_url(broker)
        client.delete(queue, *client.keys(f"*{queue}*"))
        print(log.read_text(errors="replace")[-5000:])


def _stopped_at_the_layout(workers) -> Bulletin:
    bulletin = bulletin_services.bulletin_request(period=OCTOBER)
    tasks.build_bulletin.apply_async(args=[bulletin.pk], queue=workers.queue)
    _wait_for(bulletin, lambda b: b.progress == 40)  # the first attempt stops here for good
    return bulletin


@pytest.mark.django_db(transaction=True)
def test_a_build_whose_worker_is_killed_is_finished_by_the_next_worker(workers) -> None:
    first = workers.start("tests.celery_blocked_build")
    bulletin = _stopped_at_the_layout(workers)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    bulletin.refresh_from_db()
    assert (bulletin.state, bulletin.attempts, bulletin.pdf.name) == ("building", 1, "")
    # Nobody presses anything and no beat runs: the next worker gets the unacknowledged
    # task back after the visibility timeout and takes the build over.
    workers.start("twinning")
    _wait_for(bulletin, lambda b: not b.is_in_flight)
    assert bulletin.state == Bulletin.State.READY, bulletin.last_error
    assert bulletin.attempts == 2
    assert bulletin.pdf.read().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_a_build_whose_pool_process_is_killed_is_finished_by_the_same_worker(workers) -> None:
    worker = workers.start("tests.celery_blocked_build", pool="prefork")
    bulletin = _stopped_at_the_layout(workers)
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True,
                              text=True, check=True).stdout.split()
    assert len(children) == 1
    os.kill(int(children[0]), signal.SIGKILL)
    # The task comes back at once (reject on worker lost), finds the dead process's lease
    # still running, looks again when it has passed, and takes the build over.
    _wait_for(bulletin, lambda b: not b.is_in_flight)
    assert bulletin.state == Bulletin.State.READY, bulletin.last_error
    assert bulletin.attempts == 2
    assert bulletin.pdf.read().startswith(b"%PDF")


def test_a_machine_without_cjk_fonts_fails_the_build_with_the_reason(
    client, db, monkeypatch, department_user, town, settings, tmp_path,
    django_capture_on_commit_callbacks,
) -> None:
    """fontconfig finds no Chinese face: the build through the page fails and says why,
    instead of a PDF of □ boxes marked ready to publish."""
    from reports.bulletins import fonts

    settings.MEDIA_ROOT = tmp_path
    make_committee(town=town)
    monkeypatch.setattr(fonts, "installed_cjk_families", lambda: frozenset())
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bulletin_build"), {"period": "2026-10"})
    bulletin = Bulletin.objects.get()
    assert bulletin.state == Bulletin.State.FAILED and not bulletin.pdf
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "未找到任何中文字体" in page and "fonts-noto-cjk" in page
    assert not list(tmp_path.rglob("*.pdf"))
