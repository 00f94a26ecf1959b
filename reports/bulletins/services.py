"""Writes for bulletins: request a build, build it, publish it, notify readers.

A build is claimed with a conditional UPDATE so that two workers never build the same
version, and held by a lease the worker extends at every step: a version still "building"
after its lease has passed lost its worker, and is taken over (a redelivered task, the beat
task) or failed (a new request; a page only shows it as failed), so a dead worker never
blocks anyone.
The PDF is written to a temporary file, moved into place, and only then is the version
marked ready, in the same transaction as the rest of its row.
"""

import datetime
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.bulletins import charts, condense, editions, fonts, issuing, web_charts
from reports.bulletins.annex import Annex, annex_workbook
from reports.bulletins.models import Bulletin, Notification
from reports.bulletins.pdf import render_pdf
from reports.bulletins.selectors import BulletinData, bulletin_data
from twinning.shared import permissions
from twinning.shared.periods import chinese_period

logger = logging.getLogger(__name__)

WAN = Decimal(10000)
Progress = Callable[[int, str], None]


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.BULLETIN_LEASE_SECONDS)


def _lease_expired(now: datetime.datetime) -> Q:
    """Versions building whose worker stopped extending its lease: that worker is gone."""
    return Q(state=Bulletin.State.BUILDING) & (
        Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    )


def _interrupted() -> str:
    return _("生成过程中断（工作进程中断），请重新生成。")


def bulletin_as_seen(bulletin: Bulletin) -> Bulletin:
    """The version as a page shows it: a build whose worker died (lease passed) reads as
    failed, so the rebuild button is offered at once. Nothing is written: a page view changes
    no data; the rebuild request (`bulletin_request`) or beat settles the row."""
    lapsed = bulletin.lease_until is None or bulletin.lease_until < timezone.now()
    if bulletin.state == Bulletin.State.BUILDING and lapsed:
        bulletin.state, bulletin.last_error = Bulletin.State.FAILED, _interrupted()
    return bulletin


def bulletin_request(*, period: datetime.date, user: User | None = None) -> Bulletin:
    """Queue a new version for `period`, or return the one already queued or building.

    A version whose worker died (its lease has passed) is failed first, so it never blocks
    a new build.
    """
    for _attempt in range(3):
        bulletins_fail_expired()
        in_flight = Bulletin.objects.filter(period=period, state__in=Bulletin.IN_FLIGHT).first()
        if in_flight:
            return in_flight
        try:
            with transaction.atomic():
                last = Bulletin.objects.filter(period=period).aggregate(v=Max("version"))["v"]
                return Bulletin.objects.create(
                    period=period, version=(last or 0) + 1, requested_by=user
                )
        except IntegrityError:
            # Another request created a version at the same moment; use that one.
            continue
    raise ValidationError(_("同一月份的通报正在被同时请求，请稍后再试。"))


def _claim(bulletin_id: int) -> int | None:
    """Take the build for this worker; returns its attempt number, or None if not ours.

    Claimable: queued, or building under a lease that has passed (its worker died) and not
    yet tried too often. One UPDATE decides: of two workers claiming at once, PostgreSQL
    lets the second re-check the row after the first has committed, and it matches nothing.
    """
    now = timezone.now()
    claimable = Q(state=Bulletin.State.QUEUED) | (
        _lease_expired(now) & Q(attempts__lt=settings.BULLETIN_MAX_ATTEMPTS)
    )
    claimed = Bulletin.objects.filter(claimable, pk=bulletin_id).update(
        state=Bulletin.State.BUILDING, started_at=now, heartbeat_at=now,
        lease_until=_lease_end(now), attempts=F("attempts") + 1, progress=0,
        progress_note=_("开始生成"), last_error="",
    )
    if not claimed:
        return None
    return Bulletin.objects.values_list("attempts", flat=True).get(pk=bulletin_id)


def _ours(bulletin_id: int, attempt: int) -> Q:
    # The attempt number is the claim's token: a worker that lost its lease (a step outran
    # it and another worker took over) can no longer write to the version.
    return Q(pk=bulletin_id, state=Bulletin.State.BUILDING, attempts=attempt)


def _progress(bulletin_id: int, attempt: int) -> Progress:
    def report(percent: int, note: str) -> None:
        now = timezone.now()
        Bulletin.objects.filter(_ours(bulletin_id, attempt)).update(
            progress=percent, progress_note=note, heartbeat_at=now, lease_until=_lease_end(now)
        )

    return report


@dataclass(frozen=True)
class Section:
    anchor: str
    name: str
    template: str
    key: str | None = None  # printed only when this attribute of the data is not empty
    number: str = ""

    @property
    def title(self) -> str:
        """The heading as printed: the section's place among those printed this month."""
        return f"{self.number}、{self.name}"


SECTIONS = (
    Section("s1", "总体情况", "reports/bulletins/sections/s1_overview.html"),
    Section("s2", "月度报告报送", "reports/bulletins/sections/s2_filing.html"),
    Section("s3", "督查情况", "reports/bulletins/sections/s3_inspections.html"),
    Section("s4", "帮扶成效", "reports/bulletins/sections/s4_aid.html"),
    Section("s5", "典型案例", "reports/bulletins/sections/s5_cases.html", "cases"),
    Section("s6", "民主评议与考核", "reports/bulletins/sections/s6_evaluations.html",
            "evaluations"),
    Section("s7", "下步工作", "reports/bulletins/sections/s7_next_steps.html", "next_steps"),
)
NUMERALS = "一二三四五六七八九十"


def bulletin_sections(data: BulletinData) -> list[Section]:
    """The sections this month's bulletin prints, in DESIGN §4 order, numbered without gaps:
    a section that does not apply this month is left out and the rest renumbered."""
    printed = [s for s in SECTIONS if s.key is None or getattr(data, s.key, None)]
    return [replace(s, number=NUMERALS[i]) for i, s in enumerate(printed)]


def bulletin_context(period: datetime.date, version: int | None = None,
                     data: BulletinData | None = None, annex: Annex | None = None,
                     draw: Any = charts, faces: fonts.Faces | None = None,
                     as_of: datetime.date | None = None) -> dict[str, Any]:
    """What the bulletin's templates read, for the PDF (SVG charts, the document's faces) or
    the phone edition (`draw=web_charts`). With `annex`, the bulletin names its spreadsheet
    annex and how many rows it holds; `as_of` is the day the figures are read."""
    as_of = as_of or timezone.localdate()
    data = data or bulletin_data(period, today=as_of)
    excerpts = condense.bulletin_excerpts(data)
    annex_name = Bulletin(period=period, version=version or 0).annex_filename if annex else ""
    return {"data": data, "version": version, "charts": bulletin_charts(data, excerpts, draw),
            "sections": bulletin_sections(data), "period_label": chinese_period(period),
            "x": excerpts, "annex": annex, "annex_name": annex_name,
            "fonts": faces.css() if faces else "",
            "issue_parts": issuing.draft_parts(period, as_of)}


def bulletin_html(period: datetime.date, version: int | None = None,
                  data: BulletinData | None = None, annex: Annex | None = None) -> str:
    """The bulletin as a self-contained HTML document (what the PDF is rendered from)."""
    return bulletin_document(period, fonts.require(), version=version, data=data,
                             annex=annex)[0]


def bulletin_document(period: datetime.date, faces: fonts.Faces, *, version: int | None = None,
                      data: BulletinData | None = None, annex: Annex | None = None,
                      as_of: datetime.date | None = None) -> tuple[str, dict]:
    """The draft's HTML, and what it holds for the publishing checklist.

    Sections without content this month (no typical case chosen, no next steps written)
    are left out rather than filled with a placeholder; the checklist refuses to publish
    without them.
    """
    as_of = as_of or timezone.localdate()
    data = data or bulletin_data(period, today=as_of)
    html = render_to_string("reports/bulletins/bulletin_pdf.html", bulletin_context(
        period, version, data, annex, faces=faces, as_of=as_of))
    contents = {"cases": len(data.cases), "next_steps": bool(data.next_steps.strip()),
                "as_of": as_of.isoformat()}
    return html, contents


def bulletin_charts(data: BulletinData, excerpts: dict[str, condense.Excerpt] | None = None,
                    draw: Any = charts) -> dict[str, str]:
    """The charts of a bulletin, keyed by where the template places them: SVG for the PDF, or
    whatever `draw` makes of the same figures (web_charts: Chart.js canvases). Charts by town
    draw the towns the tables print (`condense`); colours are the dashboard's."""
    x = excerpts or condense.bulletin_excerpts(data)
    towns = x["towns"].rows
    filing_towns = x["filing_towns"].rows
    scored = [t for t in x["score_towns"].rows if t.average is not None]
    return {
        "coverage_by_town": draw.hbar_chart(
            [t.name for t in towns], [t.villages for t in towns],
            title="各镇街联建村数量", unit="个",
        ),
        "filing_by_town": draw.hbar_chart(
            [t.town.name for t in filing_towns],
            [_percent(t.get("on_time") + t.get("late"), t.total) for t in filing_towns],
            title="各镇街月度报告报送率", unit="%",
        ),
        "filing_trend": draw.line_chart(
            [f"{m.period:%y.%m}" for m in data.filing.trend],
            [("报送率", [m.rate for m in data.filing.trend])],
            title="近12个月月度报告报送率", unit="%", top=100,
        ),
        "scores_by_town": draw.hbar_chart(
            [t.town for t in scored], [t.average for t in scored],
            title="各镇街督查平均得分", unit="分",
        ),
        "scores_trend": draw.line_chart(
            [f"{m.period:%y.%m}" for m in data.inspections.trend],
            [("平均得分", [m.average for m in data.inspections.trend])],
            title="近12个月督查平均得分", unit="",
        ),
        "aid_by_mechanism": draw.hbar_chart(
            [str(r.label) for r in data.aid.cumulative.by_mechanism],
            [r.investment / WAN for r in data.aid.cumulative.by_mechanism],
            title="按帮扶机制的累计投入（万元）", unit="万元",
            colours=(charts.RED, charts.BLUE, charts.YELLOW),
        ),
        "aid_investment_trend": draw.bar_chart(
            [f"{m.period:%y.%m}" for m in data.aid.trend],
            [("投入（万元）", [m.investment / WAN for m in data.aid.trend])],
            title="近12个月帮扶投入（万元）",
        ),
        "aid_jobs_trend": draw.line_chart(
            [f"{m.period:%y.%m}" for m in data.aid.trend],
            [("新增就业（人）", [m.jobs for m in data.aid.trend])],
            title="近12个月新增就业（人）", colours=(charts.BLUE,),
        ),
        "coverage_trend": draw.line_chart(
            [f"{p.period:%y.%m}" for p in data.trend],
            [("联合党组织", [p.committees for p in data.trend]),
             ("联建村", [p.villages for p in data.trend])],
            title="近12个月联合党组织与联建村数量", unit="",
            colours=(charts.BLUE, charts.RED),
        ),
    }


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def bulletin_build(bulletin_id: int) -> str:
    """Build one claimed version; returns its final state. Safe to call twice.

    The bulletin is an official Chinese document whatever language the caller's page uses.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _build(bulletin_id)


def _build(bulletin_id: int) -> str:
    attempt = _claim(bulletin_id)
    if attempt is None:
        # Not ours: done, failed, or building under someone's live lease. A version whose
        # workers kept dying is failed here rather than left for ever "building".
        _fail_exhausted(Bulletin.objects.filter(pk=bulletin_id))
        return Bulletin.objects.get(pk=bulletin_id).state
    bulletin = Bulletin.objects.get(pk=bulletin_id)
    report = _progress(bulletin_id, attempt)
    try:
        # Without the faces the PDF would print boxes: fail with the reason instead.
        faces = fonts.require()
        report(10, _("汇总数据"))
        as_of = timezone.localdate()
        data = bulletin_data(bulletin.period, today=as_of)
        report(30, _("生成附件"))
        annex = annex_workbook(data)
        html, contents = bulletin_document(bulletin.period, faces, version=bulletin.version,
                                           data=data, annex=annex, as_of=as_of)
        report(40, _("排版PDF"))
        word = editions.word_edition_begun(html)  # its charts convert beside the layout
        rendered = render_pdf(html)
        report(80, _("生成Word版和手机版"))
        files = {
            "pdf": rendered.content,
            "docx": word(),
            "web": editions.phone_edition(bulletin_context(
                bulletin.period, bulletin.version, data, annex, draw=web_charts, as_of=as_of)),
            "annex": annex.content,
        }
        report(90, _("保存文件"))
        return _store(bulletin, attempt, files, rendered.page_count, annex_rows=annex.total,
                      html=html, contents=contents)
    except OperationalError:
        # Transient (connection lost, deadlock, lock or statement timeout): the task retries,
        # and takes the version over once the lease passes. Other database errors (an
        # integrity or data error) are bugs or bad data, recorded below like any other.
        raise
    except Exception as error:  # a bug or bad data: record it for the department
        reason = str(error) if isinstance(error, fonts.FontsMissing) else (
            f"{type(error).__name__}: {error}")
        Bulletin.objects.filter(_ours(bulletin_id, attempt)).update(
            state=Bulletin.State.FAILED, last_error=reason[:4000],
            heartbeat_at=timezone.now(), lease_until=None,
        )
        raise


EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "web": ".html", "annex": "-annex.xlsx"}


def _store(bulletin: Bulletin, attempt: int, files: dict[str, bytes], page_count: int, *,
           annex_rows: int = 0, html: str = "", contents: dict | None = None) -> str:
    """Put the version's files (its PDF and editions, by field) in place, then mark it ready."""
    # A retry writes its own files: a first attempt that wakes up late can never overwrite
    # or delete the files of the attempt that took over from it.
    suffix = "" if attempt == 1 else f"-r{attempt}"
    stem = f"bulletins/{bulletin.period:%Y-%m}-v{bulletin.version}{suffix}"
    names = {field: f"{stem}{EXTENSIONS[field]}" for field in files}
    written: list[Path] = []
    try:
        for field, content in files.items():
            written.append(_write_file(Path(settings.MEDIA_ROOT) / names[field], content))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    pdf = files["pdf"]
    with transaction.atomic():
        updated = Bulletin.objects.filter(_ours(bulletin.pk, attempt)).update(
            state=Bulletin.State.READY, checksum=hashlib.sha256(pdf).hexdigest(),
            page_count=page_count, size_bytes=len(pdf), progress=100,
            progress_note=_("已完成"), built_at=timezone.now(), heartbeat_at=timezone.now(),
            lease_until=None, annex_rows=annex_rows, html=html, contents=contents or {},
            **names,
        )
    if not updated:
        # The version was taken from us (failed, or another attempt holds it): no orphan file.
        for path in written:
            path.unlink(missing_ok=True)
        return Bulletin.objects.get(pk=bulletin.pk).state
    return Bulletin.State.READY


def _write_file(final: Path, content: bytes) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the final path, then rename: a reader never sees a half-written file.
    fd, scratch = tempfile.mkstemp(dir=final.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, final)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return final


def bulletin_fail(bulletin_id: int, error: str) -> None:
    """Record a failed build; the department can rebuild (a new version)."""
    Bulletin.objects.filter(pk=bulletin_id, state__in=Bulletin.IN_FLIGHT).update(
        state=Bulletin.State.FAILED, last_error=error[:4000], heartbeat_at=timezone.now(),
        lease_until=None,
    )


def bulletin_lease_left(bulletin_id: int) -> float | None:
    """Seconds until the lease on a building version passes (0 if it has); None if the
    version is not building."""
    row = Bulletin.objects.filter(pk=bulletin_id, state=Bulletin.State.BUILDING).values(
        "lease_until"
    ).first()
    if row is None:
        return None
    if row["lease_until"] is None:
        return 0.0
    return max(0.0, (row["lease_until"] - timezone.now()).total_seconds())


def _fail_exhausted(bulletins: QuerySet[Bulletin]) -> int:
    message = _("生成过程多次中断（工作进程中断%(n)s次），请检查工作进程后重新生成。") % {
        "n": settings.BULLETIN_MAX_ATTEMPTS
    }
    return bulletins.filter(
        _lease_expired(timezone.now()), attempts__gte=settings.BULLETIN_MAX_ATTEMPTS
    ).update(state=Bulletin.State.FAILED, last_error=message, lease_until=None)


def bulletins_fail_expired() -> int:
    """Fail every build whose worker died (its lease passed); returns how many.

    Called where someone is waiting on the answer (a rebuild, the bulletin pages): they
    see why, and can build a new version at once.
    """
    return Bulletin.objects.filter(_lease_expired(timezone.now())).update(
        state=Bulletin.State.FAILED, last_error=_interrupted(), lease_until=None
    )


def bulletins_requeue_expired() -> int:
    """Queue again every build whose worker died (its lease passed); returns how many.

    For the beat task, when no one is watching: the build is tried again, up to
    BULLETIN_MAX_ATTEMPTS attempts, then failed.
    """
    _fail_exhausted(Bulletin.objects.all())
    return Bulletin.objects.filter(
        _lease_expired(timezone.now()), attempts__lt=settings.BULLETIN_MAX_ATTEMPTS
    ).update(
        state=Bulletin.State.QUEUED, progress=0, lease_until=None,
        progress_note=_("工作进程中断，重新排队"),
    )


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, user: User | None, quick: bool = False) -> Bulletin:
    """Publish a ready version (as a 快报 if `quick`) and notify every reader once.

    Refused while the checklist misses a required part, or while the month's filing was
    still open when the version was built (unless a 快报). The version takes the year's
    next serial number, and its reviewed HTML is laid out again with the number and the
    issue date: that issued PDF is stored and served; the draft is kept beside it.
    """
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.state != Bulletin.State.READY:
        raise ValidationError(
            _("只有已生成、待发布的通报可以发布（当前状态：%(state)s）。")
            % {"state": bulletin.get_state_display()}
        )
    if not bulletin.html:
        raise ValidationError(_("该版本生成时未保存排版内容，请重新生成后发布。"))
    refused = issuing.refusals(bulletin, quick=quick)
    if refused:
        raise ValidationError(refused)
    issue = issuing.issue_for(bulletin, quick=quick)
    issued = issuing.reissue(bulletin.html, issue)
    word = editions.word_edition_begun(issued)
    rendered = render_pdf(issued)
    stem = (f"bulletins/{bulletin.period:%Y-%m}-v{bulletin.version}"
            f"-{issue.serial_year}-{issue.serial_number}")
    name, docx = f"{stem}.pdf", f"{stem}.docx"
    root = Path(settings.MEDIA_ROOT)
    # The Word edition carries the same head, number and 印发 block as the issued PDF.
    written = [_write_file(root / name, rendered.content),
               _write_file(root / docx, word())]
    bulletin.draft_pdf, bulletin.pdf, bulletin.docx = bulletin.pdf.name, name, docx
    bulletin.checksum = hashlib.sha256(rendered.content).hexdigest()
    bulletin.page_count, bulletin.size_bytes = rendered.page_count, len(rendered.content)
    bulletin.serial_year, bulletin.serial_number = issue.serial_year, issue.serial_number
    bulletin.reference, bulletin.issued_on, bulletin.quick = issue.reference, issue.issued_on, quick
    bulletin.state = Bulletin.State.PUBLISHED
    bulletin.published_by = user
    bulletin.published_at = timezone.now()
    try:
        bulletin.save()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    _notify_readers(bulletin)
    return bulletin


def _notify_readers(bulletin: Bulletin) -> None:
    readers = list(User.objects.filter(permissions.holders("hear_of_bulletins"), is_active=True)
                   .select_related("profile").order_by("pk"))
    text = _("%(title)s已发布。") % {"title": str(bulletin)}
    Notification.objects.bulk_create(
        Notification(user=u, text=text, url=bulletin.get_absolute_url()) for u in readers
    )
    leaders = [u.email for u in readers
               if u.email and permissions.can(u, "receive_bulletins_by_email")]
    if leaders:
        subject = text
        body = _("请登录城乡联合党组织管理系统阅读：%(path)s") % {
            "path": bulletin.get_absolute_url()
        }
        # One message per leader: no leader sees the others' addresses.
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in leaders]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
