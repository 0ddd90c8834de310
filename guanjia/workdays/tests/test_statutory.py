"""Statutory holidays computed from the 2024 law for years without a published arrangement (V04)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanjia.workdays.calendar import is_workday, load_calendar, next_workday, with_statutory
from guanjia.workdays.deadlines import due_day, end_of_workdays
from guanjia.workdays.package import package_calendar, package_days, package_years
from guanjia.workdays.services import calendar_day_set
from guanjia.workdays.statutory import FIRST_YEAR, LAST_YEAR, statutory_days

SH = ZoneInfo("Asia/Shanghai")
PACKAGE = package_calendar()
#: The package's published years, plus the computed statutory days of every other year: what load_calendar builds.
COMPUTED = with_statutory({d: p.is_workday for d, p in package_days().items()}, package_years(), package_years())
#: Only the computed days: no package, no administrator.
COMPUTED_ONLY = with_statutory({}, ())

years = st.integers(min_value=2025, max_value=2035)


@given(years)
def test_v04_every_computed_statutory_day_is_a_rest_day(year):
    days = statutory_days(year)
    # 13 days by law; 12 dates when 中秋节 falls on 1–3 October.
    assert len(days) in (12, 13)
    for d in days:
        assert d.year == year
        assert not is_workday(COMPUTED_ONLY, d)
        if year not in package_years():
            assert not is_workday(COMPUTED, d)


@given(st.sampled_from(sorted(y for y in package_years() if y >= FIRST_YEAR)))
def test_v04_computed_statutory_days_are_holidays_in_the_published_years(year):
    assert year in (2025, 2026)
    published = package_days()
    for d, name in statutory_days(year).items():
        assert d in published and not published[d].is_workday, (d, name)


@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2035, 12, 31)))
def test_v04_other_days_of_unpublished_years_follow_the_weekend_rule(day):
    if day not in statutory_days(day.year):
        assert is_workday(COMPUTED, day) == (day.weekday() < 5)


def test_v04_the_law_s_dates_for_2025_and_2026():
    assert statutory_days(2025) == {
        date(2025, 1, 1): "元旦",
        date(2025, 1, 28): "春节",  # 除夕
        date(2025, 1, 29): "春节",
        date(2025, 1, 30): "春节",
        date(2025, 1, 31): "春节",
        date(2025, 4, 4): "清明节",
        date(2025, 5, 1): "劳动节",
        date(2025, 5, 2): "劳动节",
        date(2025, 5, 31): "端午节",
        date(2025, 10, 1): "国庆节",
        date(2025, 10, 2): "国庆节",
        date(2025, 10, 3): "国庆节",
        date(2025, 10, 6): "中秋节",
    }
    spring_2026 = [d for d, name in statutory_days(2026).items() if name == "春节"]
    assert spring_2026 == [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19)]


def test_v04_eve_is_the_day_before_the_lunar_new_year_whatever_the_twelfth_month_s_length():
    # Lunar new year 2027 is Saturday 6 February, so 除夕 is Friday 5 February.
    spring = [d for d, name in statutory_days(2027).items() if name == "春节"]
    assert spring == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert statutory_days(2024) == {} and statutory_days(LAST_YEAR + 1) == {}
    assert statutory_days(9999) == {}


def test_v04_a_working_day_limit_from_the_eve_2027_is_due_after_the_spring_festival():
    # A major complaint completed on 除夕 2027 with a limit of 1 working day: the event's day does not count,
    # 6–8 February are statutory days (the 7th a Sunday), so the one working day is Tuesday 9 February.
    completed = datetime(2027, 2, 5, 16, 30, tzinfo=SH)
    assert due_day(end_of_workdays(completed, 1, COMPUTED)) == date(2027, 2, 9)
    # Weekends-only would have said Monday 8 February, the 初三.
    assert due_day(end_of_workdays(completed, 1, PACKAGE)) == date(2027, 2, 8)
    assert next_workday(COMPUTED, date(2027, 2, 4)) == date(2027, 2, 9)


def test_v04_years_the_package_knows_keep_their_published_arrangement():
    for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10)):  # published make-up Saturdays
        assert is_workday(COMPUTED, day) and is_workday(PACKAGE, day)
    for d in package_days():
        assert is_workday(COMPUTED, d) == is_workday(PACKAGE, d)


def test_v04_table_rows_win_over_computed_days():
    cal = with_statutory({date(2027, 10, 1): True, date(2027, 9, 25): True}, (), ())
    assert is_workday(cal, date(2027, 10, 1))  # the administrator says the estate works that day
    assert is_workday(cal, date(2027, 9, 25))  # a make-up Saturday
    assert not is_workday(cal, date(2027, 10, 2))


@pytest.mark.django_db
def test_v04_load_calendar_uses_computed_days_and_administrator_entries(world):
    cal = load_calendar()
    assert not is_workday(cal, date(2027, 2, 8))  # 初三, computed
    assert is_workday(cal, date(2026, 2, 28))  # published make-up Saturday
    calendar_day_set(day=date(2027, 2, 8), is_workday=True, name="值班", actor=world.office_manager)
    calendar_day_set(day=date(2027, 2, 20), is_workday=True, name="春节调休", actor=world.office_manager)
    cal = load_calendar()
    assert is_workday(cal, date(2027, 2, 8)) and is_workday(cal, date(2027, 2, 20))
    assert not is_workday(cal, date(2027, 2, 5))
    assert next_workday(cal, date(2027, 2, 5) - timedelta(days=1)) == date(2027, 2, 8)


@given(
    st.dictionaries(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)), st.booleans(), max_size=40),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
)
def test_v04_administrator_rows_always_win_over_computed_days(rows, day):
    cal = with_statutory(rows, (), ())
    if day in rows:
        assert is_workday(cal, day) == rows[day]
    elif day in statutory_days(day.year):
        assert not is_workday(cal, day)
    else:
        assert is_workday(cal, day) == (day.weekday() < 5)
