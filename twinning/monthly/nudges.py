"""催报: town staff and the department remind the committees that have not filed a month.

A 催报 goes to the committee's secretaries by the reminder machinery (their own channels:
e-mail, SMS, their town's WeCom group; twinning.shared.reminders.send_now) and is recorded
as a `MonthlyNudge`: who sent it, when, to which committee, for which month. At most one
per committee, month and day: the table's constraint holds it even for two presses at once.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.committees.models import JointCommittee
from twinning.monthly import rules, selectors
from twinning.monthly.models import MonthlyNudge, MonthlyUpdate, ReopenRequest
from twinning.shared import permissions, reminders
from twinning.shared.periods import chinese_period, format_period

Status = MonthlyUpdate.Status
# Not filed: no update, a draft, or one sent back (`u_status` as `selectors._with_update`
# annotates it).
UNFILED = Q(u_status__isnull=True) | Q(u_status__in=[Status.DRAFT, Status.RETURNED])


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class NudgeMark:
    """What the completeness page says of a committee's 催报 for a month."""

    last_at: datetime.datetime
    by: str
    count: int
    today: bool


def nudge_marks(
    committee_ids: Iterable[int], period: datetime.date, today: datetime.date
) -> dict[int, NudgeMark]:
    """The latest 催报 of each committee for `period`, who sent it and how many there were
    (one query)."""
    found: dict[int, NudgeMark] = {}
    nudges = (MonthlyNudge.objects.filter(committee_id__in=list(committee_ids), period=period)
              .select_related("sent_by").order_by("committee_id", "-sent_at", "-id"))
    counts: dict[int, int] = {}
    for nudge in nudges:
        counts[nudge.committee_id] = counts.get(nudge.committee_id, 0) + 1
        if nudge.committee_id not in found:
            found[nudge.committee_id] = NudgeMark(
                nudge.sent_at, _name(nudge.sent_by), 0, nudge.sent_on == today)
    return {pk: NudgeMark(m.last_at, m.by, counts[pk], m.today) for pk, m in found.items()}


def nudge_candidates(
    user: Any, period: datetime.date, today: datetime.date, *, town: str = "",
    status: str = "", code: str = "",
) -> QuerySet:
    """The committees a 催报 reaches: those the completeness page lists with these filters
    (so only the user's own) that have not filed `period`; with `code`, that one only."""
    rows = selectors.completeness_rows(user, period, today, town=town, status=status)
    rows = rows.filter(UNFILED)
    return rows.filter(code=code) if code else rows


@dataclass
class NudgeResult:
    """What a 催报 came to: the committees reminded now, those already reminded today, and
    those with no secretary's account to remind."""

    sent: list[JointCommittee] = field(default_factory=list)
    already: list[JointCommittee] = field(default_factory=list)
    unreachable: list[JointCommittee] = field(default_factory=list)


def _text(committee: Any, period: datetime.date, today: datetime.date, user: Any, *,
          locked: bool) -> str:
    state = rules.filing_status(period=period, today=today,
                                status=getattr(committee, "u_status", None),
                                first_submitted_at=None)
    values = {"sender": _name(user), "name": committee.name, "month": chinese_period(period),
              "state": state.label, "due": rules.deadline(period).isoformat(),
              "lock": rules.lock_date(period).isoformat()}
    if locked:  # the secretary cannot file it until the department reopens it
        return _("%(sender)s催报：%(name)s%(month)s工作报告尚未报送（%(state)s，截止%(due)s）。"
                 "该月已于%(lock)s锁定，请先在报告页面申请重新开放，获准后补报。") % values
    return _("%(sender)s催报：%(name)s%(month)s工作报告尚未报送（%(state)s，截止%(due)s），"
             "请尽快报送。") % values


def locked_unreopened(committee_ids: list[int], period: datetime.date,
                      today: datetime.date) -> set[int]:
    """The committees that cannot file `period` now: it is locked and not reopened for them."""
    if not rules.is_locked(period, today):
        return set()
    reopened = set(ReopenRequest.objects.filter(
        committee_id__in=committee_ids, period=period, status=ReopenRequest.Status.GRANTED,
    ).values_list("committee_id", flat=True))
    return set(committee_ids) - reopened


def nudge_send(
    *, committees: list[JointCommittee], period: datetime.date, user: Any, today: datetime.date
) -> NudgeResult:
    """Remind each committee's secretaries to file `period`, once a day per committee:
    record a `MonthlyNudge` and send through the reminder machinery. A committee already
    reminded today (by anyone) gets nothing more."""
    if any(not permissions.can(user, "nudge", c) for c in committees):
        raise PermissionDenied
    result = NudgeResult()
    ids = [c.pk for c in committees]
    done = set(MonthlyNudge.objects.filter(committee_id__in=ids, period=period, sent_on=today)
               .values_list("committee_id", flat=True))
    secretaries = permissions.committee_secretaries(ids)
    locked = locked_unreopened(ids, period, today)
    items = []
    for committee in committees:
        users = secretaries.get(committee.pk, [])
        if committee.pk in done:
            result.already.append(committee)
            continue
        if not users:
            result.unreachable.append(committee)
            continue
        try:
            with transaction.atomic():
                MonthlyNudge.objects.create(committee=committee, period=period, sent_on=today,
                                            sent_by=user, recipients=len(users))
        except IntegrityError:  # someone else pressed at the same moment
            result.already.append(committee)
            continue
        result.sent.append(committee)
        text = _text(committee, period, today, user, locked=committee.pk in locked)
        month = format_period(period)
        url = reverse("monthly_update", args=[committee.code, month])
        items += [reminders.OwedItem(user_id=pk, key=f"nudge:{committee.pk}:{month}", text=text,
                                     url=url) for pk in users]
    reminders.send_now(items, today, f"nudge:{today.isoformat()}")
    return result


def completeness_with_nudges(
    user: Any, period: datetime.date, today: datetime.date, **filters: Any
) -> tuple[selectors.Completeness, Any]:
    """`selectors.completeness_for`, each row of the page with its latest 催报 for the month
    (one query more)."""
    report, page = selectors.completeness_for(user, period, today, **filters)
    marks = nudge_marks([row.committee.pk for row in page.object_list], period, today)
    for row in page.object_list:
        row.nudge = marks.get(row.committee.pk)
    return report, page
