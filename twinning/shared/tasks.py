"""Celery tasks of the programme's core; thin: plain values in, a service call, plain values out."""

import datetime

from celery import shared_task
from django.utils import timezone

from twinning.shared import deliveries, reminders


@shared_task(name="twinning.shared.tasks.send_reminders")
def send_reminders(today: str | None = None) -> dict[str, int]:
    """Send the day's reminder digests (beat runs it daily); `today` is YYYY-MM-DD, default
    the local date. Idempotent: a second run the same day sends nothing."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return reminders.send_reminders(day)


@shared_task(name="twinning.shared.tasks.deliver_reminder")
def deliver_reminder(delivery_id: int) -> str:
    """Send one reminder delivery (an e-mail, an SMS, a group message) and record how it went;
    a passing failure leaves it for `retry_reminder_deliveries`."""
    return deliveries.deliver(delivery_id)


@shared_task(name="twinning.shared.tasks.retry_reminder_deliveries")
def retry_reminder_deliveries() -> int:
    """Hand the deliveries whose next try has come to `deliver_reminder` (beat, every minute)."""
    due = deliveries.due()
    for delivery_id in due:
        deliver_reminder.delay(delivery_id)
    return len(due)
