import datetime

import pytest
from django.core.exceptions import ValidationError

from twinning.shared.periods import (
    add_months,
    month_end,
    months_between,
    parse_period,
    previous_month,
)


def test_months_roll_over_years() -> None:
    assert add_months(datetime.date(2025, 11, 1), 3) == datetime.date(2026, 2, 1)
    assert add_months(datetime.date(2025, 1, 1), -1) == datetime.date(2024, 12, 1)
    assert previous_month(datetime.date(2026, 1, 5)) == datetime.date(2025, 12, 1)


def test_month_end_knows_february() -> None:
    assert month_end(datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 29)
    assert month_end(datetime.date(2025, 2, 1)) == datetime.date(2025, 2, 28)


def test_months_between_includes_both_ends() -> None:
    months = months_between(datetime.date(2025, 11, 15), datetime.date(2026, 2, 1))
    assert [f"{m:%Y-%m}" for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize("text", ["2025-13", "2025", "abc", "", "2025-03-01"])
def test_bad_periods_get_a_clear_message(text: str) -> None:
    with pytest.raises(ValidationError, match="不是有效的月份"):
        parse_period(text)


def test_good_period() -> None:
    assert parse_period(" 2025-03 ") == datetime.date(2025, 3, 1)
