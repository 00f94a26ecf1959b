"""The project's Celery app for a worker that tests/test_faults.py kills mid-build: the first
attempt at a bulletin stops for good at the PDF layout (40 %), so the kill lands at a known
point; a later attempt (the build taken over) runs normally."""

import threading
from typing import Any

from celery.signals import task_prerun

from twinning.celery import app

__all__ = ["app"]


@task_prerun.connect
def _block_the_first_layout(**kwargs: Any) -> None:
    # Patched here, in the process that runs the task, once Django is set up.
    from reports.bulletins import services
    from reports.bulletins.models import Bulletin

    layout = services.render_pdf

    def render_pdf(html: str) -> Any:
        if Bulletin.objects.filter(state=Bulletin.State.BUILDING, attempts=1).exists():
            threading.Event().wait()
        return layout(html)

    if not getattr(services.render_pdf, "blocks", False):
        render_pdf.blocks = True
        services.render_pdf = render_pdf
