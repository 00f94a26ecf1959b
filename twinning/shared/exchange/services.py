"""Import and export of the registers (DESIGN §5), for the staff pages and the commands alike.

An import reads the file, maps its headers (key or Chinese label) to the resource's columns,
checks every row without writing (django-import-export's dry run without a transaction, which
skips saving; our resources check in bulk, so no query is made per row), and only when no row
is wrong writes the new and changed rows through the services in one transaction. Every
import, checked only or written, leaves an ImportRecord.
"""

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from import_export.results import RowResult

from twinning.shared import permissions
from twinning.shared.audit import acting_as
from twinning.shared.exchange.examples import EXAMPLE_ROW, alerts, example_rows
from twinning.shared.exchange.files import (
    FileProblem,
    Table,
    column_letter,
    normalise_header,
    read_table,
    write_table,
)
from twinning.shared.exchange.listings import Listing
from twinning.shared.exchange.resources import EXAMPLE_PREFIX, ExchangeResource
from twinning.shared.models import ImportRecord

logger = logging.getLogger(__name__)

# How much of a large file the preview page shows; the counts always cover every row.
SHOWN_CHANGES = 200
SHOWN_PROBLEMS = 500
RECORDED_PROBLEMS = 50


@dataclass(frozen=True)
class Kind:
    """One register that can be exchanged: its resource, the selector behind its list page
    (an export shows exactly what that list shows), and the policy's actions that let a user
    import and export it."""

    key: str
    label: Promise | str
    resource: type[ExchangeResource]
    selector: Callable[[Any, Any], QuerySet]
    imports: str = "import_data"
    exports: str = "export_registers"
    # Its export carries personal data (names, phones): recorded and never cached; `members`
    # says whether its rows are the members themselves (their ids go into the record).
    personal: bool = False
    members: bool = False
    # The export that reads as a report (names, figures, a title row), beside the import file.
    listing: Listing | None = None

    @property
    def resource_class(self) -> type[ExchangeResource]:
        return self.resource

    def may_import(self, user: Any) -> bool:
        return permissions.can(user, self.imports)

    def may_export(self, user: Any) -> bool:
        return permissions.can(user, self.exports)

    def export_queryset(self, user: Any, params: Any) -> QuerySet:
        return self.selector(user, params)


# The registers of DESIGN §5, registered by their apps in `ready()`, so in the order a city
# loads them (INSTALLED_APPS: branches, then twinning).
KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    KINDS[kind.key] = kind


class UnknownKind(ValueError):
    """A kind name that is not in KINDS; the message lists the known ones."""


def kind_named(key: str) -> Kind:
    if key not in KINDS:
        known = "、".join(KINDS)
        raise UnknownKind(
            _("未知的数据类型「%(kind)s」，可选：%(kinds)s。") % {"kind": key, "kinds": known}
        )
    return KINDS[key]


def kinds_for(user: Any, action: str) -> list[Kind]:
    """The kinds the user may `import` or `export`."""
    return [k for k in KINDS.values() if getattr(k, f"may_{action}")(user)]


# Reports


@dataclass
class Problem:
    """One thing wrong, where the clerk sees it: a spreadsheet row (None: the whole file) and
    column (letter and header as typed in the file)."""

    row: int | None
    message: str
    letter: str = ""
    header: str = ""

    def __str__(self) -> str:
        where = _("第%(row)s行") % {"row": self.row} if self.row else _("文件")
        if self.letter:
            where += " " + _("%(letter)s列「%(header)s」") % {
                "letter": self.letter, "header": self.header}
        return f"{where}：{self.message}"


@dataclass
class RowChange:
    """A row that would be created or changed, with (label, before, after) per changed cell."""

    row: int
    created: bool
    subject: str
    cells: list[tuple[str, str, str]]


@dataclass
class Report:
    kind: Kind
    file_name: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    # What to check before confirming, though nothing is wrong (a guessed encoding).
    notes: list[str] = field(default_factory=list)
    # Changes to check before confirming: a stored record's name or secretary replaced.
    alerts: list[str] = field(default_factory=list)
    # All the problems found, when `problems` holds only the first (a stored report).
    problem_total: int | None = None
    written: bool = False
    # Set when the database refused the write of a file with no problems: nothing was
    # written, and the same file may be confirmed again.
    failure: str = ""
    record: ImportRecord | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) if self.problem_total is None else self.problem_total

    @property
    def shown_changes(self) -> list[RowChange]:
        return self.changes[:SHOWN_CHANGES]

    @property
    def shown_problems(self) -> list[Problem]:
        return self.problems[:SHOWN_PROBLEMS]


# Import


@dataclass
class _Plan:
    """A checked file: the dataset under column keys, and where each key came from."""

    table: Table
    dataset: tablib.Dataset
    where: dict[str, tuple[str, str]]  # key -> (letter, header as in the file)


def import_file(
    kind_key: str, file_name: str, data: bytes, *, user: Any, dry_run: bool,
    record: ImportRecord | None = None,
) -> Report:
    """Check a file of one register and, unless `dry_run` or any row is wrong, write it.

    `user` None is the command line. Nothing is written unless every row is right; the report
    lists every problem and every row that would change (or did). With `record` (an import
    sent to a worker) its progress is kept on that record, which then receives the result;
    otherwise a new ImportRecord is written.
    """
    kind = KINDS[kind_key]
    if user is not None and not kind.may_import(user):
        raise PermissionDenied
    report = Report(kind=kind, file_name=file_name, dry_run=dry_run)
    resource = kind.resource_class(user=user, source=file_name)
    if record is not None:
        resource.on_progress = lambda checked: _progress(record, checked=checked)
    try:
        table = read_table(file_name, data)
        report.notes = table.notes
        plan = _plan(resource, table, report)
    except FileProblem as problem:
        report.problems.append(Problem(None, str(problem)))
        plan = None
    if plan is not None:
        if record is not None:
            _progress(record, rows=report.rows)
        planned = _check(resource, plan, report)
        if report.ok and not dry_run and planned:
            if record is not None:
                _progress(record, checked=report.rows)
            _write(resource, planned, report, user)
    report.record = _record(report, user, record)
    return report


def _progress(record: ImportRecord, **counts: int) -> None:
    # Outside any transaction of the import, so the progress page sees it at once.
    ImportRecord.objects.filter(pk=record.pk).update(**counts)


def _plan(resource: ExchangeResource, table: Table, report: Report) -> _Plan | None:
    """Map the header row to columns; any unknown, repeated or missing column stops here."""
    columns = resource.columns()
    names = {}
    for column in columns:
        names[normalise_header(column.column_name)] = column
        names[normalise_header(column.label)] = column
    where: dict[str, tuple[str, str]] = {}
    keep: list[int] = []
    problems = report.problems
    for index, header in enumerate(table.headers):
        letter = column_letter(index)
        if not normalise_header(header):
            if any(row[index] != "" for row in table.rows):
                problems.append(Problem(1, _("这一列有数据但没有列名。"), letter, ""))
            continue
        column = names.get(normalise_header(header))
        if column is None:
            known = "、".join(f"{c.label}（{c.column_name}）" for c in columns)
            problems.append(
                Problem(1, _("无法识别的列名。可用的列：%(known)s。") % {"known": known},
                        letter, header)
            )
        elif column.column_name in where:
            first = where[column.column_name]
            problems.append(
                Problem(1, _("与%(letter)s列「%(header)s」重复。")
                        % {"letter": first[0], "header": first[1]}, letter, header)
            )
        else:
            where[column.column_name] = (letter, header)
            keep.append(index)
    # The natural key finds the stored row; other columns may be left out of a file that
    # only changes stored rows (a new row without them is refused on its own row).
    for name in resource.get_import_id_fields():
        if name not in where:
            column = resource.fields[name]
            problems.append(
                Problem(1, _("缺少必需的列「%(label)s」（%(key)s）。")
                        % {"label": column.label, "key": column.column_name})
            )
    if problems:
        return None
    headers = [table.headers[i] for i in keep]
    keys = [names[normalise_header(h)].column_name for h in headers]
    dataset = tablib.Dataset(*([row[i] for i in keep] for row in table.rows), headers=keys)
    report.rows = len(table.rows)
    return _Plan(table=table, dataset=dataset, where=where)


def _duplicates(resource: ExchangeResource, plan: _Plan) -> list[Problem]:
    """Rows that name the same record as an earlier row of the file (the resource knows how
    its rows name records)."""
    rows = list(zip(plan.table.row_numbers, plan.dataset.dict, strict=True))
    problems = []
    for number, key, message in resource.repeated_rows(rows):
        letter, header = plan.where.get(key, ("", ""))
        problems.append(Problem(number, message, letter, header))
    return problems


def _check(resource: ExchangeResource, plan: _Plan, report: Report) -> list[tuple[int, RowResult]]:
    """Check every row without writing; returns the rows to write, with their row numbers."""
    report.problems.extend(_duplicates(resource, plan))
    result = resource.import_data_inner(
        plan.dataset, dry_run=True, raise_errors=False, using_transactions=False,
        collect_failed_rows=False,
    )
    for error in result.base_errors:
        logger.error("import check failed", exc_info=error.error)
        message = _("检查文件时出错：%(error)s") % {"error": error.error}
        report.problems.append(Problem(None, message))
    planned = []
    examples = example_rows(resource, plan.table.row_numbers, plan.dataset, plan.where)
    for number, row_result in zip(plan.table.row_numbers, result.rows, strict=True):
        kind = row_result.import_type
        if number in examples:
            # The template's example row, uploaded as it was: whatever else it would say.
            letter, header = examples[number]
            report.problems.append(Problem(number, EXAMPLE_ROW % {"prefix": EXAMPLE_PREFIX},
                                           letter, header))
        elif kind == RowResult.IMPORT_TYPE_INVALID:
            report.problems.extend(_row_problems(number, row_result.validation_error, plan))
        elif kind == RowResult.IMPORT_TYPE_ERROR:
            for error in row_result.errors:
                logger.error("import row failed", exc_info=error.error)
                report.problems.append(Problem(number, str(error.error)))
        elif kind == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
        else:
            created = kind == RowResult.IMPORT_TYPE_NEW
            report.created += created
            report.changed += not created
            change = _row_change(resource, number, row_result, plan)
            report.changes.append(change)
            report.alerts.extend(alerts(resource, change))
            planned.append((number, row_result))
    report.problems.sort(key=lambda p: (p.row or 0, p.letter))
    return planned


def _row_problems(number: int, error: ValidationError, plan: _Plan) -> list[Problem]:
    problems = []
    messages = error.message_dict if hasattr(error, "error_dict") else {
        NON_FIELD_ERRORS: error.messages}
    for key, texts in messages.items():
        letter, header = plan.where.get(key, ("", ""))
        problems.extend(Problem(number, text, letter, header) for text in texts)
    return problems


def _row_change(
    resource: ExchangeResource, number: int, row_result: RowResult, plan: _Plan
) -> RowChange:
    instance = row_result.instance
    stored = resource.stored.get(instance.pk)
    cells = []
    for column in resource.columns():
        if column.column_name not in plan.where:
            continue
        after = column.export(instance, labels=True)
        before = column.export(stored, labels=True) if stored is not None else ""
        if after != before:
            cells.append((column.label, before, after))
    return RowChange(row=number, created=stored is None, subject=resource.subject(instance),
                     cells=cells)


def _write(
    resource: ExchangeResource, planned: list[tuple[int, RowResult]], report: Report, user: Any
) -> None:
    """Write the checked rows in one transaction; any refusal undoes them all."""
    rows = [(r.instance, resource.stored.get(r.instance.pk)) for _number, r in planned]
    try:
        with transaction.atomic(), acting_as(user):
            resource.write_all(rows)
    except ValidationError as error:
        # Checked rows are refused only if the data changed meanwhile: nothing is kept.
        report.problems.extend(
            Problem(None, _("写入时被拒绝（已全部撤销）：%(message)s") % {"message": message})
            for message in error.messages
        )
    except DatabaseError as error:
        # Down, read-only or a lock timeout: the transaction undid every row, and the file
        # is still right, so it can be written again once the database answers.
        logger.exception("import write failed")
        report.failure = f"{type(error).__name__}: {error}"[:2000]
    else:
        report.written = True


def _record(report: Report, user: Any, record: ImportRecord | None) -> ImportRecord | None:
    if report.failure:
        status = ImportRecord.Status.FAILED
    else:
        status = ImportRecord.Status.OK if report.ok else ImportRecord.Status.REJECTED
    values = {
        "status": status,
        "state": ImportRecord.State.DONE,
        "rows": report.rows,
        "checked": report.rows,
        "written": report.created + report.changed if report.written else 0,
        "created": report.created,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "errors": len(report.problems),
        "problems": [str(p) for p in report.problems[:RECORDED_PROBLEMS]],
        "last_error": report.failure,
        "result": _result(report),
    }
    try:
        if record is None:
            return ImportRecord.objects.create(
                user=user, kind=report.kind.key, file_name=report.file_name[:255],
                dry_run=report.dry_run, **values)
        for name, value in values.items():
            setattr(record, name, value)
        record.save(update_fields=list(values))
        return record
    except DatabaseError:
        # The report still reaches the user; only its record is missing.
        logger.exception("recording an import failed")
        return None


def _result(report: Report) -> dict[str, Any]:
    """What the preview shows of a report, as JSON: a worker's result is shown from it."""
    return {
        "problems": [
            {"row": p.row, "message": str(p.message), "letter": p.letter, "header": p.header}
            for p in report.shown_problems
        ],
        "changes": [
            {"row": c.row, "created": c.created, "subject": str(c.subject),
             "cells": [[str(label), str(before), str(after)] for label, before, after in c.cells]}
            for c in report.shown_changes
        ],
        "notes": [str(note) for note in report.notes],
        "alerts": [str(alert) for alert in report.alerts[:SHOWN_CHANGES]],
    }


def report_of(record: ImportRecord) -> Report:
    """The report of a finished import, as stored on its record (first problems and changes)."""
    result = record.result or {}
    return Report(
        kind=KINDS[record.kind], file_name=record.file_name, dry_run=record.dry_run,
        rows=record.rows, created=record.created, changed=record.changed,
        unchanged=record.unchanged,
        problems=[Problem(**p) for p in result.get("problems", [])],
        changes=[RowChange(row=c["row"], created=c["created"], subject=c["subject"],
                           cells=[tuple(cell) for cell in c["cells"]])
                 for c in result.get("changes", [])],
        written=record.status == ImportRecord.Status.OK and not record.dry_run,
        failure=record.last_error if record.status == ImportRecord.Status.FAILED else "",
        notes=result.get("notes", []), alerts=result.get("alerts", []),
        problem_total=record.errors, record=record,
    )


# Export and templates


def export_file(kind_key: str, queryset: QuerySet, fmt: str, *, labels: bool = True) -> bytes:
    """The rows of `queryset` as a file that imports back unchanged.

    `labels`: Chinese headers and values (村, 是) for people; otherwise the keys of §5.
    """
    kind = KINDS[kind_key]
    resource = kind.resource_class()
    return write_table(
        resource.headers(labels=labels), resource.rows(queryset, labels=labels), fmt,
        title=str(kind.label),
    )


def template_file(kind_key: str, fmt: str) -> bytes:
    """The headers a clerk fills in, with one example row."""
    kind = KINDS[kind_key]
    resource_class = kind.resource_class
    example = dict(resource_class.example)
    row = [example.get(column.column_name, "") for column in resource_class.columns()]
    return write_table(resource_class.headers(labels=True), [row], fmt, title=str(kind.label))


# Uploads kept between the preview and the confirmation, by a token held in the session.

SESSION_KEY = "exchange_uploads"
KEPT_PER_SESSION = 5
TOKEN_BYTES = 24
# What `secrets.token_urlsafe(TOKEN_BYTES)` makes: anything else never reaches the storage, so
# ".", "..", slashes or a name of someone else's file cannot open or delete a file.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


class UploadNotFound(FileProblem):
    """A confirmation token this user and session did not get, or whose file has gone."""


def _store() -> Any:
    return storages["exchange"]


def keep_upload(session: Any, kind_key: str, file_name: str, data: bytes, *, user: Any) -> str:
    """Keep an uploaded file server-side; the browser gets only a random token, valid for
    this user in this session."""
    purge_uploads()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _store().save(token, ContentFile(data))
    uploads = dict(session.get(SESSION_KEY, {}))
    uploads[token] = {"kind": kind_key, "name": file_name, "at": time.time(), "user": user.pk}
    for old in sorted(uploads, key=lambda t: uploads[t]["at"])[:-KEPT_PER_SESSION]:
        _forget(uploads, old)
    session[SESSION_KEY] = uploads
    return token


def kept_upload(session: Any, token: Any, *, user: Any) -> tuple[str, str, bytes]:
    """The (kind, file name, content) kept under `token` for this user and session.

    The file stays until `forget_upload`, so a confirmation the database refused can be
    pressed again. Any token this session was not given (another session's, an odd value, one
    older than IMPORT_UPLOAD_MAX_AGE) raises UploadNotFound before any file is looked at.
    """
    entry = session.get(SESSION_KEY, {}).get(token) if isinstance(token, str) else None
    if entry is None or entry.get("user") != user.pk or not TOKEN_SHAPE.fullmatch(token):
        raise _gone()
    if time.time() - entry["at"] > settings.IMPORT_UPLOAD_MAX_AGE:
        forget_upload(session, token)
        raise _gone()
    try:
        data = read_kept(token)
    except UploadNotFound:
        forget_upload(session, token)
        raise
    return entry["kind"], entry["name"], data


def _gone() -> UploadNotFound:
    return UploadNotFound(_("这次上传已过期或不存在，请重新上传文件。"))


def read_kept(token: str) -> bytes:
    """The content of a kept upload; UploadNotFound for a token of another shape than ours
    (".", "..", a path) or whose file has gone. The session check is the caller's."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise _gone()
    try:
        with _store().open(token, "rb") as kept:
            return kept.read()
    except FileNotFoundError:
        raise _gone() from None


def forget_upload(session: Any, token: str) -> None:
    """Delete a kept upload of this session (after it was written or refused for good)."""
    uploads = dict(session.get(SESSION_KEY, {}))
    if token in uploads:
        _forget(uploads, token)
        session[SESSION_KEY] = uploads


def _forget(uploads: dict, token: str) -> None:
    # Only ever called with a token this session was given, so the name is one we made.
    uploads.pop(token, None)
    if _store().exists(token):
        _store().delete(token)


def purge_uploads() -> None:
    """Delete kept uploads nobody confirmed in time."""
    store = _store()
    cutoff = time.time() - settings.IMPORT_UPLOAD_MAX_AGE
    try:
        names = store.listdir("")[1]
    except FileNotFoundError:
        return
    for name in names:
        if store.get_modified_time(name).timestamp() < cutoff:
            store.delete(name)
