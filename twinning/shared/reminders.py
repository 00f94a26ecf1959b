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
- `send_reminders(today)`: one e-mail per user with everything owed and not yet reminded
  today; every item reminded is recorded in `ReminderLog` (user, key, day; unique), so a second
  run the same day sends nothing. Users without an e-mail address get no mail, but their items
  are recorded all the same (they see them on their to-do list), so the log says who was told.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from twinning.shared import kept_figures
from twinning.shared.models import ReminderLog

logger = logging.getLogger(__name__)


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


def _remind_user(user: User, items: list[OwedItem], today: datetime.date) -> list[OwedItem]:
    """Record the items not yet reminded today and mail them; the records roll back if the
    mail fails, so a later run tries again. Returns the items newly reminded."""
    with transaction.atomic():
        fresh = []
        for item in items:
            _log, created = ReminderLog.objects.get_or_create(
                user=user, key=item.key, sent_on=today, defaults={"emailed": bool(user.email)}
            )
            if created:
                fresh.append(item)
        if fresh and user.email:
            subject, body = _digest(user, fresh)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return fresh


def send_reminders(today: datetime.date) -> dict[str, int]:
    """Send today's digests; safe to run again the same day (it sends nothing new)."""
    with translation.override(settings.LANGUAGE_CODE):
        by_user = {user_id: reminded for user_id, items in owed_by_user(today).items()
                   if (reminded := [item for item in items if item.remind])}
        users = User.objects.filter(is_active=True).in_bulk(list(by_user))
        result = {"users": 0, "items": 0, "emails": 0, "failed": 0}
        for user_id, items in sorted(by_user.items()):
            user = users.get(user_id)
            if user is None:
                continue
            try:
                fresh = _remind_user(user, items, today)
            except Exception:  # one failing mailbox must not stop the others' reminders
                logger.exception("reminder to user %s failed", user_id)
                result["failed"] += 1
                continue
            if fresh:
                result["users"] += 1
                result["items"] += len(fresh)
                result["emails"] += bool(user.email)
        return result
