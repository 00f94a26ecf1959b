"""Reminders and to-do lists: remind only those who owe something, once a day, in one digest.

The interface, for any app that has things people owe:

    from twinning import reminders

    def overdue_things(today: datetime.date) -> Iterable[reminders.OwedItem]:
        ...  # one OwedItem per (user, thing) owed as of `today`, in a fixed number of queries

    reminders.register_source(overdue_things)      # e.g. in the app's AppConfig.ready()

An `OwedItem` names the user (`user_id`), a `key` that stays the same for the same thing
across days (e.g. "monthly:12:2025-03"), a line of Chinese text, and the page to open (`url`,
a path). `remind=False` keeps the item on the user's to-do list but out of e-mail.

- `todo_for(user, today)`: the user's own to-do list, as the home page shows it.
- `send_reminders(today)`: one digest per user with everything owed and not yet reminded
  today; every item reminded is recorded in `ReminderLog` (user, key, day; unique), so a second
  run the same day sends nothing. The digest goes by each channel the user chose and can be
  reached by (e-mail, SMS, their town's WeCom group: twinning.shared.deliveries), each a
  `ReminderDelivery` sent by a task and retried until it goes through. A user no channel
  reaches is recorded all the same (they see the items on their to-do list), so the log says
  who was told.
- `send_now(items, today, key)`: the same, at once, for items someone chose to send now
  (a 催报), not in the daily digest.
- `register_groups(resolver)`: group chats (a town's WeCom robot) for users, by user id.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from twinning.shared import deliveries, kept_figures
from twinning.shared.models import ReminderDelivery, ReminderLog


@dataclass(frozen=True)
class OwedItem:
    user_id: int
    key: str
    text: str
    url: str
    remind: bool = True


Source = Callable[[datetime.date], Iterable[OwedItem]]
_SOURCES: list[Source] = []


def register_source(source: Source) -> Source:
    """Add a source of owed items; usable as a decorator; registering twice is a no-op."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def owed_items(today: datetime.date) -> list[OwedItem]:
    """Everything everyone owes as of `today`, one item per (user, key)."""
    seen: dict[tuple[int, str], OwedItem] = {}
    for source in _SOURCES:
        for item in source(today):
            seen.setdefault((item.user_id, item.key), item)
    return list(seen.values())


def owed_by_user(today: datetime.date) -> dict[int, list[OwedItem]]:
    by_user: dict[int, list[OwedItem]] = defaultdict(list)
    for item in owed_items(today):
        by_user[item.user_id].append(item)
    return dict(by_user)


def todo_for(user: Any, today: datetime.date) -> list[OwedItem]:
    """The user's own to-do list: what they owe today, e-mailed or not.

    Everyone's list is worked out at once and remembered until the data changes
    (twinning.shared.kept_figures).
    """
    return kept_figures.remember("owed", owed_by_user, today).get(user.pk, [])


def _digest(user: User, items: list[OwedItem]) -> tuple[str, str]:
    lines = [
        _("%(name)s，您好：") % {"name": user.get_full_name() or user.username},
        "",
        _("以下事项需要您处理："),
    ]
    for number, item in enumerate(items, start=1):
        lines += [f"{number}. {item.text}", f"   {settings.SITE_URL}{item.url}"]
    lines += ["", _("系统每天最多提醒一次，只列出您尚未完成的事项。")]
    subject = _("【城乡联合党组织】您有%(n)s项待办") % {"n": len(items)}
    return subject, "\n".join(lines)


GroupResolver = Callable[[list[int]], dict[int, list[deliveries.Group]]]
_GROUPS: list[GroupResolver] = []


def register_groups(resolver: GroupResolver) -> GroupResolver:
    """Add a source of group chats (e.g. towns' WeCom robots): given user ids, the groups
    each user's reminders are posted to. Registering twice is a no-op."""
    if resolver not in _GROUPS:
        _GROUPS.append(resolver)
    return resolver


def groups_of(user_ids: list[int]) -> dict[int, list[deliveries.Group]]:
    found: dict[int, list[deliveries.Group]] = defaultdict(list)
    for resolver in _GROUPS:
        for user_id, groups in resolver(user_ids).items():
            found[user_id] += groups
    return dict(found)


def _record(user: User, items: list[OwedItem], today: datetime.date) -> list[OwedItem]:
    """Log the items not yet reminded today; returns them."""
    emailed = deliveries.wants_email(user)
    fresh = []
    for item in items:
        _log, created = ReminderLog.objects.get_or_create(
            user=user, key=item.key, sent_on=today, defaults={"emailed": emailed}
        )
        if created:
            fresh.append(item)
    return fresh


def _deliver(by_user: dict[int, list[OwedItem]], today: datetime.date, key: str) -> dict[str, int]:
    """Record the items not yet sent today, plan their deliveries (one digest per user, by
    each channel that reaches them) and hand those to tasks once the caller's transaction
    commits."""
    users = (User.objects.filter(is_active=True).select_related("reminder_channels")
             .in_bulk(list(by_user)))
    groups = groups_of(sorted(users))
    result = {"users": 0, "items": 0, **dict.fromkeys(ReminderDelivery.Channel.values, 0)}
    digests = []
    for user_id, items in sorted(by_user.items()):
        user = users.get(user_id)
        if user is None or not (fresh := _record(user, items, today)):
            continue
        subject, body = _digest(user, fresh)
        digests.append(deliveries.Digest(
            user=user, item_keys=[i.key for i in fresh], texts=[i.text for i in fresh],
            subject=subject, body=body,
        ))
        result["users"] += 1
        result["items"] += len(fresh)
    planned = deliveries.plan(today, digests, groups, key=key)
    for delivery in planned:
        delivery.save()
        result[delivery.channel] += 1
    deliveries.dispatch([delivery.pk for delivery in planned])
    return result


def send_reminders(today: datetime.date) -> dict[str, int]:
    """Record today's digests and hand their deliveries to tasks; safe to run again the same
    day (it sends nothing new). Returns how many users and items were reminded and how many
    deliveries each channel got."""
    with translation.override(settings.LANGUAGE_CODE):
        by_user = {user_id: reminded for user_id, items in owed_by_user(today).items()
                   if (reminded := [item for item in items if item.remind])}
        with transaction.atomic():
            return _deliver(by_user, today, f"reminders:{today.isoformat()}")


def send_now(items: Iterable[OwedItem], today: datetime.date, key: str) -> dict[str, int]:
    """Send these items at once rather than in the daily digest (a 催报), by the same
    channels and records: an item already sent to a user today (its key in `ReminderLog`)
    is not sent again. `key` names the deliveries (e.g. "nudge:2026-03-04")."""
    by_user: dict[int, list[OwedItem]] = defaultdict(list)
    for item in items:
        by_user[item.user_id].append(item)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _deliver(dict(by_user), today, key)
