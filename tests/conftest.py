"""Shared fixtures: a town with a committee, a committee elsewhere, and one user per role."""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation
from pytest_django import DjangoDbBlocker
from simple_history.models import HistoricalRecords

from branches.models import Town
from tests.factories import JointCommitteeFactory, TownFactory
from twinning.committees.models import JointCommittee
from twinning.shared.models import Role
from twinning.site.accounts import user_create

PASSWORD = "Persona-pass-2026"
# The personas and objects of the permission matrices (reads and writes).
pytest_plugins = ["tests.matrix"]


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the tests run on, so a CI log shows PostgreSQL was really used."""
    if connection.vendor == "sqlite":
        return "database: sqlite (in memory)"
    db = connection.settings_dict
    test_name = db["TEST"].get("NAME") or f"test_{db['NAME']}"
    return f"database: {connection.vendor} ({test_name} on {db['HOST'] or 'local socket'})"


@pytest.fixture(scope="module")
def first_run(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """The demo city, loaded once for the module that asks (it is slow) and rolled back
    afterwards, so other modules start from an empty database; `load_demo_city`'s output.
    Each test runs in a savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo_city", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _clear_content_type_cache() -> Iterator[None]:
    # Content types are cached per process while test databases roll back between tests;
    # a stale id makes guardian write permissions against the wrong type.
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _forget_figures() -> Iterator[None]:
    # Figures are remembered per data version (twinning.shared.kept_figures); rolled-back
    # tests can leave a version that a later test's data reproduces.
    caches["figures"].clear()
    yield
    caches["figures"].clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Messages are asserted in Chinese; a language left active by an earlier test (a request
    # through LocaleMiddleware, an `activate` call) must not leak into the next one.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Uploaded attachments go to a per-test folder that pytest cleans up.
    settings.MEDIA_ROOT = tmp_path / "media"


def pass_second_factor(client: Any, user: User) -> None:
    """Mark `client`'s session as having passed `user`'s second factor, enrolling a TOTP
    device first if the user has none (what a signed-in department user's session holds)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from twinning.shared.models import Profile

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    Profile.objects.filter(user=user).update(second_factor=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _signed_in_with_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login` stands for a finished sign-in: for an account that must pass a
    second factor, the session has passed it too. `second_factor=False` leaves it at the
    password step (the tests of two-factor sign-in)."""
    from django.test.client import ClientMixin

    from twinning.shared import permissions

    original = ClientMixin.force_login

    def force_login(self: Any, user: User, backend: str | None = None,
                    second_factor: bool = True) -> None:
        original(self, user, backend)
        if second_factor and permissions.can(user, "need_second_factor"):
            pass_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def kept_pages(settings: Any) -> None:
    """The main pages kept whole, as in production (off in the other tests, which read each
    response's template context)."""
    settings.KEPT_PAGES = True


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded and generated files (bulletins, attachments) in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def town(db: None) -> Town:
    return TownFactory(code="T-MZ", name="测试密州街道")


@pytest.fixture
def committee(town: Town) -> JointCommittee:
    return JointCommitteeFactory(code="JC-MZ-1", name="测试后黄疃联合党总支", town=town)


@pytest.fixture
def second_committee(town: Town) -> JointCommittee:
    """Another committee in the same town, for users who reach more than one."""
    return JointCommitteeFactory(code="JC-MZ-2", name="测试五里堡联合党总支", town=town)


@pytest.fixture
def other_town(db: None) -> Town:
    return TownFactory(code="T-LD", name="测试龙都街道")


@pytest.fixture
def other_committee(other_town: Town) -> JointCommittee:
    """A committee in another town: outsiders to it are everyone but the department."""
    return JointCommitteeFactory(code="JC-LD-1", name="测试高家屯联合党总支", town=other_town)


def _user(username: str, role: str, **reach: Any) -> User:
    return user_create(username=username, role=role, password=PASSWORD, **reach)


@pytest.fixture
def department_user(db: None) -> User:
    return _user("dept", Role.DEPARTMENT)


@pytest.fixture
def town_user(town: Town) -> User:
    return _user("town", Role.TOWN, towns=[town])


@pytest.fixture
def secretary_user(committee: JointCommittee) -> User:
    return _user("secretary", Role.SECRETARY, committees=[committee])


@pytest.fixture
def inspector_user(committee: JointCommittee, second_committee: JointCommittee) -> User:
    return _user("inspector", Role.INSPECTOR, committees=[committee, second_committee])


@pytest.fixture
def leader_user(db: None) -> User:
    return _user("leader", Role.LEADER)


@pytest.fixture
def acting_as() -> Callable[[User], AbstractContextManager[None]]:
    """Record history as if `user` made the change in a request.

    The services fetch fresh instances (`select_for_update`), so setting `_history_user` on
    the caller's object would be lost; simple-history's middleware sets this request instead.
    """

    @contextmanager
    def act(user: User) -> Iterator[None]:
        HistoricalRecords.context.request = SimpleNamespace(user=user)
        try:
            yield
        finally:
            del HistoricalRecords.context.request

    return act


def skip_unless(condition: bool, reason: str) -> None:
    """Skip a test on a developer machine that lacks a service; never in CI, where it fails.

    CI must really run what needs PostgreSQL, Redis or a system tool, not skip it.
    """
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url() -> str:
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def real_worker(transactional_db: None, tmp_path: Any, settings: Any) -> Iterator[str]:
    """A real Celery worker process on Redis, sharing this test's PostgreSQL database.

    Yields the queue name to send tasks to; this process's Celery app sends to that broker
    (results come back through Redis too) until the test ends. Needs PostgreSQL (an
    in-memory SQLite database is private to one process) and Redis; CI has both, so it never
    skips there. The worker is stopped, and waited for, whatever happens.
    """
    import socket
    import subprocess
    import sys
    import time
    import uuid

    import redis
    from django.db import connection

    from twinning.celery import app

    skip_unless(connection.vendor == "postgresql", "a worker shares the database: PostgreSQL")
    broker = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    skip_unless(redis_reachable(broker), f"Redis at {broker}")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    node = f"{queue}@{socket.gethostname()}"
    settings.MEDIA_ROOT = tmp_path
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Tasks the worker's tasks send (e.g. reminder deliveries) stay on the test's queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "twinning", "worker", "--pool=solo",
             "-Q", queue, "-n", node, "--loglevel=INFO", "--without-gossip",
             "--without-mingle"],
            env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
        )
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}

    def reconnect(**conf: Any) -> None:
        # Celery caches its connection pool and result backend per app; forget them (as
        # Celery does after a fork) so the next send uses the new broker and backend.
        app.conf.update(conf)
        app._after_fork()
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    reconnect(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        deadline = time.monotonic() + 60
        # Wait for this very worker: another test's worker must not count as ready.
        while not app.control.ping(destination=[node], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{log.read_text()[-3000:]}")
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        reconnect(**saved)
        client = redis.Redis.from_url(broker)
        client.delete(queue, *client.keys(f"*{queue}*"))
        print(log.read_text(errors="replace")[-3000:])


@pytest.fixture
def figures_not_kept(settings: Any) -> None:
    """Nothing kept between requests (twinning.shared.kept_figures): a query count is that of
    gathering the figures, which is what could grow with the data."""
    settings.CACHES = {**settings.CACHES,
                       "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def count_queries(client, figures_not_kept: None) -> Callable[[str], int]:
    """The number of queries a GET of `url` makes, gathering every figure afresh; the page must
    answer 200."""
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        return len(ctx.captured_queries)

    return count


@pytest.fixture
def remind(django_capture_on_commit_callbacks: Any) -> Callable[[str], dict[str, int]]:
    """Run the day's reminder task and the deliveries it hands to tasks on commit (a test's
    transaction never commits)."""
    from twinning.shared.tasks import send_reminders

    def run(day: str) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders.delay(day).get()

    return run
