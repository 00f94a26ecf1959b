"""Celery task of the spreadsheet import; thin: an id in, a service call, a state out."""

import logging

from celery import shared_task

from twinning.shared.exchange import jobs

logger = logging.getLogger(__name__)


# No result is kept: progress lives on the ImportRecord, and a result backend that is down
# would otherwise hold up the request that sends the task.
@shared_task(name="twinning.shared.exchange.tasks.run_import", acks_late=True, ignore_result=True)
def run_import(record_id: int) -> str:
    """Check or write one queued import (jobs.import_run). Not retried: a crash comes from the
    file or a bug, so it is recorded on the import for the user and the department."""
    try:
        return jobs.import_run(record_id)
    except Exception as error:
        logger.exception("import %s failed", record_id)
        jobs.import_fail(record_id, f"{type(error).__name__}: {error}"[:2000])
        return jobs.State.DONE
