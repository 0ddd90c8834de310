"""Worked examples of V04's limits: National Day and Spring Festival 2026, make-up Saturdays, 2027."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from guanjia.workdays.calendar import (
    WEEKENDS_ONLY,
    Calendar,
    calendar_warnings,
    is_workday,
    next_workday,
    unknown_years,
    with_statutory,
)
from guanjia.workdays.deadlines import (
    after_hours,
    after_minutes,
    due_day,
    end_of_days,
    end_of_workdays,
    working_days_between,
)
from guanjia.workdays.package import package_calendar, package_days, package_years

SH = ZoneInfo("Asia/Shanghai")
CAL = package_calendar()
COMPUTED = with_statutory({d: p.is_workday for d, p in package_days().items()}, package_years(), package_years())


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_v04_worked_example_repair_completed_before_national_day():
    # Given a repair completed on Wednesday 2026-09-30 at 15:00
    completed = at(2026, 9, 30, 15)
    # When the return visit is due "within 2 working days"
    due = end_of_workdays(completed, 2, CAL)
    # Then it is due by 24:00 of Friday 2026-10-09 (1–7 October are holidays; 8 and 9 are working days)
    assert due == at(2026, 10, 10)
    assert due_day(due) == date(2026, 10, 9)


def test_v04_national_day_2026_first_and_third_working_days():
    completed = at(2026, 9, 30, 15)
    assert due_day(end_of_workdays(completed, 1, CAL)) == date(2026, 10, 8)
    # Saturday 2026-10-10 is a make-up working day (调休上班): it is the 3rd working day, not a rest day.
    assert is_workday(CAL, date(2026, 10, 10))
    assert due_day(end_of_workdays(completed, 3, CAL)) == date(2026, 10, 10)
    assert due_day(end_of_workdays(completed, 4, CAL)) == date(2026, 10, 12)


def test_v04_event_during_the_holiday_counts_from_the_first_working_day():
    assert due_day(end_of_workdays(at(2026, 10, 3, 10), 1, CAL)) == date(2026, 10, 8)
    assert next_workday(CAL, date(2026, 10, 1)) == date(2026, 10, 8)


def test_v04_the_local_day_decides_not_utc():
    # 2026-09-30 23:30 UTC is already 1 October 07:30 in Shanghai: the event's day is a holiday.
    completed = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
    assert due_day(end_of_workdays(completed, 1, CAL)) == date(2026, 10, 8)
    assert end_of_workdays(completed, 1, CAL).tzinfo == SH


def test_v04_event_on_a_working_day_does_not_count_that_day():
    # Thursday 2026-10-08 is a working day; within 1 working day means the end of Friday the 9th.
    assert due_day(end_of_workdays(at(2026, 10, 8, 8), 1, CAL)) == date(2026, 10, 9)
    assert due_day(end_of_workdays(at(2026, 10, 8, 8), 0, CAL)) == date(2026, 10, 8)


def test_v04_spring_festival_2026_make_up_saturdays_are_working_days():
    assert is_workday(CAL, date(2026, 2, 14))  # Saturday before the holiday
    assert is_workday(CAL, date(2026, 2, 28))  # Saturday after it
    assert not is_workday(CAL, date(2026, 2, 16))  # Monday in the holiday
    # Completed Friday 13 February: the first working day after it is Saturday the 14th.
    assert due_day(end_of_workdays(at(2026, 2, 13, 16), 1, CAL)) == date(2026, 2, 14)
    # ... and the second is Tuesday the 24th, after the nine days off (15–23 February).
    assert due_day(end_of_workdays(at(2026, 2, 13, 16), 2, CAL)) == date(2026, 2, 24)
    # From Monday the 23rd (a holiday), five working days run Tue 24 – Sat 28.
    assert due_day(end_of_workdays(at(2026, 2, 23, 9), 5, CAL)) == date(2026, 2, 28)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28), CAL) == 6


def test_v04_a_make_up_saturday_differs_from_an_ordinary_saturday():
    # Saturday 2026-10-10 is worked, Saturday 2026-10-17 is not.
    assert due_day(end_of_workdays(at(2026, 10, 9, 17), 1, CAL)) == date(2026, 10, 10)
    assert due_day(end_of_workdays(at(2026, 10, 16, 17), 1, CAL)) == date(2026, 10, 19)


def test_v04_days_limit_ignores_holidays_and_ends_at_midnight():
    due = end_of_days(at(2026, 9, 30, 15), 3)
    assert due == at(2026, 10, 4)
    assert due_day(due) == date(2026, 10, 3)


def test_v04_minutes_and_hours_run_on_the_clock_across_holidays():
    assert after_hours(at(2026, 9, 30, 15), 24) == at(2026, 10, 1, 15)
    assert after_minutes(at(2026, 9, 30, 23, 50), 30) == at(2026, 10, 1, 0, 20)


def test_v04_year_without_published_calendar_counts_statutory_days_and_warns():
    # 2027 is not in the package: the package alone counts Friday 2027-10-01 as an ordinary working day,
    assert 2027 not in CAL.known_years
    assert is_workday(CAL, date(2027, 10, 1))
    assert due_day(end_of_workdays(at(2027, 9, 30, 15), 2, CAL)) == date(2027, 10, 4)
    # the calendar the desk uses adds the statutory days of the 2024 law (国庆节 1–3 October),
    assert not is_workday(COMPUTED, date(2027, 10, 1))
    assert due_day(end_of_workdays(at(2027, 9, 30, 15), 2, COMPUTED)) == date(2027, 10, 5)
    # and the year stays unknown, with a warning, until the make-up days are entered.
    assert unknown_years(COMPUTED, [2026, 2027, 2027]) == [2027]
    [warning] = calendar_warnings([2026, 2027], cal=COMPUTED)
    assert warning.year == 2027
    assert str(warning) == (
        "2027年的调休安排尚未录入：当前按自动计算的法定节假日和周末休息计算，"
        "调休上班日尚未录入，请管理员按国务院通知录入并确认"
    )
    [far] = calendar_warnings([2200], cal=COMPUTED)
    assert str(far) == "2200年的法定节假日安排尚未发布，当前按周末休息计算，请管理员录入"


def test_v04_a_limit_across_new_year_into_an_unknown_year():
    assert due_day(end_of_workdays(at(2026, 12, 31, 10), 1, CAL)) == date(2027, 1, 1)  # weekends-only: Friday
    due = end_of_workdays(at(2026, 12, 31, 10), 1, COMPUTED)
    assert due_day(due) == date(2027, 1, 4)  # 元旦 is a statutory day; the page warns about 2027
    assert unknown_years(COMPUTED, {due_day(due).year}) == [2027]


@pytest.mark.parametrize(
    "start",
    [
        datetime(1, 1, 1, tzinfo=SH),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=SH),
        datetime(9999, 12, 31, 20, tzinfo=UTC),
        datetime(9999, 12, 30, 12, tzinfo=ZoneInfo("America/New_York")),
    ],
)
def test_v04_never_raises_at_the_ends_of_the_calendar(start):
    # Beyond 9999-12-31 24:00 local time nothing is representable: the answers saturate, they never raise.
    for n in (0, 1, 5, 10_000_000):
        for due in (
            end_of_workdays(start, n, CAL),
            end_of_days(start, n),
            after_hours(start, n),
            after_minutes(start, n),
        ):
            assert due.tzinfo == SH
    assert next_workday(CAL, date.max) == date.max
    assert working_days_between(date.min, date.max, WEEKENDS_ONLY) > 0


def test_v04_bad_arguments_are_programming_errors():
    with pytest.raises(ValueError):
        end_of_workdays(datetime(2026, 9, 30, 15), 2, CAL)  # naive
    with pytest.raises(ValueError):
        end_of_days(at(2026, 9, 30), -1)


def test_v04_calendar_is_immutable():
    cal = Calendar.build({date(2027, 10, 1): False}, [2027])
    with pytest.raises(TypeError):
        cal.exceptions[date(2027, 10, 2)] = False
    assert not is_workday(cal, date(2027, 10, 1))
    assert time.min == end_of_days(at(2027, 1, 1), 0).time()
