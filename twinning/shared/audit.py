"""The audit trail: who changed what and when, read from django-simple-history's tables."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import ForeignKey, QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords

access_log = logging.getLogger("twinning.access")

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
HIDDEN_FIELDS = {"id", "history_id", "history_date", "history_user", "history_type",
                 "history_change_reason", "created_at", "updated_at", "version"}


@dataclass
class AuditEntry:
    when: datetime.datetime
    who: str
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _format(value: Any, model_field: Any, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(model_field, ForeignKey):
        return names.get((model_field.related_model, value), str(value))
    choices = dict(model_field.flatchoices)
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def _fields(record: Any) -> list[Any]:
    return [f for f in record.instance_type._meta.concrete_fields if f.attname not in HIDDEN_FIELDS]


def audit_trail(*histories: QuerySet, limit: int = 100) -> list[AuditEntry]:
    """The changes recorded in some history querysets, newest first, with before and after.

    One query per history table plus one per model named in a foreign key, whatever the
    number of records.
    """
    records_by_table = [
        list(h.select_related("history_user").order_by("history_date", "history_id"))
        for h in histories
    ]
    wanted: dict[type, set] = defaultdict(set)
    for records in records_by_table:
        for record in records:
            for f in _fields(record):
                if isinstance(f, ForeignKey):
                    wanted[f.related_model].add(getattr(record, f.attname))
    names = {
        (model, obj.pk): str(obj)
        for model, ids in wanted.items()
        for obj in model._base_manager.filter(pk__in=[i for i in ids if i is not None])
    }
    entries: list[AuditEntry] = []
    for records in records_by_table:
        previous: dict[Any, Any] = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            for f in _fields(record):
                new = getattr(record, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is None and record.history_type == "+" and new in (None, "", False):
                    continue
                if before is not None and old == new:
                    continue
                changes.append((str(f.verbose_name), _format(old, f, names) if before else "",
                                _format(new, f, names)))
            previous[record.id] = record
            user = record.history_user
            entries.append(
                AuditEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "系统",
                    action=ACTIONS.get(record.history_type, record.history_type),
                    subject=str(record.instance_type._meta.verbose_name),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Record the history written inside as made by `user` (None: by no one, the system).

    simple-history takes the user from the request its middleware keeps; a service that
    writes outside a request (a command) or on someone's behalf sets it here, and the
    request that was there before is put back afterwards.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def personal_data_read(request: Any, what: str, members: Any) -> None:
    """Record that this request shows members' personal data (`members`: ids or a queryset
    of members) and keep the response out of every cache (`PersonalDataMiddleware`)."""
    from twinning.shared.models import PersonalDataAccess

    if isinstance(members, QuerySet):
        ids = list(members.values_list("pk", flat=True)[: PersonalDataAccess.MAX_IDS + 1])
        count = len(ids) if len(ids) <= PersonalDataAccess.MAX_IDS else members.count()
    else:
        ids = list(members)
        count = len(ids)
    request.personal_data = True
    user = request.user if request.user.is_authenticated else None
    path = request.get_full_path()[:255]
    # The log line is the record of last resort: it is written even when the database is not.
    access_log.info("%s read %s (%s members) at %s", user, what, count, path)
    try:
        with transaction.atomic():
            PersonalDataAccess.objects.create(
                user=user, what=str(what)[:64], path=path, count=count,
                member_ids=ids[: PersonalDataAccess.MAX_IDS],
            )
    except DatabaseError:
        # A database refusing writes must not turn a form the user is filling in into a 500.
        access_log.exception("personal-data read by %s at %s not recorded in the database",
                             user, path)


def personal_data_reads(filters: dict[str, Any]) -> QuerySet:
    """The record of personal-data reads, newest first, narrowed by the log page's filters."""
    from twinning.shared.models import PersonalDataAccess

    qs = PersonalDataAccess.objects.select_related("user")
    if filters.get("q"):
        qs = qs.filter(user__username__icontains=filters["q"].strip())
    if filters.get("since"):
        qs = qs.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__date__lte=filters["until"])
    return qs


