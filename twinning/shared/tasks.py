"""Celery tasks of the programme's core; thin: plain values in, a service call, plain values out."""

import datetime

from celery import shared_task
from django.utils import timezone

from twinning.shared import reminders


@shared_task(name="twinning.shared.tasks.send_reminders")
def send_reminders(today: str | None = None) -> dict[str, int]:
    """Send the day's reminder digests (beat runs it daily); `today` is YYYY-MM-DD, default
    the local date. Idempotent: a second run the same day sends nothing."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return reminders.send_reminders(day)
