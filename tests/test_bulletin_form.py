"""The bulletin as an official document: faces, head and 版记, serial numbers, the
publishing checklist and the 快报, typical cases and issuing settings on the site."""

import datetime
import re
import shutil
import subprocess
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.urls import reverse

from reports.apps import bulletin_fonts_check
from reports.bulletins import fonts, services
from reports.bulletins.models import Bulletin, BulletinSettings, BulletinText, TypicalCase
from tests.conftest import skip_unless
from tests.factories import TownFactory, make_committee, make_publishable
from tests.factories_aid import ActivityFactory

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
PLACEHOLDERS = ("本月未选定典型案例", "尚未填写本月下步工作", "本通报数据由系统", "第1版", "第2版")


@pytest.fixture
def city(town):
    committees = [make_committee(town=town, urban_kind=kind)
                  for kind in ("residents", "enterprise", "department")]
    make_publishable(OCTOBER, committees[0])
    make_publishable(NOVEMBER, committees[1])
    return committees


@pytest.fixture
def no_cjk_faces(monkeypatch):
    monkeypatch.setattr(fonts, "installed_cjk_families", lambda: frozenset())


def _built(period: datetime.date) -> Bulletin:
    bulletin = services.bulletin_request(period=period)
    assert services.bulletin_build(bulletin.pk) == Bulletin.State.READY, bulletin.last_error
    bulletin.refresh_from_db()
    return bulletin


def _text(path: str) -> str:
    skip_unless(bool(shutil.which("pdftotext")), "poppler-utils (make system-deps)")
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_build_without_cjk_faces_fails_with_the_reason_and_makes_no_pdf(
    media, city, no_cjk_faces
) -> None:
    bulletin = services.bulletin_request(period=OCTOBER)
    with pytest.raises(fonts.FontsMissing):
        services.bulletin_build(bulletin.pk)
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.FAILED
    assert "未找到任何中文字体" in bulletin.last_error
    assert not bulletin.pdf and not list(media.rglob("*.pdf"))


def test_a_build_fails_when_one_role_has_no_installed_face(media, city, settings) -> None:
    settings.BULLETIN_FONT_KAI = ["No Such Kai Face"]
    bulletin = services.bulletin_request(period=OCTOBER)
    with pytest.raises(fonts.FontsMissing, match="楷体"):
        services.bulletin_build(bulletin.pk)
    assert Bulletin.objects.get(pk=bulletin.pk).state == Bulletin.State.FAILED


def test_the_system_check_fails_without_cjk_faces(no_cjk_faces) -> None:
    errors = bulletin_fonts_check(None)
    assert [e.id for e in errors] == ["reports.E001"]
    assert "fc-list" in errors[0].msg and "fonts-noto-cjk" in errors[0].hint


def test_the_system_check_passes_with_the_installed_faces() -> None:
    skip_unless(fonts.problem() is None, "CJK faces (make system-deps)")
    assert bulletin_fonts_check(None) == []


def test_a_draft_says_so_and_carries_no_number(media, city) -> None:
    bulletin = _built(OCTOBER)
    text = _text(bulletin.pdf.path)
    assert "（草稿）" in text and "诸组通〔" not in text
    assert bulletin.serial_number is None and "草稿" in bulletin.html


def test_the_published_bulletin_has_its_number_head_and_colophon_and_no_placeholder(
    media, city, department_user
) -> None:
    bulletin = services.bulletin_publish(bulletin=_built(OCTOBER), user=department_user)
    year = bulletin.issued_on.year
    assert (bulletin.serial_year, bulletin.serial_number) == (year, 1)
    assert bulletin.reference == f"诸组通〔{year}〕1号"
    text = _text(bulletin.pdf.path)
    for part in ("诸城市城乡联合党组织建设工作简报", "（第1期）", f"诸组通〔{year}〕1号",
                 "中共诸城市委组织部", "各镇街党（工）委：", "抄送：市委办公室。",
                 "中共诸城市委组织部办公室", f"{year}年", "印发", "建筑队带富", "继续推进联建工作"):
        assert part in text, part
    # The title is laid out in whole phrases: never "…建设 / 工作通报".
    assert any(line.strip() == "全市城乡联合党组织工作情况通报" for line in text.splitlines())
    for placeholder in PLACEHOLDERS + ("草稿",):
        assert placeholder not in text, placeholder
    # The issued PDF is served; the reviewed draft is kept beside it.
    assert bulletin.draft_pdf and bulletin.draft_pdf.name != bulletin.pdf.name
    pdffonts = subprocess.run(["pdffonts", bulletin.pdf.path], capture_output=True,
                              text=True, check=True).stdout.splitlines()[2:]
    embedded = {line.split()[0].split("+", 1)[-1] for line in pdffonts if " yes " in line}
    cjk = {name for name in embedded if "CJK" in name or "AR-PL" in name}
    assert len(cjk) >= 2, pdffonts


def test_page_numbers_sit_outside_odd_right_even_left(media, city) -> None:
    bulletin = _built(OCTOBER)
    assert bulletin.page_count >= 2
    pages = _text(bulletin.pdf.path).split("\f")
    first, second = pages[0].rstrip().splitlines()[-1], pages[1].rstrip().splitlines()[-1]
    assert first.replace(" ", "") == "—1—" and len(first) - len(first.lstrip()) > 40  # right
    assert second.replace(" ", "") == "—2—" and len(second) - len(second.lstrip()) < 20  # left


def test_publication_prints_the_reviewed_content_not_the_data_changed_since(
    media, city, department_user
) -> None:
    bulletin = _built(OCTOBER)
    BulletinText.objects.filter(period=OCTOBER).update(next_steps="发布前改过的文字。")
    published = services.bulletin_publish(bulletin=bulletin, user=department_user)
    text = _text(published.pdf.path)
    assert "继续推进联建工作" in text and "发布前改过的文字" not in text


def test_serial_numbers_run_per_year_and_a_superseded_version_keeps_its_own(
    media, city, department_user
) -> None:
    first = services.bulletin_publish(bulletin=_built(OCTOBER), user=department_user)
    second = services.bulletin_publish(bulletin=_built(OCTOBER), user=department_user)
    first.refresh_from_db()
    assert (first.serial_number, second.serial_number) == (1, 2)
    assert first.state == Bulletin.State.PUBLISHED
    Bulletin.objects.filter(pk=first.pk).update(serial_year=first.serial_year - 1)
    third = services.bulletin_publish(bulletin=_built(OCTOBER), user=department_user)
    assert third.serial_number == 3  # numbers of this year only, never one taken
    with pytest.raises(IntegrityError):
        Bulletin.objects.filter(pk=third.pk).update(serial_number=2)


def test_a_published_bulletin_must_carry_a_number(media, city) -> None:
    bulletin = _built(OCTOBER)
    with pytest.raises(IntegrityError):
        Bulletin.objects.filter(pk=bulletin.pk).update(state=Bulletin.State.PUBLISHED)


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_never_share_a_number(settings, tmp_path, town) -> None:
    skip_unless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
    settings.MEDIA_ROOT = tmp_path
    committee = make_committee(town=town)
    make_publishable(OCTOBER, committee)
    make_publishable(datetime.date(2026, 9, 1), committee)
    versions = [_built(OCTOBER), _built(datetime.date(2026, 9, 1))]
    barrier, errors = threading.Barrier(2), []

    def publish(bulletin: Bulletin) -> None:
        try:
            barrier.wait()
            services.bulletin_publish(bulletin=bulletin, user=None)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(b,)) for b in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Bulletin.objects.values_list("serial_number", flat=True))
    assert numbers == [1, 2]


def _built_on(period: datetime.date, day: datetime.date) -> Bulletin:
    bulletin = _built(period)
    # The figures were read on `day` (the build date the checklist judges by).
    bulletin.contents = {**bulletin.contents, "as_of": day.isoformat()}
    bulletin.save(update_fields=["contents"])
    return bulletin


def test_november_built_on_december_4_is_refused_as_a_bulletin_but_issued_as_a_quick_one(
    media, city, department_user
) -> None:
    bulletin = _built_on(NOVEMBER, datetime.date(2026, 12, 4))
    with pytest.raises(ValidationError, match="报送尚未结束"):
        services.bulletin_publish(bulletin=bulletin, user=department_user)
    assert Bulletin.objects.get(pk=bulletin.pk).state == Bulletin.State.READY
    quick = services.bulletin_publish(bulletin=bulletin, user=department_user, quick=True)
    assert quick.quick and quick.serial_number == 1
    text = _text(quick.pdf.path)
    assert "（快报·截至12月4日）" in text
    assert "本期为快报，数据截至2026年12月4日" in text


def test_a_quick_edition_is_refused_once_the_filing_has_closed(media, city) -> None:
    bulletin = _built_on(NOVEMBER, datetime.date(2026, 12, 20))
    with pytest.raises(ValidationError, match="请发布正式通报"):
        services.bulletin_publish(bulletin=bulletin, user=None, quick=True)
    assert services.bulletin_publish(bulletin=bulletin, user=None).state == "published"


def test_publishing_is_refused_while_a_required_part_is_missing(media, town) -> None:
    make_committee(town=town)
    bulletin = _built(OCTOBER)
    with pytest.raises(ValidationError) as refused:
        services.bulletin_publish(bulletin=bulletin, user=None)
    messages = " ".join(refused.value.messages)
    assert "未选定典型案例" in messages and "未填写下步工作" in messages
    assert "印发设置尚未保存" in messages
    # No section is printed with a placeholder in their place.
    text = _text(bulletin.pdf.path)
    assert "五、典型案例" not in text and "七、下步工作" not in text
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text


def test_the_publish_page_shows_the_checklist_and_refuses(
    client, media, city, department_user
) -> None:
    bulletin = _built_on(NOVEMBER, datetime.date(2026, 12, 4))
    client.force_login(department_user)
    url = reverse("bulletin_publish", args=[bulletin.pk])
    page = client.get(url).content.decode()
    assert 'data-check="filing" data-ok="no"' in page
    assert 'data-check="cases" data-ok="yes"' in page and "作为快报发布" in page
    refused = client.post(url, {}).content.decode()
    assert "报送尚未结束" in refused
    assert Bulletin.objects.get(pk=bulletin.pk).state == Bulletin.State.READY
    client.post(url, {"quick": "on"})
    assert Bulletin.objects.get(pk=bulletin.pk).quick


def test_build_bulletin_publish_refuses_an_open_month_and_says_why(media, city) -> None:
    from django.core.management.base import CommandError

    call_command("build_bulletin", "2026-10", "--publish")
    assert Bulletin.objects.get(period=OCTOBER).state == Bulletin.State.PUBLISHED
    period_open = services.issuing.lock_date(NOVEMBER) > datetime.date.today()
    if period_open:
        with pytest.raises(CommandError, match="不能发布"):
            call_command("build_bulletin", "2026-11", "--publish")


def test_the_department_chooses_a_case_from_the_months_records(
    client, city, department_user
) -> None:
    activity = ActivityFactory(committee=city[2], held_on=datetime.date(2026, 10, 12),
                               title="电商培训", description="邀请专家讲授直播带货。")
    client.force_login(department_user)
    page = client.get(reverse("case_list", args=["2026-10"])).content.decode()
    assert "电商培训" in page
    response = client.post(reverse("case_list", args=["2026-10"]),
                           {"kind": "activity", "pk": activity.pk})
    case = TypicalCase.objects.get(activity=activity)
    assert response.url == reverse("case_edit", args=[case.pk])
    assert case.title == "电商培训" and case.committee == city[2]
    assert "邀请专家讲授直播带货。" in case.body and "参加30人次" in case.body
    client.post(reverse("case_edit", args=[case.pk]),
                {"title": "电商培训带富", "body": "改写后的案例。", "order": 2})
    case.refresh_from_db()
    assert (case.title, case.body) == ("电商培训带富", "改写后的案例。")
    # A record of another month is not offered and cannot be chosen.
    other = ActivityFactory(committee=city[2], held_on=datetime.date(2026, 9, 12))
    client.post(reverse("case_list", args=["2026-10"]), {"kind": "activity", "pk": other.pk})
    assert not TypicalCase.objects.filter(activity=other).exists()
    client.post(reverse("case_remove", args=[case.pk]))
    assert not TypicalCase.objects.filter(pk=case.pk).exists()


def test_the_department_edits_the_issuing_settings_with_history(
    client, db, department_user, town_user
) -> None:
    client.force_login(town_user)
    assert client.get(reverse("bulletin_settings")).status_code == 403
    client.force_login(department_user)
    data = {"heading": "某市城乡联合党组织建设工作简报", "issuing_body": "中共某市委组织部",
            "short_name": "某组通", "recipients": "各镇街党（工）委", "copies_to": "",
            "printed_by": "中共某市委组织部办公室", "number_head_page": "on"}
    client.post(reverse("bulletin_settings"), data)
    client.post(reverse("bulletin_settings"), {**data, "short_name": "某组发"})
    row = BulletinSettings.objects.get()
    assert row.reference_for(2026, 3) == "某组发〔2026〕3号"
    assert row.history.count() == 2


def test_a_table_continued_on_the_next_page_is_headed_there_by_its_title_and_total_once(
    media, settings, town
) -> None:
    settings.BULLETIN_TOWN_ROWS = 60
    towns = [town] + [TownFactory(code=f"T-{n:02d}", name=f"测试第{n}镇") for n in range(1, 48)]
    committees = [make_committee(town=each) for each in towns]
    make_publishable(OCTOBER, committees[0])
    bulletin = _built(OCTOBER)
    pages = _text(bulletin.pdf.path).split("\f")
    continued = [n for n, page in enumerate(pages) if page.lstrip().startswith("续表：")]
    assert continued, "the town tables of 48 towns run onto a second page"
    for n in continued:
        title = pages[n].lstrip().splitlines()[0].strip().removeprefix("续表：")
        assert title in "".join(pages[:n])  # the table began on an earlier page, under that title
        assert "合计" not in pages[n].lstrip().splitlines()[1]  # the column heads, not a total
    # The mark is printed only where a table goes on, never above the first part of a table.
    first = next(n for n, page in enumerate(pages) if "各镇街报送情况" in page)
    assert first not in continued
    # Every total is printed once, as its table's last row.
    labels = re.findall(r'<tr class="total"><td[^>]*>([^<]+)</td>', bulletin.html)
    assert labels
    for label in set(labels):
        rows = re.findall(rf"(?m)^\s*{label}\s", "".join(pages))
        assert len(rows) == labels.count(label), label
