"""A real Celery worker (the `real_worker` fixture: a subprocess on Redis) runs the reminder
task and its effect lands in the test database."""

import datetime

from twinning.shared.models import ReminderLog
from twinning.shared.tasks import send_reminders

TIMEOUT = 60


def test_a_real_worker_sends_the_reminders_and_records_them(
    real_worker: str, secretary_user, committee
) -> None:
    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    first = send_reminders.apply_async(args=["2026-03-02"], queue=real_worker)
    assert first.get(timeout=TIMEOUT) == {"users": 1, "items": 1, "emails": 1, "failed": 0}
    log = ReminderLog.objects.get()
    assert (log.user, log.key, log.sent_on, log.emailed) == (
        secretary_user, f"monthly:{committee.pk}:2026-02", datetime.date(2026, 3, 2), True
    )
    again = send_reminders.apply_async(args=["2026-03-02"], queue=real_worker)
    assert again.get(timeout=TIMEOUT)["items"] == 0
    assert ReminderLog.objects.count() == 1
