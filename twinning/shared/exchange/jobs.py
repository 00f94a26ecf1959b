"""Imports sent to a worker: kept on an ImportRecord that carries their state and progress.

The page queues the check of an upload (and later its confirmation) as a record, a Celery task
runs it (`tasks.run_import`) and the progress page follows the record. In the embedded mode
(no broker) the pages run the import in-process instead, as `import_file` always did.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from twinning.shared.exchange.services import KINDS, UploadNotFound, _store, import_file, read_kept
from twinning.shared.models import ImportRecord
from twinning.shared.queue import PUBLISH_ERRORS

State = ImportRecord.State
logger = logging.getLogger(__name__)


def import_queue(
    *, user: Any, kind_key: str, file_name: str, token: str, dry_run: bool
) -> ImportRecord:
    """Record an import of a kept upload for a worker, and send it once this commits."""
    if not KINDS[kind_key].may_import(user):
        raise PermissionDenied
    record = ImportRecord.objects.create(
        user=user, kind=kind_key, file_name=file_name[:255], dry_run=dry_run,
        state=State.QUEUED, token=token,
    )
    transaction.on_commit(lambda: _send(record.pk))
    return record


def _send(record_id: int) -> None:
    from twinning.shared.exchange.tasks import run_import

    try:
        run_import.delay(record_id)
    except PUBLISH_ERRORS:
        # No queue: run it here, as the embedded mode does, rather than leave it waiting.
        logger.warning("broker unavailable; import %s runs in the request", record_id)
        import_run(record_id)


def import_run(record_id: int) -> str:
    """Run one queued import: check its file and, for a confirmation, write it.

    Idempotent: a record another run has claimed or finished is left alone (the claim is a
    conditional update, so two workers never run one import). The kept file is deleted
    unless a confirmation may still need it: a check that found changes to confirm, or a
    write the database refused.
    """
    claimed = ImportRecord.objects.filter(pk=record_id, state=State.QUEUED).update(
        state=State.RUNNING)
    if not claimed:
        return ImportRecord.objects.values_list("state", flat=True).get(pk=record_id)
    record = ImportRecord.objects.select_related("user").get(pk=record_id)
    try:
        data = read_kept(record.token)
    except UploadNotFound as gone:
        import_fail(record_id, "", status=ImportRecord.Status.REJECTED, problem=str(gone))
        return State.DONE
    report = import_file(record.kind, record.file_name, data, user=record.user,
                         dry_run=record.dry_run, record=record)
    confirmable = record.dry_run and report.ok and (report.created or report.changed)
    if not confirmable and not report.failure and _store().exists(record.token):
        _store().delete(record.token)
    return State.DONE


def import_fail(
    record_id: int, reason: str, *, status: str = ImportRecord.Status.FAILED,
    problem: str = "",
) -> None:
    """Finish an import that could not run, saying why (kept for the department)."""
    message = problem or _("导入时出错，没有写入任何数据，请稍后重试。")
    ImportRecord.objects.filter(pk=record_id).update(
        state=State.DONE, status=status, last_error=reason, problems=[message],
        errors=1, result={"problems": [{"row": None, "message": message, "letter": "",
                                        "header": ""}]},
    )
