"""Bulletins: versions, immutability, concurrent and failed builds, the PDF itself."""

import datetime
import shutil
import subprocess
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from reports.bulletins import services, tasks
from reports.bulletins.models import Bulletin, Notification
from reports.bulletins.selectors import bulletin_data
from tests.conftest import skip_unless
from tests.factories import make_committee, make_publishable

OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def city(town):
    committees = [make_committee(town=town, urban_kind=kind, villages=2 + i)
                  for i, kind in enumerate(("residents", "enterprise", "department"))]
    # October's filing closed long ago; publishing needs its case, next steps and settings.
    make_publishable(OCTOBER, committees[0])
    return committees


def test_a_second_request_while_one_is_in_flight_shares_it(db) -> None:
    first = services.bulletin_request(period=OCTOBER)
    second = services.bulletin_request(period=OCTOBER)
    assert first.pk == second.pk
    assert Bulletin.objects.count() == 1


def test_rebuild_makes_a_new_version_and_the_published_one_never_changes(
    media, city, department_user
) -> None:
    first = services.bulletin_request(period=OCTOBER)
    assert services.bulletin_build(first.pk) == Bulletin.State.READY
    first.refresh_from_db()
    first = services.bulletin_publish(bulletin=first, user=department_user)
    published = (first.pdf.read(), first.checksum)
    first.pdf.close()

    second = services.bulletin_request(period=OCTOBER)
    assert second.version == 2
    services.bulletin_build(second.pk)
    # Building an already published version again is refused by the claim: nothing changes.
    assert services.bulletin_build(first.pk) == Bulletin.State.PUBLISHED
    first.refresh_from_db()
    assert (first.pdf.read(), first.checksum) == published
    assert first.state == Bulletin.State.PUBLISHED


def test_only_a_ready_version_can_be_published(db, department_user) -> None:
    queued = services.bulletin_request(period=OCTOBER)
    with pytest.raises(ValidationError, match="只有已生成、待发布的通报可以发布"):
        services.bulletin_publish(bulletin=queued, user=department_user)


def test_a_build_is_claimed_once(media, city) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    assert services._claim(bulletin.pk) == 1  # the first attempt
    assert services._claim(bulletin.pk) is None  # a second worker gets nothing to do


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_month_make_one_version() -> None:
    skip_unless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
    results, errors = [], []

    def request() -> None:
        try:
            results.append(services.bulletin_request(period=OCTOBER).pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Bulletin.objects.filter(period=OCTOBER).count() == 1


def test_a_failure_mid_build_leaves_a_failed_version_and_no_file(
    media, city, monkeypatch
) -> None:
    def broken(html: str):
        raise RuntimeError("排版失败")

    monkeypatch.setattr(services, "render_pdf", broken)
    bulletin = services.bulletin_request(period=OCTOBER)
    assert tasks.build_bulletin.delay(bulletin.pk).get() == Bulletin.State.FAILED
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.FAILED
    assert "排版失败" in bulletin.last_error
    assert not bulletin.pdf
    assert not list(media.rglob("*.pdf")) and not list(media.rglob("*.part"))


def test_a_build_whose_worker_died_is_failed_and_can_be_rebuilt(media, city) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    services._claim(bulletin.pk)
    Bulletin.objects.filter(pk=bulletin.pk).update(lease_until=bulletin.requested_at)
    assert services.bulletins_fail_expired() == 1
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.FAILED and not bulletin.pdf
    rebuilt = services.bulletin_request(period=OCTOBER)
    assert rebuilt.version == 2
    assert services.bulletin_build(rebuilt.pk) == Bulletin.State.READY


def test_a_ready_version_always_has_its_pdf(db) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Bulletin.objects.create(period=OCTOBER, version=1, state=Bulletin.State.READY)


def test_publishing_notifies_readers_and_mails_leaders(
    media, city, department_user, leader_user, secretary_user, django_capture_on_commit_callbacks
) -> None:
    leader_user.email = "leader@example.cn"
    leader_user.save()
    bulletin = services.bulletin_request(period=OCTOBER)
    services.bulletin_build(bulletin.pk)
    bulletin.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=bulletin, user=department_user)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "leader", "secretary"}
    assert [m.to for m in mail.outbox] == [["leader@example.cn"]]


def test_leaders_and_secretaries_never_see_unpublished_versions(
    client, media, city, leader_user, secretary_user, department_user
) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    services.bulletin_build(bulletin.pk)
    for user in (leader_user, secretary_user):
        client.force_login(user)
        assert client.get(reverse("bulletin_detail", args=[bulletin.pk])).status_code == 404
        assert client.get(reverse("bulletin_pdf", args=[bulletin.pk])).status_code == 404
        assert str(bulletin) not in client.get(reverse("bulletin_list")).content.decode()
    client.force_login(department_user)
    client.post(reverse("bulletin_publish", args=[bulletin.pk]))
    client.force_login(leader_user)
    response = client.get(reverse("bulletin_pdf", args=[bulletin.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_build_now_button_builds_and_the_page_shows_the_result(
    client, media, city, department_user, django_capture_on_commit_callbacks
) -> None:
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulletin_build"), {"period": "2026-10"})
    bulletin = Bulletin.objects.get()
    assert response.url == bulletin.get_absolute_url()
    status = client.get(reverse("bulletin_status", args=[bulletin.pk])).json()
    assert status == {"state": "ready", "state_label": "待发布", "progress": 100,
                      "note": "已完成", "error": "", "done": True}


def test_a_bad_month_from_the_form_is_reported(client, db, department_user) -> None:
    client.force_login(department_user)
    response = client.post(reverse("bulletin_build"), {"period": "2026-13"}, follow=True)
    assert "不是有效的月份" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_scheduled_build_runs_on_the_bulletin_day_for_the_previous_month(
    media, city, settings
) -> None:
    settings.BULLETIN_DAY = 10
    assert tasks.scheduled_bulletin("2026-11-09") is None
    pk = tasks.scheduled_bulletin("2026-11-10")
    assert Bulletin.objects.get(pk=pk).period == OCTOBER
    assert tasks.scheduled_bulletin("2026-11-10") is None  # once a month


def test_beat_sends_the_bulletin_tasks_by_the_names_they_are_registered_under(
    settings,
) -> None:
    from twinning.celery import app

    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    names = {tasks.scheduled_bulletin.name, tasks.dispatch_queued_bulletins.name}
    assert names == {"reports.bulletins.tasks.scheduled_bulletin",
                     "reports.bulletins.tasks.dispatch_queued_bulletins"}
    assert names <= beat and names <= set(app.tasks)


def test_pdf_has_every_section_real_figures_and_an_embedded_cjk_font(
    media, city, capsys
) -> None:
    skip_unless(bool(shutil.which("pdftotext")), "poppler-utils (make system-deps)")
    call_command("build_bulletin", "2026-10")
    path = capsys.readouterr().out.strip().splitlines()[-1]
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                          text=True, check=True).stdout
    for title in ("一、总体情况", "二、月度报告报送", "三、督查情况", "四、帮扶成效",
                  "五、典型案例", "六、下步工作", "目", "建筑队带富", "继续推进联建工作"):
        assert title in text
    # No review round or assessment closed this month: no 民主评议与考核, and 下步工作 is 六.
    assert "六、民主评议与考核" not in text
    assert "共建立城乡联合党组织3个" in text
    assert "联建村9个" in text
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True,
                           check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


def test_a_real_worker_builds_the_bulletin_through_redis(real_worker, town) -> None:
    import time

    make_committee(town=town)
    bulletin = services.bulletin_request(period=OCTOBER)
    tasks.build_bulletin.apply_async(args=[bulletin.pk], queue=real_worker)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        bulletin.refresh_from_db()
        if not bulletin.is_in_flight:
            break
        time.sleep(0.5)
    assert bulletin.state == Bulletin.State.READY, bulletin.last_error
    assert bulletin.page_count >= 3
    assert bulletin.pdf.read().startswith(b"%PDF")


def test_section_six_appears_in_the_month_a_review_round_closed(media, town) -> None:
    from django.utils import timezone

    from evaluations.reviews.services import review_round_close
    from tests.factories import MemberFactory, open_review_round

    committee = make_committee(town=town)
    MemberFactory(branch=committee.memberships.first().village)
    review_round = open_review_round()
    review_round_close(review_round=review_round, user=None)
    closed_in = timezone.localdate().replace(day=1)
    month = bulletin_data(closed_in)
    assert month.reviews is not None and month.evaluations
    assert "s6" in [s.anchor for s in services.bulletin_sections(month)]
    other = bulletin_data(datetime.date(2020, 1, 1))
    assert other.reviews is None
    assert "s6" not in [s.anchor for s in services.bulletin_sections(other)]


def test_a_build_in_flight_shows_the_state_and_progress_the_script_updates(
    client, department_user
) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    client.force_login(department_user)
    body = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    status = reverse("bulletin_status", args=[bulletin.pk])
    # static/js/bulletin.js polls the status URL and rewrites the badge, note and bar.
    assert '<span class="badge warn" data-state>排队中</span>' in body
    assert f'data-bulletin-status="{status}"' in body
    assert "<p data-note>排队中 · 0%</p>" in body
    assert '<progress class="full" max="100" value="0">' in body
    assert "js/bulletin.js" in body


def test_section_six_includes_the_assessment_in_the_month_its_round_closed(media, town) -> None:
    from django.utils import timezone

    from evaluations.assessments.models import AssessmentRound

    make_committee(town=town)
    today = timezone.localdate()
    AssessmentRound.objects.create(
        year=today.year,
        half=AssessmentRound.Half.FIRST if today.month <= 6 else AssessmentRound.Half.SECOND,
        opened_on=today.replace(day=1), closes_on=today, closed_at=timezone.now(),
    )
    month = bulletin_data(today.replace(day=1))
    assert month.assessments is not None and month.evaluations
    html = services.bulletin_html(today.replace(day=1), 1)
    # No typical case or next steps this month: the sections close up, so it is 五.
    assert "五、民主评议与考核" in html and "（二）联合党组织考核" in html
    assert html.count('<h2 class="section" id="s6">') == 1


def test_the_command_records_a_failure_and_a_rebuild_works(media, city, monkeypatch) -> None:
    from django.core.management.base import CommandError

    def broken(html: str):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(services, "render_pdf", broken)
    with pytest.raises(CommandError, match="生成失败：字体缺失"):
        call_command("build_bulletin", "2026-10")
    failed = Bulletin.objects.get()
    assert failed.state == Bulletin.State.FAILED and "字体缺失" in failed.last_error
    monkeypatch.undo()
    call_command("build_bulletin", "2026-10")
    assert Bulletin.objects.get(version=2).state == Bulletin.State.READY
