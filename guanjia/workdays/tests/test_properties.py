"""Properties of the working-day arithmetic (V04), checked against a day-by-day count. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from guanjia.workdays.calendar import (
    WEEKENDS_ONLY,
    Calendar,
    count_workdays,
    is_workday,
    next_workday,
    with_statutory,
)
from guanjia.workdays.deadlines import (
    after_hours,
    after_minutes,
    end_of_days,
    end_of_workdays,
    local_day,
    working_days_between,
)
from guanjia.workdays.package import package_calendar, package_days, package_years

SHANGHAI = ZoneInfo("Asia/Shanghai")
PACKAGE = package_calendar()
#: What load_calendar builds from a fresh database: the package, and computed statutory days for later years.
COMPUTED = with_statutory({d: p.is_workday for d, p in package_days().items()}, package_years(), package_years())

zones = st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati")])
starts = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=zones)
counts = st.integers(min_value=0, max_value=60)


def random_calendars() -> st.SearchStrategy[Calendar]:
    days = st.dates(min_value=date(1999, 1, 1), max_value=date(2031, 12, 31))
    return st.builds(
        Calendar.build,
        st.dictionaries(days, st.booleans(), max_size=80),
        st.sets(st.integers(min_value=1999, max_value=2031), max_size=5),
    )


calendars = st.one_of(st.just(PACKAGE), st.just(COMPUTED), st.just(WEEKENDS_ONLY), random_calendars())


def brute_count(cal: Calendar, after: date, last: date) -> int:
    n, d = 0, after
    while d < last:
        d += timedelta(days=1)
        n += is_workday(cal, d)
    return n


def is_local_midnight(value: datetime) -> bool:
    return getattr(value.tzinfo, "key", None) == "Asia/Shanghai" and value.time() == time.min


@given(starts, counts, calendars)
def test_v04_end_of_workdays_ends_at_midnight_after_a_working_day(start, n, cal):
    due = end_of_workdays(start, n, cal)
    last_day = due.date() - timedelta(days=1)
    assert is_local_midnight(due)
    assert last_day >= local_day(start)
    if n >= 1:
        assert is_workday(cal, last_day)
        assert last_day > local_day(start)  # the event's own day never counts


@given(starts, st.integers(min_value=1, max_value=60), calendars)
def test_v04_end_of_workdays_counts_exactly_n_working_days_after_the_event_day(start, n, cal):
    due = end_of_workdays(start, n, cal)
    last_day = due.date() - timedelta(days=1)
    assert brute_count(cal, local_day(start), last_day) == n
    assert working_days_between(start, last_day, cal) == n


@given(starts, starts, counts, calendars)
def test_v04_end_of_workdays_is_monotone_in_start(a, b, n, cal):
    first, second = sorted([a, b])
    assert end_of_workdays(first, n, cal) <= end_of_workdays(second, n, cal)


@given(starts, starts, calendars)
def test_v04_end_of_workdays_is_monotone_in_n(start, _other, cal):
    dues = [end_of_workdays(start, n, cal) for n in range(6)]
    assert dues == sorted(dues)


@settings(max_examples=300)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), counts)
def test_v04_never_raises_for_any_date_including_unknown_years(day, n):
    start = datetime.combine(day, time(12), tzinfo=SHANGHAI)
    assert is_local_midnight(end_of_workdays(start, n, PACKAGE))
    assert is_local_midnight(end_of_days(start, n))
    assert next_workday(PACKAGE, day) > day
    if day.year not in PACKAGE.known_years:
        assert is_workday(PACKAGE, day) == (day.weekday() < 5)


@given(st.dates(min_value=date(2030, 1, 1), max_value=date(2200, 12, 31)), counts)
def test_v04_unknown_years_fall_back_to_weekends_only(day, n):
    start = datetime.combine(day, time(9), tzinfo=SHANGHAI)
    assert end_of_workdays(start, n, PACKAGE) == end_of_workdays(start, n, WEEKENDS_ONLY)
    due = end_of_workdays(start, n, WEEKENDS_ONLY)
    assert (due - timedelta(days=1)).weekday() < 5 or n == 0


@given(st.dates(min_value=date(1998, 1, 1), max_value=date(2032, 12, 31)), st.integers(0, 200), calendars)
def test_v04_count_workdays_agrees_with_counting_day_by_day(first, span, cal):
    last = first + timedelta(days=span)
    assert count_workdays(cal, first, last) == brute_count(cal, first - timedelta(days=1), last)
    assert working_days_between(last, first, cal) == -working_days_between(first, last, cal)


@given(starts, counts)
def test_v04_end_of_days_ends_at_midnight_n_plus_one_days_after_the_event_day(start, n):
    due = end_of_days(start, n)
    assert is_local_midnight(due)
    assert due.date() - local_day(start) == timedelta(days=n + 1)


def elapsed(later: datetime, earlier: datetime) -> timedelta:
    # Subtracting two datetimes of one zone compares wall clocks; elapsed time needs UTC.
    return later.astimezone(UTC) - earlier.astimezone(UTC)


@given(starts, st.integers(min_value=0, max_value=10_000))
@example(datetime(1941, 11, 1, 22, tzinfo=SHANGHAI), 120)  # Shanghai's clocks went back an hour at midnight
@example(datetime(2000, 3, 22, 19, tzinfo=ZoneInfo("America/New_York")), 248)  # across New York's DST change
def test_v04_minutes_and_hours_run_on_the_clock(start, n):
    assert elapsed(after_minutes(start, n), start) == timedelta(minutes=n)
    assert elapsed(after_hours(start, n), start) == timedelta(hours=n)
    assert getattr(after_hours(start, n).tzinfo, "key", None) == "Asia/Shanghai"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), calendars)
def test_v04_next_workday_is_the_first_working_day_after(day, cal):
    found = next_workday(cal, day)
    assert found > day
    assert is_workday(cal, found)
    assert brute_count(cal, day, found) == 1
