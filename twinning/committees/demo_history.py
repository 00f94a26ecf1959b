"""Helpers for the demo city's monthly history (inspections, joint meetings, …).

The history covers the 12 months before the current month (the site's local date), so a demo
loaded today always ends last month. Each month's records are drawn from a generator seeded
by the demo seed and the month, so a month looks the same whenever it is loaded.
"""

import datetime
import random

from branches.demo import date_between
from twinning.shared.periods import add_months, month_end, month_start

HISTORY_MONTHS = 12


def history_months(today: datetime.date, count: int = HISTORY_MONTHS) -> list[datetime.date]:
    """The `count` months before today's month, oldest first."""
    this_month = month_start(today)
    return [add_months(this_month, -n) for n in range(count, 0, -1)]


def working_day(
    rng: random.Random, period: datetime.date, first_day: int = 1, last_day: int = 31
) -> datetime.date:
    """A Monday-to-Friday day of the month, between the given days of the month."""
    end = min(last_day, month_end(period).day)
    days = [period.replace(day=d) for d in range(first_day, end + 1)]
    return rng.choice([d for d in days if d.weekday() < 5])


def finished_on(
    rng: random.Random,
    *,
    start: datetime.date,
    due: datetime.date,
    today: datetime.date,
    on_time: float = 0.75,
    longest_delay: int = 75,
    early: float = 0.35,
) -> datetime.date | None:
    """When an item raised on `start` and due on `due` was finished, as of `today`.

    Items already due are mostly finished on time; the others up to `longest_delay` days
    late, so those still open and overdue are the recent ones. Of items not yet due, a share
    is finished early. Every date lies before today; None means not finished yet.
    """
    yesterday = today - datetime.timedelta(days=1)
    if start >= yesterday:
        return None
    if due < today:
        if rng.random() < on_time:
            return date_between(rng, min(start + datetime.timedelta(days=2), due), due)
        day = due + datetime.timedelta(days=rng.randint(1, longest_delay))
        return day if day <= yesterday else None
    if rng.random() < early:
        return date_between(rng, min(start + datetime.timedelta(days=2), yesterday), yesterday)
    return None
