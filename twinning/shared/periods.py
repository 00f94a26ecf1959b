"""Reporting periods: a month is its first day (a `datetime.date` with day 1)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def future_dates(**dates: datetime.date | None) -> dict[str, str]:
    """The named dates that lie after today, each with the reason: a day something happened
    on (a member joined, a committee was founded) cannot be in the future. Dates planned
    ahead (a due date, a round's closing) do not come here."""
    today = timezone.localdate()
    return {name: _("日期不能晚于今天。") for name, day in dates.items()
            if day is not None and day > today}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(period: datetime.date) -> datetime.date:
    """The last day of the month."""
    return add_months(period, 1) - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> datetime.date:
    return add_months(month_start(today), -1)


def parse_period(text: str) -> datetime.date:
    """`YYYY-MM` → the month's first day; anything else is a clear ValidationError."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError(
            _("「%(text)s」不是有效的月份，应为 YYYY-MM，例如 2025-03。") % {"text": text}
        ) from None


def format_period(period: datetime.date) -> str:
    return f"{period:%Y-%m}"


def chinese_period(period: datetime.date) -> str:
    return f"{period.year}年{period.month}月"


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last`, both included."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


class PeriodConverter:
    """URL converter for `YYYY-MM`: the view gets the month's first day; a bad month is a 404."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        try:
            return parse_period(value)
        except ValidationError:
            raise ValueError(value) from None

    def to_url(self, value: datetime.date | str) -> str:
        return value if isinstance(value, str) else format_period(value)
