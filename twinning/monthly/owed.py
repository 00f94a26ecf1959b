"""What people owe on monthly updates: the source the reminders and to-do lists read.

Secretaries owe the month being filed now until it is submitted, and any update returned to
them; the department owes a decision on each pending reopen request. E-mail (`remind`) goes
only inside a window, so no one is reminded for ever:
- the month being filed: from MONTHLY_REMIND_DAYS_BEFORE days before its deadline until it
  locks; once locked it stays on the to-do list (with the way to reopen it) but is not mailed;
- a returned update or a reopened month: until the month's lock date, or for
  MONTHLY_LOCK_DAYS days after the return or the reopening, whichever is later;
- answers to reopen requests and the department's pending requests: to-do list only (a
  refused request shows for REFUSED_SHOWN_DAYS days).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared import permissions, reminders
from twinning.shared.periods import add_months, chinese_period, format_period

Status = MonthlyUpdate.Status
REFUSED_SHOWN_DAYS = 7
# How far back an unfiled month stays on the to-do list (the completeness page's grid).
OWED_MONTHS = 12


def _day(value: datetime.date) -> str:
    return date_format(value, "Y-m-d")


def _url(committee: JointCommittee, period: datetime.date, name: str = "monthly_update") -> str:
    return reverse(name, args=[committee.code, format_period(period)])


def _grace(since: datetime.datetime | None, today: datetime.date) -> bool:
    """Within MONTHLY_LOCK_DAYS days of an event (a return, a reopening)."""
    if since is None:
        return False
    return today <= rules.local_date(since) + datetime.timedelta(days=settings.MONTHLY_LOCK_DAYS)


def _owed_month(
    committee: JointCommittee,
    period: datetime.date,
    update: MonthlyUpdate | None,
    today: datetime.date,
    granted: ReopenRequest | None,
    pending: bool,
) -> tuple[str, bool] | None:
    """(text, remind) for a month the committee's secretary still owes, or None."""
    name, month = committee.name, chinese_period(period)
    due = rules.deadline(period)
    open_window = today < rules.lock_date(period)
    if update is not None and update.is_submitted:
        return None
    if update is not None and update.status == Status.RETURNED:
        text = _("%(name)s%(month)s工作报告被退回：%(reason)s。请修改后重新报送。") % {
            "name": name, "month": month, "reason": update.return_reason,
        }
        return text, open_window or _grace(update.reviewed_at, today)
    if granted is not None:
        text = _("组织部已同意重新开放%(name)s%(month)s工作报告，请补报。") % {
            "name": name, "month": month,
        }
        return text, open_window or _grace(granted.decided_at, today)
    if not open_window:
        if pending:
            text = _("%(name)s%(month)s工作报告未报送，重新开放申请待组织部处理。")
        else:
            text = _(
                "%(name)s%(month)s工作报告未报送，已于%(lock)s锁定；如需补报请提交重新开放申请。"
            )
        return text % {"name": name, "month": month, "lock": _day(rules.lock_date(period))}, False
    if today > due:
        text = _("%(name)s%(month)s工作报告已逾期（截止%(due)s），请尽快报送。")
    elif update is not None:
        text = _("%(name)s%(month)s工作报告尚是草稿，请在%(due)s前报送。")
    else:
        text = _("请在%(due)s前报送%(name)s%(month)s工作报告。")
    remind_from = due - datetime.timedelta(days=settings.MONTHLY_REMIND_DAYS_BEFORE)
    return text % {"name": name, "month": month, "due": _day(due)}, today >= remind_from


def monthly_items(today: datetime.date) -> Iterator[reminders.OwedItem]:
    """Owed monthly updates and reopen decisions, in seven queries whatever the city's size."""
    period = rules.last_due_period(today)
    committees = {
        c.pk: c
        for c in JointCommittee.objects.filter(dissolved_on__isnull=True).filter(
            established_on__lte=today
        )
    }
    # Months owed: the one being filed now, the earlier months of the last year not filed
    # (locked ones with the way to reopen them), and any returned or reopened earlier month.
    window = [add_months(period, -i) for i in range(OWED_MONTHS)]
    updates = {
        (u.committee_id, u.period): u
        for u in MonthlyUpdate.objects.filter(
            Q(period__gte=window[-1]) | Q(status=Status.RETURNED),
            committee_id__in=list(committees),
        )
    }
    requests = list(
        ReopenRequest.objects.filter(committee_id__in=list(committees))
        .filter(Q(status__in=[ReopenRequest.Status.PENDING, ReopenRequest.Status.GRANTED])
                | Q(decided_at__date__gte=today - datetime.timedelta(days=REFUSED_SHOWN_DAYS)))
        .select_related("requested_by")
    )
    granted = {(r.committee_id, r.period): r for r in requests
               if r.status == ReopenRequest.Status.GRANTED}
    pending = {(r.committee_id, r.period) for r in requests
               if r.status == ReopenRequest.Status.PENDING}
    reopened = [key for key in granted if key not in updates]
    if reopened:
        updates.update(
            ((u.committee_id, u.period), u)
            for u in MonthlyUpdate.objects.filter(
                committee_id__in={c for c, _p in reopened}, period__in={p for _c, p in reopened}
            )
        )
    months = {(c, month) for c, committee in committees.items() for month in window
              if rules.committee_owes(committee, month)}
    months |= set(updates) | set(granted)
    secretaries = permissions.committee_secretaries(list(committees))
    # Each committee's months newest first: the one being filed now leads.
    # Earlier months locked without an update, a reopening or a request: one line for the
    # committee when there are several, pointing at its months (each with its reopen button).
    locked: dict[int, list[datetime.date]] = defaultdict(list)
    for committee_id, month in months:
        update = updates.get((committee_id, month))
        if (month != period and rules.is_locked(month, today)
                and (update is None or update.status == Status.DRAFT)
                and (committee_id, month) not in granted and (committee_id, month) not in pending):
            locked[committee_id].append(month)
    grouped = {c: sorted(ms, reverse=True) for c, ms in locked.items() if len(ms) > 1}
    for committee_id, month in sorted(months, key=lambda k: (k[0], -k[1].toordinal())):
        committee = committees[committee_id]
        if month in grouped.get(committee_id, ()):
            continue
        owed = _owed_month(
            committee, month, updates.get((committee_id, month)), today,
            granted.get((committee_id, month)), (committee_id, month) in pending,
        )
        if owed is None:
            continue
        text, remind = owed
        for user_id in secretaries.get(committee_id, []):
            yield reminders.OwedItem(
                user_id=user_id,
                key=f"monthly:{committee_id}:{format_period(month)}",
                text=text,
                url=_url(committee, month),
                remind=remind,
            )
    for committee_id, missed in sorted(grouped.items()):
        committee = committees[committee_id]
        text = _(
            "%(name)s有%(n)s个月的工作报告未报送，已锁定（%(months)s）；如需补报请逐月提交重新开放申请。"
        ) % {"name": committee.name, "n": len(missed),
             "months": "、".join(chinese_period(m) for m in missed)}
        for user_id in secretaries.get(committee_id, []):
            yield reminders.OwedItem(
                user_id=user_id, key=f"monthly-locked:{committee_id}", text=text,
                url=reverse("monthly_committee", args=[committee.code]), remind=False,
            )
    yield from _reopen_items(requests, committees, secretaries)


def _reopen_items(
    requests: list[ReopenRequest],
    committees: dict[int, JointCommittee],
    secretaries: dict[int, list[int]],
) -> Iterator[reminders.OwedItem]:
    department = list(
        User.objects.filter(permissions.holders("grant_reopen"), is_active=True)
        .order_by("pk").values_list("pk", flat=True)
    )
    for request in requests:
        committee = committees[request.committee_id]
        values = {
            "name": committee.name,
            "month": chinese_period(request.period),
            "reason": request.reason,
            "note": request.decision_note,
        }
        if request.status == ReopenRequest.Status.PENDING:
            text = _("%(name)s申请重新开放%(month)s工作报告：%(reason)s") % values
            users = department
            url = _url(committee, request.period, "monthly_reopen_decide")
        elif request.status == ReopenRequest.Status.REFUSED:
            text = _("%(name)s%(month)s重新开放申请未获同意：%(note)s") % values
            users = secretaries.get(request.committee_id, [])
            url = _url(committee, request.period)
        else:
            continue
        for user_id in users:
            yield reminders.OwedItem(
                user_id=user_id, key=f"reopen:{request.pk}", text=text, url=url, remind=False
            )


def review_items(today: datetime.date) -> Iterator[reminders.OwedItem]:
    """Updates waiting for review (待审核): the department owes them all, town staff their
    towns'; one item per reviewer with the count, pointing at the review queue (3 queries)."""
    by_town = dict(
        MonthlyUpdate.objects.filter(status=Status.SUBMITTED)
        .order_by().values_list("committee__town_id").annotate(n=Count("pk"))
    )
    if not by_town:
        return
    url = reverse("monthly_queue")
    counts: dict[int, int] = defaultdict(int)
    for user_id, town_id in permissions.town_users("review", by_town):
        counts[user_id] += by_town[town_id]
    total = sum(by_town.values())
    for user_id in User.objects.filter(
        permissions.city_wide_holders("review"), is_active=True
    ).values_list("pk", flat=True):
        counts[user_id] = total
    for user_id, n in sorted(counts.items()):
        yield reminders.OwedItem(
            user_id=user_id, key="review:monthly",
            text=_("%(n)s份月度工作报告已报送，待您审核。") % {"n": n}, url=url,
        )


def register() -> None:
    reminders.register_source(monthly_items)
    reminders.register_source(review_items)
