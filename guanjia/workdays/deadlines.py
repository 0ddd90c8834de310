"""Time limits counted the way V04 (PRC Civil Code arts. 201, 203) counts them. Pure: no database, no clock.

Every function takes a timezone-aware ``start`` (the event: a complaint registered, a repair completed) and
returns an aware datetime in the local zone (``settings.TIME_ZONE``, Asia/Shanghai):

- ``after_minutes(start, n)`` / ``after_hours(start, n)``: on the clock, ``n`` minutes or hours of elapsed time
  after the event.
- ``end_of_days(start, n)``: "within n days". The day of the event does not count; the limit runs to 24:00 of
  the n-th day after it.
- ``end_of_workdays(start, n, cal)``: "within n working days". The day of the event does not count even when it
  is a working day; the limit runs to 24:00 of the n-th working day after it. Completed Wed 2026-09-30 15:00,
  within 2 working days → 24:00 of Fri 2026-10-09 (1–7 Oct are holidays; 8 and 9 Oct are the two working days).

How 24:00 is represented: as 00:00 local of the *following* day (2026-10-09 24:00 is returned as
``2026-10-10 00:00+08:00``). That is one instant with one unambiguous wall-clock form, it sorts and compares
correctly when stored in a ``DateTimeField``, and the test "overdue" is simply ``now >= due``. A page that
shows the limit to a person should print the previous day with "24:00" or "当天结束前" (``due_day(due)`` gives
that day), never "00:00 of the next day", which a reader takes for the start of that day.

For ``n == 0`` the day-based limits end at 24:00 of the event's own day. A negative ``n`` is a programming
error (``ValueError``), as is a naive ``start``. Any date from year 1 to 9999 is accepted; a limit that
would fall beyond 9999-12-31 saturates at the last representable local instant instead of raising.

``working_days_between(a, b, cal)`` counts, for reports, the working days after ``a``'s day up to and
including ``b``'s day (negative when ``b`` is earlier), so ``working_days_between(start, last_day) == n`` for
the last day of ``end_of_workdays(start, n)``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from guanjia.workdays.calendar import Calendar, count_workdays, nth_workday_after

__all__ = [
    "after_hours",
    "after_minutes",
    "due_day",
    "end_of_days",
    "end_of_workdays",
    "local_day",
    "working_days_between",
]


def _tz() -> tzinfo:
    return timezone.get_default_timezone()


def _latest() -> datetime:
    return datetime.max.replace(tzinfo=_tz())


def _earliest() -> datetime:
    return datetime.min.replace(tzinfo=_tz())


def _require_aware(value: datetime, name: str = "start") -> None:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _require_count(n: int) -> None:
    if n < 0:
        raise ValueError("n must not be negative")


def _local(value: datetime) -> datetime:
    """``value`` in local time; clamped to the representable range at its very ends."""
    _require_aware(value)
    try:
        return value.astimezone(_tz())
    except OverflowError:
        return _latest() if value.year > 5000 else _earliest()


def local_day(value: datetime | date) -> date:
    """The local calendar day of an aware datetime (a plain date is returned as it is)."""
    if isinstance(value, datetime):
        return _local(value).date()
    return value


def _end_of(day: date) -> datetime:
    """24:00 of ``day``, as 00:00 local of the next day (the last instant of the range at 9999-12-31)."""
    if day >= date.max:
        return _latest()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=_tz())


def due_day(due: datetime) -> date:
    """The last day a limit from ``end_of_days``/``end_of_workdays`` covers, for showing "YYYY-MM-DD 24:00"."""
    local = _local(due)
    if local.time() == time.min and local.date() > date.min:
        return local.date() - timedelta(days=1)
    return local.date()


def _after(start: datetime, delta: timedelta) -> datetime:
    # Elapsed time, so the sum is taken in UTC: Python adds wall-clock time within one zone, which would be
    # an hour off across a daylight-saving change of the zone ``start`` happens to carry.
    _require_aware(start)
    try:
        utc = start.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or year 9999 only
        return _latest() if start.year > 5000 else _local(start + delta)
    try:
        return _local(utc + delta)
    except OverflowError:
        return _latest()


def after_minutes(start: datetime, n: int) -> datetime:
    """``n`` minutes on the clock after ``start``."""
    _require_count(n)
    return _after(start, timedelta(minutes=n))


def after_hours(start: datetime, n: int) -> datetime:
    """``n`` hours on the clock after ``start``."""
    _require_count(n)
    return _after(start, timedelta(hours=n))


def end_of_days(start: datetime, n: int) -> datetime:
    """24:00 of the ``n``-th day after the event's local day (returned as 00:00 of the day after that)."""
    _require_count(n)
    day = local_day(start)
    try:
        last = day + timedelta(days=n)
    except OverflowError:
        return _latest()
    return _end_of(last)


def end_of_workdays(start: datetime, n: int, cal: Calendar) -> datetime:
    """24:00 of the ``n``-th working day after the event's local day (returned as 00:00 of the next day)."""
    _require_count(n)
    day = local_day(start)
    last = day if n == 0 else nth_workday_after(cal, day, n)
    return _end_of(last)


def working_days_between(a: datetime | date, b: datetime | date, cal: Calendar) -> int:
    """Working days after ``a``'s local day up to and including ``b``'s; negative when ``b`` is before ``a``."""
    first, last = local_day(a), local_day(b)
    if last >= first:
        return count_workdays(cal, first + timedelta(days=1), last) if first < date.max else 0
    return -count_workdays(cal, last + timedelta(days=1), first)
