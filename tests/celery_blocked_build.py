"""The project's Celery app for a worker that tests/test_faults.py kills mid-build: a bulletin
build it runs stops for good at the PDF layout (40 %), so the kill lands at a known point."""

import threading
from typing import Any

from celery.signals import task_prerun

from twinning.celery import app

__all__ = ["app"]


@task_prerun.connect
def _block_the_layout(**kwargs: Any) -> None:
    # Patched here, in the worker's process, once Django is set up.
    from reports import services

    services.render_pdf = lambda html: threading.Event().wait()
