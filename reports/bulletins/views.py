import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from reports.bulletins import cases, issuing, services, tasks
from reports.bulletins.forms import (
    BuildForm,
    BulletinSettingsForm,
    BulletinTextForm,
    PublishForm,
    TypicalCaseForm,
)
from reports.bulletins.models import Bulletin, BulletinText, Notification, TypicalCase
from twinning.shared import permissions
from twinning.shared.kept_pages import kept_page, not_kept
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.periods import chinese_period, format_period, previous_month
from twinning.shared.writes import DATABASE_REFUSED_BUTTON, attempt, press, run

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get_bulletin(request: HttpRequest, pk: int, action: str = "view") -> Bulletin:
    """The bulletin if the user may see it (else 404) and may `action` it (else 403)."""
    return get_visible(request, Bulletin.objects.all(), action, pk=pk)


@kept_page
def bulletin_list(request: HttpRequest) -> HttpResponse:
    bulletins = permissions.visible(request.user, Bulletin.objects.all())
    can_build = permissions.can(request.user, "publish")
    last_month = previous_month(timezone.localdate())
    form = BuildForm(initial={"period": last_month})
    page = paginate(request, bulletins)
    for bulletin in page.object_list:
        services.bulletin_as_seen(bulletin)
        if bulletin.is_in_flight:  # its worker moves it on without writing history
            not_kept(request)
    return render(
        request,
        "reports/bulletins/bulletin_list.html",
        {"page": page, "form": form, "can_build": can_build,
         "period_param": format_period(last_month)},
    )


@require_POST
def bulletin_build(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "publish"):
        raise PermissionDenied
    form = BuildForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("period", []):
            messages.error(request, error)
        return redirect("bulletin_list")
    outcome = run(services.bulletin_request, refused=str(DATABASE_REFUSED_BUTTON),
                  period=form.cleaned_data["period"], user=request.user)
    if outcome.error is not None:
        messages.error(request, " ".join(outcome.messages))
        return redirect("bulletin_list")
    bulletin = outcome.result
    # No transaction is open: the build is handed over now (to a worker, a thread, or run
    # inline when tasks are eager), so the message says where it stands after that.
    tasks.dispatch(bulletin.pk)
    bulletin.refresh_from_db()
    _say_where_the_build_is(request, services.bulletin_as_seen(bulletin))
    return redirect(bulletin)


def _say_where_the_build_is(request: HttpRequest, bulletin: Bulletin) -> None:
    title = {"title": str(bulletin)}
    if bulletin.state == Bulletin.State.QUEUED:
        messages.success(request, _("%(title)s已排队等待生成，本页会显示进度。") % title)
    elif bulletin.state == Bulletin.State.BUILDING:
        messages.success(request, _("已开始生成%(title)s，本页会显示进度。") % title)
    elif bulletin.state == Bulletin.State.FAILED:
        messages.error(request, _("%(title)s生成失败：%(error)s") % {
            **title, "error": bulletin.last_error})
    else:
        messages.success(request, _("%(title)s已生成。") % title)


def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The bulletin page: its downloads and its phone edition for every reader; the build's
    progress, the version's details and the buttons for the department only."""
    bulletin = services.bulletin_as_seen(_get_bulletin(request, pk))
    edition = ""
    if bulletin.web:
        with bulletin.web.open("rb") as stored:
            # Made by the build from the project's own templates (autoescaped) and kept
            # unchanged with the version, like its PDF.
            edition = mark_safe(stored.read().decode())  # noqa: S308
    return render(
        request,
        "reports/bulletins/bulletin_detail.html",
        {"bulletin": bulletin, "can_publish": permissions.can(request.user, "publish"),
         "period_param": format_period(bulletin.period), "edition": edition},
    )


def bulletin_status(request: HttpRequest, pk: int) -> JsonResponse:
    bulletin = services.bulletin_as_seen(_get_bulletin(request, pk))
    return JsonResponse({
        "state": bulletin.state, "state_label": bulletin.get_state_display(),
        "progress": bulletin.progress, "note": bulletin.progress_note,
        "error": bulletin.last_error, "done": not bulletin.is_in_flight,
    })


@xframe_options_sameorigin  # shown inside the bulletin page
def bulletin_pdf(request: HttpRequest, pk: int) -> FileResponse:
    bulletin = _get_bulletin(request, pk)
    if not bulletin.pdf:
        raise Http404
    if bulletin.serial_number:
        filename = (f"{bulletin.period:%Y-%m}-通报-{bulletin.serial_year}年"
                    f"{bulletin.issue_label}.pdf")
    else:
        filename = f"{bulletin.period:%Y-%m}-通报-第{bulletin.version}版（草稿）.pdf"
    return FileResponse(
        bulletin.pdf.open("rb"), content_type="application/pdf", filename=filename,
        as_attachment=request.GET.get("download") == "1",
    )


def bulletin_annex(request: HttpRequest, pk: int) -> FileResponse:
    """The version's spreadsheet annex: every row its PDF leaves out."""
    bulletin = _get_bulletin(request, pk)
    if not bulletin.annex:
        raise Http404
    return FileResponse(
        bulletin.annex.open("rb"), as_attachment=True, filename=bulletin.annex_filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
def bulletin_docx(request: HttpRequest, pk: int) -> FileResponse:
    bulletin = _get_bulletin(request, pk)
    if not bulletin.docx:
        raise Http404
    filename = f"{bulletin.period:%Y-%m}-通报-第{bulletin.version}版.docx"
    return FileResponse(bulletin.docx.open("rb"), content_type=DOCX, filename=filename,
                        as_attachment=True)


@require_http_methods(["GET", "POST"])
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get_bulletin(request, pk, "publish")
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and attempt(
        form, services.bulletin_publish, bulletin=bulletin, user=request.user,
        quick=form.cleaned_data["quick"],
    ):
        bulletin.refresh_from_db()
        messages.success(request, _("%(title)s已发布。") % {"title": str(bulletin)})
        return redirect(bulletin)
    items = issuing.checklist(bulletin)
    filing_open = not next(i for i in items if i.key == "filing").ok
    return render(request, "reports/bulletins/bulletin_publish.html", {
        "bulletin": bulletin, "form": form, "items": items, "filing_open": filing_open,
        "refusals": issuing.refusals(bulletin, quick=False),
        "quick_refusals": issuing.refusals(bulletin, quick=True) if filing_open else None,
        "period_param": format_period(bulletin.period),
    })


@require_http_methods(["GET", "POST"])
def bulletin_settings(request: HttpRequest) -> HttpResponse:
    require(request, "edit_bulletin_settings")
    form = BulletinSettingsForm(request.POST or None, instance=issuing.bulletin_settings())
    if request.method == "POST" and form.is_valid() and attempt(
        form, issuing.bulletin_settings_update, row=form.save(commit=False)
    ):
        messages.success(request, _("印发设置已保存。"))
        return redirect("bulletin_list")
    return render(request, "reports/bulletins/bulletin_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest, period: datetime.date) -> HttpResponse:
    require(request, "publish")
    if request.method == "POST":
        chosen = press(request, cases.typical_case_choose,
                       lambda case: _("已选为典型案例：%(title)s。") % {"title": case.title},
                       period=period, kind=request.POST.get("kind", ""),
                       pk=_int(request.POST.get("pk")))
        if chosen is not None:
            return redirect("case_edit", pk=chosen.pk)
        return redirect("case_list", period=period)
    return render(request, "reports/bulletins/case_list.html", {
        "period": period, "period_label": chinese_period(period),
        "cases": TypicalCase.objects.filter(period=period).select_related(
            "committee", "committee__town"),
        "candidates": cases.candidates(period),
    })


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "publish")
    case = get_object_or_404(TypicalCase, pk=pk)
    form = TypicalCaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid() and attempt(
        form, cases.typical_case_update, case=form.save(commit=False)
    ):
        messages.success(request, _("典型案例已保存，下次生成通报时使用。"))
        return redirect("case_list", period=case.period)
    return render(request, "reports/bulletins/case_edit.html", {
        "form": form, "case": case, "period_label": chinese_period(case.period)})


@require_POST
def case_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "publish")
    case = get_object_or_404(TypicalCase, pk=pk)
    period = case.period
    press(request, cases.typical_case_remove, lambda _r: _("已移除该典型案例。"), case=case)
    return redirect("case_list", period=period)


@require_http_methods(["GET", "POST"])
def bulletin_text(request: HttpRequest, period: datetime.date) -> HttpResponse:
    if not permissions.can(request.user, "publish"):
        raise PermissionDenied
    month = period
    text = BulletinText.objects.filter(period=month).first() or BulletinText(period=month)
    form = BulletinTextForm(request.POST or None, instance=text)
    if request.method == "POST" and form.is_valid() and attempt(form, form.save):
        messages.success(request, _("已保存，下次生成通报时使用。"))
        return redirect("bulletin_list")
    return render(
        request, "reports/bulletins/bulletin_text.html",
        {"form": form, "period_label": chinese_period(month)},
    )


def notification_list(request: HttpRequest) -> HttpResponse:
    notes = list(Notification.objects.filter(user=request.user)[:100])
    if request.method == "POST":
        refused = run(_mark_read, user=request.user, refused=str(DATABASE_REFUSED_BUTTON))
        if refused.error is not None:
            messages.error(request, " ".join(refused.messages))
        return redirect("notification_list")
    return render(request, "reports/bulletins/notification_list.html", {"notifications": notes})


def _mark_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
