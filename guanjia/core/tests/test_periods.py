"""The one month arithmetic every report, export and plan uses (core.periods)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanjia.core.periods import MonthError, Period, add_months, month_bounds, parse_month

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the shorter month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # negative months clamp too
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # across the year backwards
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 1), -25, date(2024, 4, 1)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last_day(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_month_bounds_are_local_midnights_of_the_first_days() -> None:
    start, end = month_bounds(date(2026, 12, 17))
    assert start == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert end == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    leap_start, leap_end = month_bounds(date(2028, 2, 1))
    assert leap_end - leap_start == timedelta(days=29)


def test_period_of_a_month_and_the_month_before() -> None:
    march = Period.month(2026, 3)
    assert (march.start, march.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (march.start_at, march.end_at) == month_bounds(date(2026, 3, 9))
    assert Period.month(2026, 1).previous_month() == Period.month(2025, 12)
    assert Period.month_of(date(2024, 2, 10)).end == date(2024, 2, 29)


@pytest.mark.parametrize(("text", "expected"), [("2026-05", date(2026, 5, 1)), (" 2026-12 ", date(2026, 12, 1))])
def test_parse_month_reads_yyyy_mm(text: str, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-5", "26-05", "1999-12", "2101-01", "March", "", "2026-05-01"]
)
def test_parse_month_refuses_anything_else_naming_the_month(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM") as error:
        parse_month(text)
    assert isinstance(error.value, MonthError)
    assert error.value.value == text
    assert f"“{text}”" in str(error.value)
