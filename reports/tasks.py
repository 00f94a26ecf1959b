"""Celery tasks for bulletins: thin wrappers that take ids and call the services."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import CeleryError
from django.conf import settings
from django.db import OperationalError as DatabaseError
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from twinning.periods import previous_month

from . import services
from .models import Bulletin

logger = logging.getLogger(__name__)

# What handing a task to Redis can raise while it is down: kombu's wrapped connection
# errors, redis-py's own, bare socket errors, celery's, and the RuntimeError a Redis result
# backend raises once its reconnect retries run out.
PUBLISH_ERRORS = (KombuError, RedisError, OSError, CeleryError, RuntimeError)


@shared_task(
    # Nobody reads its result (progress and outcome live on the Bulletin row), and a task
    # whose result is kept makes `.delay()` subscribe to the result backend first, which
    # with Redis down retried for 20 s inside the request.
    bind=True, acks_late=True, ignore_result=True, autoretry_for=(DatabaseError,), retry_backoff=5,
    retry_backoff_max=120, max_retries=3,
)
def build_bulletin(self, bulletin_id: int) -> str:
    """Build one bulletin version; transient database errors are retried with backoff."""
    try:
        return services.bulletin_build(bulletin_id)
    except DatabaseError:
        if self.request.retries >= self.max_retries:
            services.bulletin_fail(bulletin_id, "数据库暂时不可用，多次重试后仍失败。")
        raise
    except Exception as error:  # a bug or bad data: record it for the department, do not retry
        logger.exception("bulletin %s failed", bulletin_id)
        services.bulletin_fail(bulletin_id, f"{type(error).__name__}: {error}")
        return Bulletin.State.FAILED


def dispatch(bulletin_id: int) -> None:
    """Send the build to a worker once the current transaction commits.

    If the broker is down the version stays queued, and `dispatch_queued_bulletins` on the
    beat schedule sends it when the broker is back.
    """
    transaction.on_commit(lambda: send(bulletin_id))


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


@shared_task
def dispatch_queued_bulletins() -> int:
    """Re-send queued builds (e.g. after the broker was down) and fail stale ones."""
    services.bulletins_recover_stale()
    queued = Bulletin.objects.filter(state=Bulletin.State.QUEUED).values_list("pk", flat=True)
    return sum(send(pk) for pk in queued)


@shared_task
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
