"""The staff import page (upload → preview → confirm), templates and list exports."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from twinning.shared import exchange, permissions
from twinning.shared.audit import personal_data_read
from twinning.shared.exchange import jobs
from twinning.shared.exchange.forms import ImportForm
from twinning.shared.exchange.listings import listing_file
from twinning.shared.lookups import paginate
from twinning.shared.models import ImportRecord

HISTORY_PAGE = 20


def _importable(request: HttpRequest) -> list[exchange.Kind]:
    kinds = exchange.kinds_for(request.user, "import")
    if not kinds:
        raise PermissionDenied
    return kinds


def _kind(key: str, fmt: str) -> exchange.Kind:
    if key not in exchange.KINDS or fmt not in exchange.FORMATS:
        raise Http404
    return exchange.KINDS[key]


def _file(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exchange.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _page(
    request: HttpRequest, kinds: list, form: ImportForm, status: int = 200, **context
) -> HttpResponse:
    records = ImportRecord.objects.select_related("user")
    if not permissions.can(request.user, "see_all_imports"):
        records = records.filter(user=request.user)
    history = paginate(request, records, HISTORY_PAGE)
    for record in history.object_list:
        kind = exchange.KINDS.get(record.kind)
        record.kind_label = kind.label if kind else record.kind
    return render(
        request,
        "twinning/exchange/import.html",
        {
            "form": form,
            "kinds": kinds,
            "history": history,
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": settings.IMPORT_MAX_ROWS,
            **context,
        },
        status=status,
    )


def _in_process() -> bool:
    # The embedded mode (no broker) runs tasks in-process: the pages then import as they
    # always did, in the request, instead of queueing a record for a worker.
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a file: every row is checked and the changes previewed; nothing is written."""
    kinds = _importable(request)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        # One byte past the limit is enough to refuse a file that is too large.
        data = upload.read(settings.IMPORT_MAX_BYTES + 1)
        if not _in_process():
            token = exchange.keep_upload(request.session, kind, upload.name, data,
                                         user=request.user)
            record = jobs.import_queue(user=request.user, kind_key=kind,
                                       file_name=upload.name, token=token, dry_run=True)
            return _to_progress(record)
        report = exchange.import_file(kind, upload.name, data, user=request.user, dry_run=True)
        token = ""
        if report.ok and (report.created or report.changed):
            token = exchange.keep_upload(
                request.session, kind, upload.name, data, user=request.user)
        return _finished(request, kinds, form, report, token)
    return _page(request, kinds, form)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Write the file kept at the preview, checking it again as it is written."""
    kinds = _importable(request)
    if request.method == "GET":
        return redirect("exchange_import")
    token = request.POST.get("token", "")
    try:
        kind, name, data = exchange.kept_upload(request.session, token, user=request.user)
    except exchange.UploadNotFound as problem:
        messages.error(request, str(problem))
        return _page(request, kinds, ImportForm(kinds=kinds), status=400)
    if not _in_process():
        record = jobs.import_queue(user=request.user, kind_key=kind, file_name=name,
                                   token=token, dry_run=False)
        return _to_progress(record)
    report = exchange.import_file(kind, name, data, user=request.user, dry_run=False)
    form = ImportForm(kinds=kinds, initial={"kind": kind})
    return _finished(request, kinds, form, report, token)


def _to_progress(record: ImportRecord) -> HttpResponse:
    return redirect(f"{reverse('exchange_progress')}?record={record.pk}")


def _finished(
    request: HttpRequest, kinds: list, form: ImportForm, report: exchange.Report, token: str
) -> HttpResponse:
    """The page after a check or a confirmation, run here or by a worker."""
    if report.dry_run:
        if report.ok and (report.created or report.changed):
            return _page(request, kinds, form, report=report, token=token)
        exchange.forget_upload(request.session, token)
        return _page(request, kinds, form, report=report)
    if report.failure:
        messages.error(request, _("数据库暂时无法写入，本次没有写入任何数据。文件已保留，"
                                  "请稍后再点“确认导入”。"))
        return _page(request, kinds, form, report=report, token=token)
    exchange.forget_upload(request.session, token)
    if report.written:
        counts = {"name": report.file_name, "created": report.created,
                  "changed": report.changed, "unchanged": report.unchanged}
        messages.success(
            request,
            _("已导入「%(name)s」：新建 %(created)s 条，修改 %(changed)s 条，"
              "%(unchanged)s 条不变。") % counts,
        )
        return redirect("exchange_import")
    return _page(request, kinds, form, report=report)


def _own_record(request: HttpRequest) -> ImportRecord | None:
    """The import named by ?record=, if this user started it."""
    pk = request.GET.get("record", "")
    if not pk.isdigit():
        return None
    return ImportRecord.objects.filter(pk=int(pk), user=request.user).first()


@require_http_methods(["GET"])
def progress(request: HttpRequest) -> HttpResponse:
    """An import a worker runs: its progress until it is done, then its result."""
    kinds = _importable(request)
    record = _own_record(request)
    if record is None:
        return redirect("exchange_import")
    if record.state != ImportRecord.State.DONE:
        return render(request, "twinning/exchange/progress.html", {"record": record})
    form = ImportForm(kinds=kinds, initial={"kind": record.kind})
    return _finished(request, kinds, form, exchange.report_of(record), record.token)


@require_http_methods(["GET"])
def progress_status(request: HttpRequest) -> JsonResponse:
    """The state and counts the progress page polls."""
    _importable(request)
    record = _own_record(request)
    if record is None:
        raise Http404
    return JsonResponse({
        "state": record.state, "state_label": record.get_state_display(),
        "rows": record.rows, "checked": record.checked, "written": record.written,
        "done": record.state == ImportRecord.State.DONE,
    })


def template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The headers of a kind with one example row, to fill in."""
    found = _kind(kind, fmt)
    if not found.may_import(request.user):
        raise PermissionDenied
    return _file(exchange.template_file(kind, fmt), f"{kind}-template", fmt)


def _exported(request: HttpRequest, found: exchange.Kind) -> QuerySet:
    """The rows of the kind's list page as filtered (its own selector, so never more), with
    the read of personal data recorded as the list page records it."""
    if not found.may_export(request.user):
        raise PermissionDenied
    queryset = found.export_queryset(request.user, request.GET)
    if found.personal:
        personal_data_read(request, _("%(kind)s导出") % {"kind": found.label},
                           queryset if found.members else [])
    return queryset


def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The kind's list page as filtered, as a file that imports back unchanged."""
    found = _kind(kind, fmt)
    queryset = _exported(request, found)
    name = f"{kind}-{timezone.localdate().isoformat()}"
    return _file(exchange.export_file(kind, queryset, fmt), name, fmt)


def listing(request: HttpRequest, kind: str) -> HttpResponse:
    """The kind's list page as filtered, as a report to read: names, figures, a title row."""
    found = _kind(kind, "xlsx")
    if found.listing is None:
        raise Http404
    queryset = _exported(request, found)
    today = timezone.localdate()
    content = listing_file(found.listing, queryset, request.GET, today=today)
    return _file(content, f"{kind}-report-{today.isoformat()}", "xlsx")
