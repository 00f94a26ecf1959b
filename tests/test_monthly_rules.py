"""The deadline rule: the day of the next month, weekends to Monday, month lengths, the lock,
and how a month counts (on time, late, missing, returned, draft) by the first submission."""

import datetime
import zoneinfo

import pytest

from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate
from twinning.monthly.rules import Filing

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = MonthlyUpdate.Status


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (D(2026, 1, 1), D(2026, 2, 5)),   # Thursday
        (D(2026, 3, 1), D(2026, 4, 6)),   # the 5th is a Sunday: Monday the 6th
        (D(2026, 8, 1), D(2026, 9, 7)),   # the 5th is a Saturday: Monday the 7th
        (D(2025, 12, 1), D(2026, 1, 5)),  # across the year: Monday
    ],
)
def test_deadline_is_the_fifth_of_next_month_and_weekends_move_to_monday(period, due) -> None:
    assert rules.deadline(period) == due
    assert rules.deadline(period).weekday() < 5


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (D(2026, 1, 1), D(2026, 3, 2)),   # February 2026 has 28 days: the 28th is a Saturday
        (D(2027, 12, 1), D(2028, 1, 31)),  # January has 31
        (D(2028, 1, 1), D(2028, 2, 29)),  # leap year: Tuesday the 29th
        (D(2026, 3, 1), D(2026, 4, 30)),  # April has 30: Thursday
    ],
)
def test_a_deadline_day_past_the_months_end_is_its_last_day(settings, period, due) -> None:
    settings.MONTHLY_DEADLINE_DAY = 31
    assert rules.deadline(period) == due


def test_lock_date_counts_from_the_moved_deadline(settings) -> None:
    settings.MONTHLY_LOCK_DAYS = 10
    period = D(2026, 8, 1)  # due Monday 2026-09-07
    assert rules.lock_date(period) == D(2026, 9, 17)
    assert not rules.is_locked(period, D(2026, 9, 16))
    assert rules.is_locked(period, D(2026, 9, 17))


JANUARY, FEB_20 = D(2026, 1, 1), D(2026, 2, 20)


def _filing(status, first=None, today=FEB_20, period=JANUARY) -> Filing:
    return rules.filing_status(period=period, today=today, status=status, first_submitted_at=first)


def test_on_time_is_by_the_local_date_in_shanghai() -> None:
    # Due Thursday 2026-02-05. 23:30 in Shanghai is still the 5th (15:30 UTC);
    # 00:10 on the 6th is late although it is 16:10 UTC on the 5th.
    assert _filing(Status.SUBMITTED, at(2026, 2, 5, 23, 30)) == Filing.ON_TIME
    late = at(2026, 2, 6, 0, 10)
    assert late.astimezone(datetime.UTC).date() == D(2026, 2, 5)
    assert _filing(Status.SUBMITTED, late) == Filing.LATE
    assert _filing(Status.ACCEPTED, at(2026, 2, 2, 9)) == Filing.ON_TIME


def test_submitted_on_the_monday_after_a_weekend_deadline_is_on_time() -> None:
    period = D(2026, 8, 1)  # the 5th of September is a Saturday
    monday = at(2026, 9, 7, 17)
    assert _filing(Status.SUBMITTED, monday, today=D(2026, 9, 20), period=period) == Filing.ON_TIME
    tuesday = at(2026, 9, 8, 9)
    assert _filing(Status.SUBMITTED, tuesday, today=D(2026, 9, 20), period=period) == Filing.LATE


def test_unsubmitted_months_are_pending_or_draft_until_the_deadline_then_missing() -> None:
    assert _filing(None, today=D(2026, 2, 5)) == Filing.PENDING
    assert _filing(Status.DRAFT, today=D(2026, 2, 5)) == Filing.DRAFT
    assert _filing(None, today=D(2026, 2, 6)) == Filing.MISSING
    assert _filing(Status.DRAFT, today=D(2026, 2, 6)) == Filing.MISSING


def test_returned_counts_as_returned_then_follows_the_first_submission() -> None:
    first = at(2026, 2, 4, 10)
    assert _filing(Status.RETURNED, first) == Filing.RETURNED
    # Resubmitted after the deadline: still on time, by the first submission.
    assert _filing(Status.SUBMITTED, first) == Filing.ON_TIME
    assert _filing(Status.SUBMITTED, at(2026, 2, 9, 10)) == Filing.LATE


def test_a_committee_owes_only_the_months_it_existed_in(committee) -> None:
    committee.established_on = D(2025, 3, 20)
    committee.dissolved_on = D(2025, 9, 10)
    assert not rules.committee_owes(committee, D(2025, 2, 1))
    assert rules.committee_owes(committee, D(2025, 3, 1))
    assert rules.committee_owes(committee, D(2025, 9, 1))
    assert not rules.committee_owes(committee, D(2025, 10, 1))
