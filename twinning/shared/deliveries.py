"""Reminder deliveries: a day's digests turned into messages per channel, sent by tasks, each
recorded with its outcome and tried again with backoff when the failure passes.

- `plan(today, digests, groups)`: the deliveries for the users' fresh items: an e-mail and
  an SMS per user where they chose them and have the address, and one message per WeCom
  group (split to fit) listing everyone in it who chose that channel. Saved by the caller in
  the same transaction as the reminder log, then handed to tasks on commit (`dispatch`).
- `deliver(pk, now)`: claims the delivery (a conditional UPDATE, so two workers never send
  it twice), sends it, and records sent / retry (with the next try's time) / failed.
- `due(now)`: deliveries whose next try has come, or whose worker died while sending; beat
  hands them to tasks again, so a gateway that is down loses no reminder.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.shared import channels
from twinning.shared.models import ReminderChannels, ReminderDelivery

logger = logging.getLogger(__name__)

Channel, Status = ReminderDelivery.Channel, ReminderDelivery.Status
# A delivery still "sending" this long after it was claimed lost its worker.
SENDING_LEASE = datetime.timedelta(minutes=5)
# A new delivery not taken by a worker within this time lost its task (a broker outage).
DISPATCH_GRACE = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Group:
    """A group chat reminders can be posted to (a town's WeCom robot)."""

    key: str
    name: str
    webhook: str


@dataclass(frozen=True)
class Digest:
    """One user's fresh items for the day, as the reminders module worked them out."""

    user: Any
    item_keys: list[str]
    texts: list[str]
    subject: str
    body: str


def choices_of(user: Any) -> ReminderChannels:
    """The user's channels, or the defaults (every channel that reaches them)."""
    try:
        return user.reminder_channels
    except ReminderChannels.DoesNotExist:
        return ReminderChannels(user=user)


def wants_email(user: Any) -> bool:
    return bool(user.email) and choices_of(user).by_email


def _name(user: Any) -> str:
    return user.get_full_name() or user.username


def plan(today: datetime.date, digests: list[Digest], groups: dict[int, list[Group]],
         key: str = "") -> list[ReminderDelivery]:
    """The day's deliveries for these digests (unsaved), named `key` (default: the day's
    reminders)."""
    now, key = timezone.now(), key or f"reminders:{today.isoformat()}"
    made: list[ReminderDelivery] = []

    def add(**fields: Any) -> None:
        made.append(ReminderDelivery(key=key, sent_on=today, next_attempt_at=now, **fields))

    by_group: dict[str, tuple[Group, list[Digest]]] = {}
    for digest in digests:
        user, chosen = digest.user, choices_of(digest.user)
        if wants_email(user):
            add(user=user, channel=Channel.EMAIL, target=user.email, items=digest.item_keys,
                payload={"subject": digest.subject, "body": digest.body})
        if chosen.by_sms and chosen.phone and channels.sms_configured():
            add(user=user, channel=Channel.SMS, target=chosen.phone, items=digest.item_keys,
                payload={"name": _name(user)[:20], "count": str(len(digest.item_keys))})
        if chosen.by_wecom:
            for group in groups.get(user.pk, []):
                by_group.setdefault(group.key, (group, []))[1].append(digest)
    for group, members in by_group.values():
        for part, (content, mentions, keys) in enumerate(_robot_texts(today, members), 1):
            add(group=group.key, group_name=group.name, channel=Channel.WECOM,
                target=group.webhook, items=keys,
                payload={"content": content, "mentioned_mobile_list": mentions, "part": part})
    return made


def _robot_texts(today: datetime.date,
                 members: list[Digest]) -> list[tuple[str, list[str], list[str]]]:
    """A group's message(s): each person with their items; who is in which part."""
    header = _("【城乡联合党组织】%(day)s 待办提醒") % {"day": today.isoformat()}
    footer = _("请登录 %(url)s 处理。系统每天最多提醒一次，只列出尚未完成的事项。") % {
        "url": f"{settings.SITE_URL}/"}
    blocks = []
    for digest in sorted(members, key=lambda d: _name(d.user)):
        lines = [_("%(name)s（%(n)s项）：") % {"name": _name(digest.user), "n": len(digest.texts)}]
        lines += [f"{number}. {text}" for number, text in enumerate(digest.texts, start=1)]
        blocks.append((digest, "\n".join(lines)))
    parts = []
    for text, indexes in channels.split_for_robot([block for _d, block in blocks], header, footer):
        inside = [blocks[i][0] for i in indexes]
        mentions = [phone for d in inside if (phone := choices_of(d.user).phone)]
        parts.append((text, mentions, [k for d in inside for k in d.item_keys]))
    return parts


def dispatch(ids: Iterable[int]) -> None:
    """Hand the deliveries to tasks once the transaction that recorded them commits."""
    from twinning.shared.tasks import deliver_reminder

    for pk in ids:
        deliver_reminder.delay_on_commit(pk)


def _send(delivery: ReminderDelivery) -> None:
    payload = delivery.payload
    if delivery.channel == Channel.EMAIL:
        channels.send_email(delivery.target, payload["subject"], payload["body"])
    elif delivery.channel == Channel.SMS:
        channels.send_sms(delivery.target, {"name": payload["name"], "count": payload["count"]})
    elif delivery.channel == Channel.WECOM:
        channels.post_robot(delivery.target, payload["content"],
                            payload.get("mentioned_mobile_list", []))
    else:
        raise channels.Permanent(f"unknown channel {delivery.channel}")


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed try: the base, doubled each time, an hour at most."""
    seconds = settings.REMINDER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def deliver(pk: int, now: datetime.datetime | None = None) -> str:
    """Send one delivery if it is due and no one else is sending it; returns its new status
    (or "skipped")."""
    now = now or timezone.now()
    claimed = ReminderDelivery.objects.filter(
        pk=pk, status__in=[Status.PENDING, Status.RETRY], next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "skipped"
    delivery = ReminderDelivery.objects.get(pk=pk)
    if timezone.localdate(now) > timezone.localdate(delivery.created_at):
        # Tomorrow's digest lists again whatever is still owed; yesterday's would be stale.
        delivery.status = Status.FAILED
        delivery.last_error = _("当天未能送达，已停止重试；次日的提醒会列出仍未完成的事项。")
        delivery.save(update_fields=["status", "last_error"])
        return delivery.status
    try:
        _send(delivery)
    except channels.Permanent as error:
        delivery.status, delivery.last_error = Status.FAILED, str(error)
    except Exception as error:  # noqa: BLE001 - any other failure may pass: try again later
        if not isinstance(error, channels.Transient):
            logger.exception("reminder delivery %s failed", pk)
        delivery.last_error = f"{error}"
        if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            delivery.status = Status.FAILED
        else:
            delivery.status = Status.RETRY
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    else:
        delivery.status, delivery.sent_at, delivery.last_error = Status.SENT, now, ""
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", "sent_at"])
    return delivery.status


def due(now: datetime.datetime | None = None) -> list[int]:
    """Deliveries to hand to a task again: a retry whose time has come, a new one no worker
    took, one whose worker died while sending (it is put back to retry first)."""
    now = now or timezone.now()
    ReminderDelivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(status=Status.RETRY, next_attempt_at=now,
             last_error=_("发送中断（进程退出），重新发送"))
    return list(
        ReminderDelivery.objects.filter(
            Q(status=Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Status.PENDING, next_attempt_at__lte=now - DISPATCH_GRACE)
        ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    )
