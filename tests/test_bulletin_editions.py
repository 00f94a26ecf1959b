"""The bulletin's Word and phone editions, and the build run off the request thread.

The three editions of a version (PDF, .docx, the phone page) are made in one build from one
read of the figures; these tests hold them to printing the same figures.
"""

import datetime
import io
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse
from docx import Document

from reports.bulletins import services
from reports.bulletins.models import Bulletin, BulletinText, TypicalCase
from tests.conftest import skip_unless
from tests.factories import MonthlyUpdateFactory, make_committee, make_inspection, make_publishable

OCTOBER = datetime.date(2026, 10, 1)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture
def city(town):
    committees = [make_committee(town=town, urban_kind=kind, villages=2 + i)
                  for i, kind in enumerate(("residents", "enterprise", "department"))]
    MonthlyUpdateFactory(committee=committees[0], period=OCTOBER)
    make_inspection(committees[1], visited_on=datetime.date(2026, 10, 14), score=Decimal(8))
    make_inspection(committees[2], visited_on=datetime.date(2026, 10, 20), score=Decimal(6))
    TypicalCase.objects.create(period=OCTOBER, committee=committees[0], title="建筑队带富",
                               body="联合党组织组建建筑队，吸纳剩余劳动力12人。")
    BulletinText.objects.create(period=OCTOBER, next_steps="继续推进联建工作。")
    make_publishable(OCTOBER)  # the issuing settings
    return committees


def _built(user=None) -> Bulletin:
    bulletin = services.bulletin_request(period=OCTOBER, user=user)
    assert services.bulletin_build(bulletin.pk) == Bulletin.State.READY
    bulletin.refresh_from_db()
    return bulletin


class _Text(HTMLParser):
    """The text a reader sees in an HTML fragment (a chart's canvas carries none)."""

    def __init__(self, skip: tuple[str, ...] = ("nav", "script", "style")) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip, self.depth = skip, 0

    def handle_starttag(self, tag, attrs) -> None:
        self.depth += tag in self.skip

    def handle_endtag(self, tag) -> None:
        self.depth -= tag in self.skip

    def handle_data(self, data) -> None:
        if not self.depth:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _docx_text(content: bytes) -> tuple[str, str]:
    """The .docx's running text and its tables' text, in document order each."""
    document = Document(io.BytesIO(content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = []
    for table in document.tables:
        seen = set()
        for row in table.rows:
            for cell in row.cells:  # a merged cell is returned once per row and column it spans
                if cell._tc not in seen:  # the element itself: a proxy's id() is reused
                    seen.add(cell._tc)
                    cells.append(cell.text)
    return paragraphs, "\n".join(cells)


def _pdf_text(bulletin: Bulletin) -> str:
    return subprocess.run(["pdftotext", bulletin.pdf.path, "-"], capture_output=True,
                          text=True, check=True).stdout


def _numbers(text: str) -> Counter:
    return Counter(NUMBER.findall(text))


def test_the_pdf_the_word_file_and_the_phone_page_agree_figure_for_figure(
    client, media, city, department_user, leader_user
) -> None:
    skip_unless(bool(shutil.which("pdftotext")), "poppler-utils (make system-deps)")
    bulletin = _built()
    client.force_login(department_user)
    client.post(reverse("bulletin_publish", args=[bulletin.pk]))
    client.force_login(leader_user)
    page = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    edition = page.split('<article class="card bulletin-edition" lang="zh-CN">', 1)[1]
    phone = _html_text(edition.split("</article>", 1)[0])
    paragraphs, tables = _docx_text(bulletin.docx.read())
    word = paragraphs + "\n" + tables
    pdf = _pdf_text(bulletin)

    # Every figure the phone page shows is in the .docx, and every figure of the .docx is in
    # the PDF, as often (the PDF adds page numbers and chart labels; the .docx adds the cover).
    assert _numbers(phone), phone
    assert _numbers(phone) - _numbers(word) == Counter()
    assert _numbers(word) - _numbers(pdf) == Counter()
    # And the figures a leader looks for first, in all three.
    data = services.bulletin_data(OCTOBER)
    h, f = data.overview.headline, data.filing
    for figure in (f"共建立城乡联合党组织{h.committees}个", f"联建村{h.villages_joined}个",
                   f"按时报送{f.on_time}个", f"未报送{f.missing}个", f"报送率{f.rate}%"):
        assert figure in phone and figure in word and figure in pdf.replace("\n", ""), figure
    for title in [s.title for s in services.bulletin_sections(data)]:
        assert title in phone and title in word and title in pdf


def test_the_word_file_has_the_sections_as_headings_the_tables_and_the_charts(
    media, city
) -> None:
    bulletin = _built()
    document = Document(bulletin.docx.path)
    sections = [s.title for s in services.bulletin_sections(services.bulletin_data(OCTOBER))]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == sections
    html = services.bulletin_html(OCTOBER, bulletin.version)
    assert len(document.tables) >= html.count("<table")
    if shutil.which("rsvg-convert"):  # the charts as images (make system-deps)
        assert len(document.inline_shapes) == html.count("<svg")
    section = document.sections[-1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert bulletin.docx.name == "bulletins/2026-10-v1.docx"
    assert bulletin.web.name == "bulletins/2026-10-v1.html"


def test_a_leader_reads_the_phone_page_without_buttons_or_version_internals(
    client, media, city, department_user, leader_user
) -> None:
    bulletin = _built()
    client.force_login(department_user)
    client.post(reverse("bulletin_publish", args=[bulletin.pk]))
    bulletin.refresh_from_db()  # publication lays out the issued PDF: a new checksum
    desk = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    for needed in ("SHA-256", bulletin.checksum, "重新生成（新版本）", "编辑本月下步工作",
                   str(bulletin), "下载Word版"):
        assert needed in desk
    client.force_login(leader_user)
    page = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    for hidden in ("SHA-256", bulletin.checksum, "重新生成", "编辑本月下步工作", "第1版",
                   "版本", 'action="/bulletins/build/"', "pdf-frame"):
        assert hidden not in page, hidden
    assert "<h1>2026年10月月度通报</h1>" in page
    assert reverse("bulletin_pdf", args=[bulletin.pk]) + "?download=1" in page
    assert reverse("bulletin_docx", args=[bulletin.pk]) in page
    assert page.count("<canvas") == 9 and "vendor/chartjs/chart.umd.min.js" in page
    assert "建筑队带富" in page and "继续推进联建工作。" in page


def test_the_word_file_downloads_with_its_name(client, media, city, leader_user,
                                               department_user) -> None:
    bulletin = _built()
    bulletin.state = Bulletin.State.PUBLISHED
    bulletin.serial_year, bulletin.serial_number = 2026, 1
    bulletin.save()
    client.force_login(leader_user)
    response = client.get(reverse("bulletin_docx", args=[bulletin.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "2026-10" in response["Content-Disposition"] and ".docx" in response[
        "Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_a_version_built_before_the_editions_still_offers_its_pdf(
    client, media, city, department_user
) -> None:
    bulletin = _built()
    Bulletin.objects.filter(pk=bulletin.pk).update(docx="", web="")
    client.force_login(department_user)
    page = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "下载PDF" in page and "下载Word版" not in page and "pdf-frame" in page
    assert client.get(reverse("bulletin_docx", args=[bulletin.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_message_after_build_now_says_what_happened_when_the_build_ran_inline(
    client, media, city, department_user
) -> None:
    # No broker and no thread (eager tasks): the build has finished when the page answers.
    client.force_login(department_user)
    response = client.post(reverse("bulletin_build"), {"period": "2026-10"}, follow=True)
    body = response.content.decode()
    assert "2026年10月通报（第1版）已生成。" in body
    assert "已开始生成" not in body


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_build_runs_off_the_request_and_the_page_follows_it(
    client, settings, tmp_path, town, department_user, monkeypatch
) -> None:
    skip_unless(connection.vendor == "postgresql", "a second connection needs PostgreSQL")
    settings.MEDIA_ROOT = tmp_path
    settings.BULLETIN_BUILD_IN_THREAD = True
    make_committee(town=town)
    release, typesetting = threading.Event(), threading.Event()
    render_pdf = services.render_pdf

    def held_render(html: str):
        typesetting.set()
        assert release.wait(60)
        return render_pdf(html)

    monkeypatch.setattr(services, "render_pdf", held_render)
    client.force_login(department_user)
    started = time.monotonic()
    response = client.post(reverse("bulletin_build"), {"period": "2026-10"}, follow=True)
    answered = time.monotonic() - started
    bulletin = Bulletin.objects.get()
    # The request answered while the build is still running, and said so truly.
    assert typesetting.wait(30)
    assert bulletin.is_in_flight and not release.is_set()
    body = response.content.decode()
    assert "本页会显示进度" in body and "已生成。" not in body
    assert f'data-bulletin-status="{reverse("bulletin_status", args=[bulletin.pk])}"' in body
    status = client.get(reverse("bulletin_status", args=[bulletin.pk])).json()
    assert (status["state"], status["progress"], status["done"]) == ("building", 40, False)
    release.set()
    deadline = time.monotonic() + 60
    while status["state"] == "building" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(reverse("bulletin_status", args=[bulletin.pk])).json()
    assert (status["state"], status["progress"], status["done"]) == ("ready", 100, True)
    bulletin.refresh_from_db()
    assert bulletin.pdf and bulletin.docx and bulletin.web
    assert answered < 10


@pytest.mark.django_db(transaction=True)
def test_the_build_thread_closes_its_database_connection(settings, tmp_path, town) -> None:
    from reports.bulletins import tasks

    skip_unless(connection.vendor == "postgresql", "a second connection needs PostgreSQL")
    settings.MEDIA_ROOT = tmp_path
    make_committee(town=town)
    bulletin = services.bulletin_request(period=OCTOBER)

    def backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database()")
            return cursor.fetchone()[0]

    before = backends()
    tasks.build_in_thread(bulletin.pk).join(120)
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.READY
    deadline = time.monotonic() + 5
    while backends() > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backends() == before


def _spec(canvas: str) -> dict:
    import html
    import json

    return json.loads(html.unescape(re.search(r'data-chart="([^"]*)"', canvas).group(1)))


@pytest.mark.parametrize(("values", "axis"), [
    ([62, 14], {"max": 80, "step": 20}),        # counts: round steps, never 62.5
    ([3, 1], {"max": 3, "step": 1}),            # small counts: whole steps, never 0.8
    ([Decimal("56.2"), 12], {"max": 60, "step": 20}),
])
def test_the_phone_charts_tick_on_the_same_round_numbers_as_the_pdf(values, axis) -> None:
    from reports.bulletins import charts, web_charts

    spec = _spec(web_charts.bar_chart(["甲", "乙"], [("已报送", values)], title="t"))
    assert spec["axis"] == axis
    pdf = charts.ticks(max(float(v) for v in values), all(isinstance(v, int) for v in values))
    assert (spec["axis"]["max"], spec["axis"]["step"]) == (pdf[-1], pdf[1] - pdf[0])
    # A rate's axis runs to 100 on both editions.
    line = _spec(web_charts.line_chart(["1月"], [("报送率", [Decimal("56.2")])], title="t",
                                       unit="%", top=100))
    assert line["axis"] == {"max": 100, "step": 20}
