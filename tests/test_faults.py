"""Faults: the broker down, a worker killed mid-build, the database refusing a write."""

import datetime
import os
import signal
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from reports import services as bulletin_services
from reports import tasks
from reports.models import Bulletin
from tests.factories import make_committee
from twinning import services
from twinning.celery import app


@pytest.fixture
def broker_down():
    """Point Celery at a port where no broker listens, as if Redis had stopped."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    app._after_fork()  # forget pooled connections, as Celery does after a fork
    yield
    app.conf.update(saved)
    app._after_fork()


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
    client, department_user, town, settings, tmp_path, broker_down,
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
    assert client.get(reverse("committee_list")).status_code == 200
    # The broker is back: the beat task hands the queued build over.
    app.conf.update(task_always_eager=True)
    assert tasks.dispatch_queued_bulletins() == 1
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.READY and bulletin.pdf


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
