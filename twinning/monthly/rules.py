"""The monthly calendar: deadline, lock and how each committee's month counts.

Rules (DESIGN §3, settings MONTHLY_DEADLINE_DAY and MONTHLY_LOCK_DAYS):
- A month's update is due on day MONTHLY_DEADLINE_DAY of the next month; a day past that
  month's end means its last day. A deadline on a Saturday or Sunday moves to the Monday
  after it. There is no holiday calendar.
- On time: first submitted, by its local date (TIME_ZONE, Asia/Shanghai), on or before the
  deadline day; late: after it. A returned update counts as returned until it is resubmitted;
  then it is on time or late by its FIRST submission again.
- Missing: not submitted (no update, or only a draft) once the deadline day has passed.
- The month locks for its secretary MONTHLY_LOCK_DAYS days after the deadline, from the start
  of that day (the lock date). A returned update stays open: the department asked for it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from twinning.committees.models import JointCommittee
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared.periods import add_months, chinese_period, month_end

SATURDAY = 5


class Filing(models.TextChoices):
    """How a committee's month counts on the completeness page."""

    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("逾期报送")
    RETURNED = "returned", _("已退回")
    MISSING = "missing", _("未报送")
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待报送")


class Review(models.TextChoices):
    """Where a filed month (on time or late) stands in review: a second dimension, so that
    已报送·待审核 and 已通过 are never counted as one."""

    AWAITING = "awaiting", _("已报送·待审核")
    ACCEPTED = "accepted", _("已通过")


def review_state(status: str | None) -> Review | None:
    return {
        MonthlyUpdate.Status.SUBMITTED: Review.AWAITING,
        MonthlyUpdate.Status.ACCEPTED: Review.ACCEPTED,
    }.get(status)


# Badge colours by filing status (the CSS classes of static/css/app.css).
FILING_BADGES = {
    Filing.ON_TIME: "ok",
    Filing.LATE: "warn",
    Filing.RETURNED: "bad",
    Filing.MISSING: "bad",
    Filing.DRAFT: "",
    Filing.PENDING: "",
}


# Two-character labels for the month-by-month grid.
FILING_SHORT = {
    Filing.ON_TIME: _("按时"),
    Filing.LATE: _("逾期"),
    Filing.RETURNED: _("退回"),
    Filing.MISSING: _("未报"),
    Filing.DRAFT: _("草稿"),
    Filing.PENDING: _("待报"),
}


def deadline(period: datetime.date) -> datetime.date:
    """The last day to file the month that starts at `period`."""
    following = add_months(period, 1)
    day = min(settings.MONTHLY_DEADLINE_DAY, month_end(following).day)
    due = following.replace(day=max(day, 1))
    if due.weekday() >= SATURDAY:
        due += datetime.timedelta(days=7 - due.weekday())
    return due


def lock_date(period: datetime.date) -> datetime.date:
    """The day from which the secretary may no longer file or change the month unreopened."""
    return deadline(period) + datetime.timedelta(days=settings.MONTHLY_LOCK_DAYS)


def is_locked(period: datetime.date, today: datetime.date) -> bool:
    return today >= lock_date(period)


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def filing_status(
    *,
    period: datetime.date,
    today: datetime.date,
    status: str | None,
    first_submitted_at: datetime.datetime | None,
) -> Filing:
    """How one committee's month counts, from its update's status (None: no update yet)."""
    if status == MonthlyUpdate.Status.RETURNED:
        return Filing.RETURNED
    if status in (MonthlyUpdate.Status.SUBMITTED, MonthlyUpdate.Status.ACCEPTED):
        if first_submitted_at is not None and local_date(first_submitted_at) > deadline(period):
            return Filing.LATE
        return Filing.ON_TIME
    if today > deadline(period):
        return Filing.MISSING
    return Filing.DRAFT if status == MonthlyUpdate.Status.DRAFT else Filing.PENDING


def committee_owes(committee: JointCommittee, period: datetime.date) -> bool:
    """Whether the committee existed in that month, and so owes its update."""
    started = committee.established_on <= month_end(period)
    return started and (committee.dissolved_on is None or committee.dissolved_on >= period)


def last_due_period(today: datetime.date) -> datetime.date:
    """The month being filed now: the one before today's."""
    return add_months(today.replace(day=1), -1)


# Whether the secretary may change a month now: the rules the form, the import and the
# pages share.

def lock_message(period: datetime.date) -> str:
    return gettext("本月报告已于%(date)s锁定；如需修改请提交重新开放申请。") % {
        "date": date_format(lock_date(period), "Y-m-d")
    }


def reopen_granted(committee: JointCommittee, period: datetime.date) -> bool:
    return ReopenRequest.objects.filter(
        committee=committee, period=period, status=ReopenRequest.Status.GRANTED
    ).exists()


def closed_reason(
    committee: JointCommittee,
    period: datetime.date,
    update: MonthlyUpdate | None,
    today: datetime.date,
    *,
    granted: bool | None = None,
) -> str:
    """Why the secretary cannot change this month now, or "" when they can."""
    if update is not None and update.status in (
        MonthlyUpdate.Status.SUBMITTED, MonthlyUpdate.Status.ACCEPTED
    ):
        return gettext(
            "报告已报送（%(status)s），不能再修改；如需修改，请联系组织部或镇街退回。"
        ) % {"status": update.get_status_display()}
    if update is not None and update.status == MonthlyUpdate.Status.RETURNED:
        return ""
    if is_locked(period, today):
        if granted is None:
            granted = reopen_granted(committee, period)
        if not granted:
            return lock_message(period)
    return ""


def check_period(
    committee: JointCommittee, period: datetime.date, today: datetime.date, *,
    draft: bool = False,
) -> None:
    """A committee files only months that have ended and that it existed in; with `draft`,
    the month under way may be started too (DESIGN §3: a draft during the month, submitted
    once it has ended)."""
    current = today.replace(day=1)
    if period > current or (period == current and not draft):
        raise ValidationError(
            gettext("%(period)s尚未结束，不能报送。") % {"period": chinese_period(period)}
        )
    if not committee_owes(committee, period):
        raise ValidationError(
            gettext("%(period)s该联合党组织尚未成立或已撤销，无需报送。")
            % {"period": chinese_period(period)}
        )


def month_over(period: datetime.date, today: datetime.date) -> bool:
    """Whether the month has ended, so that its update may be submitted."""
    return period < today.replace(day=1)


def check_submittable(period: datetime.date, today: datetime.date) -> None:
    if not month_over(period, today):
        raise ValidationError(
            gettext("%(period)s尚未结束，%(date)s起才能报送；现在可以先保存草稿。") % {
                "period": chinese_period(period),
                "date": date_format(add_months(period, 1), "Y-m-d"),
            }
        )
