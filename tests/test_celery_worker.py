"""A real Celery worker (the `real_worker` fixture: a subprocess on Redis) runs the reminder
task, and the delivery task it sends on commit, and their effect lands in the test database."""

import datetime
import time

from twinning.shared.models import ReminderDelivery, ReminderLog
from twinning.shared.tasks import send_reminders

TIMEOUT = 60


def test_a_real_worker_sends_the_reminders_and_records_them(
    real_worker: str, secretary_user, committee
) -> None:
    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    first = send_reminders.apply_async(args=["2026-03-02"], queue=real_worker)
    assert first.get(timeout=TIMEOUT) == {
        "users": 1, "items": 1, "email": 1, "sms": 0, "wecom": 0}
    log = ReminderLog.objects.get()
    assert (log.user, log.key, log.sent_on, log.emailed) == (
        secretary_user, f"monthly:{committee.pk}:2026-02", datetime.date(2026, 3, 2), True
    )
    delivery = ReminderDelivery.objects.get()
    deadline = time.monotonic() + TIMEOUT
    while delivery.status != ReminderDelivery.Status.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        delivery.refresh_from_db()
    assert (delivery.user, delivery.channel, delivery.target, delivery.status,
            delivery.attempts) == (secretary_user, "email", "shuji@example.cn", "sent", 1)
    again = send_reminders.apply_async(args=["2026-03-02"], queue=real_worker)
    assert again.get(timeout=TIMEOUT)["items"] == 0
    assert (ReminderLog.objects.count(), ReminderDelivery.objects.count()) == (1, 1)
