"""Celery tasks for bulletins: thin wrappers that take ids and call the services."""

import datetime
import logging
import threading

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from reports.bulletins import services
from reports.bulletins.models import Bulletin
from twinning.shared.periods import previous_month
from twinning.shared.queue import PUBLISH_ERRORS

logger = logging.getLogger(__name__)

DATABASE_RETRIES = 3


@shared_task(
    bind=True,
    # Nobody reads its result (progress and outcome live on the Bulletin row), and a task
    # whose result is kept makes `.delay()` subscribe to the result backend first, which
    # with Redis down retried for 20 s inside the request.
    ignore_result=True,
    # Acknowledged only when done, and put back if its worker process dies: a killed build
    # is delivered again (at once for a pool process, after the visibility timeout for a
    # whole worker) and the lease decides who builds.
    acks_late=True, reject_on_worker_lost=True,
    soft_time_limit=settings.BULLETIN_BUILD_TIMEOUT,
    time_limit=settings.BULLETIN_BUILD_TIMEOUT + 30,
)
def build_bulletin(self, bulletin_id: int, watched: int = 0) -> str:
    """Build one bulletin version; safe to deliver twice.

    Transient database errors (an OperationalError: connection lost, deadlock, timeout) are
    retried with backoff; any other error is recorded on the version by the build. A delivery
    that finds the version building under another worker's live lease looks again when that
    lease would pass: if that worker died, this delivery takes the build over.
    """
    try:
        state = services.bulletin_build(bulletin_id)
    except OperationalError as error:
        retries = self.request.retries - watched
        if retries >= DATABASE_RETRIES:
            services.bulletin_fail(bulletin_id, "数据库暂时不可用，多次重试后仍失败。")
            raise
        raise self.retry(exc=error, countdown=min(5 * 2**retries, 60), max_retries=None) from error
    except Exception:  # a bug or bad data: recorded on the version by the build; no retry
        logger.exception("bulletin %s failed", bulletin_id)
        return Bulletin.State.FAILED
    if state == Bulletin.State.BUILDING and not self.request.is_eager:
        return _watch(self, bulletin_id, watched)
    return state


def _watch(task: Task, bulletin_id: int, watched: int) -> str:
    left = services.bulletin_lease_left(bulletin_id)
    # A live worker extends its lease until the build ends or times out; past that many
    # looks the build is its, whatever happens.
    limit = settings.BULLETIN_BUILD_TIMEOUT // settings.BULLETIN_LEASE_SECONDS + 2
    if left is None or watched >= limit:
        return Bulletin.objects.get(pk=bulletin_id).state
    raise task.retry(
        args=[bulletin_id], kwargs={"watched": watched + 1}, countdown=left + 1, max_retries=None
    )


def dispatch(bulletin_id: int) -> None:
    """Send the build to a worker once the current transaction commits.

    If the broker is down the version stays queued, and `dispatch_queued_bulletins` on the
    beat schedule sends it when the broker is back. Without a broker
    (BULLETIN_BUILD_IN_THREAD) the build runs in a thread of this process instead.
    """
    if settings.BULLETIN_BUILD_IN_THREAD:
        transaction.on_commit(lambda: build_in_thread(bulletin_id))
    else:
        transaction.on_commit(lambda: send(bulletin_id))


def build_in_thread(bulletin_id: int) -> threading.Thread:
    """Build one version in a thread of the web process (the embedded mode, no broker), so
    the request that asked for it answers at once and its page follows the progress.

    The thread has its own database connection, closed when it ends. If the process dies
    mid-build the lease passes and the version reads as failed, as for a dead worker.
    """

    def build() -> None:
        try:
            services.bulletin_build(bulletin_id)
        except Exception:  # recorded on the version by the build; nobody else to tell
            logger.exception("bulletin %s failed", bulletin_id)
        finally:
            connection.close()

    thread = threading.Thread(target=build, name=f"bulletin-{bulletin_id}", daemon=True)
    thread.start()
    return thread


def send(bulletin_id: int) -> bool:
    """Hand one build to the broker now; False (and the version stays queued) if it is down.

    Called inside requests: the publish retry policy in settings bounds how long it tries.
    """
    try:
        build_bulletin.delay(bulletin_id)
    except PUBLISH_ERRORS as error:
        logger.warning(
            "broker unavailable (%s: %s); bulletin %s stays queued",
            type(error).__name__, error, bulletin_id,
        )
        return False
    return True


@shared_task(ignore_result=True)
def dispatch_queued_bulletins() -> int:
    """Re-send queued builds (e.g. after the broker was down), and queue again the builds
    whose worker died (their lease passed). Sending twice is harmless: a build is claimed
    once."""
    services.bulletins_requeue_expired()
    queued = Bulletin.objects.filter(state=Bulletin.State.QUEUED).values_list("pk", flat=True)
    return sum(send(pk) for pk in queued)


@shared_task(ignore_result=True)
def scheduled_bulletin(today: str | None = None) -> int | None:
    """On the bulletin day, queue the previous month's bulletin (once per month)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    if day.day != settings.BULLETIN_DAY:
        return None
    period = previous_month(day)
    if Bulletin.objects.filter(period=period).exists():
        return None
    bulletin = services.bulletin_request(period=period)
    dispatch(bulletin.pk)
    return bulletin.pk
