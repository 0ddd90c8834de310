"""Which days are working days (V04), as an immutable value and a few pure functions.

Usage::

    from guanjia.workdays.calendar import load_calendar, is_workday, next_workday

    cal = load_calendar()                 # from the database, cached in-process (two queries on a miss)
    is_workday(cal, date(2026, 10, 10))   # True: a make-up working Saturday (调休上班)
    next_workday(cal, date(2026, 9, 30))  # date(2026, 10, 8)

Rules:

- A day is a working day when the calendar lists it as one; otherwise Monday to Friday work and weekends rest.
  Exceptions entered for a year that nobody has confirmed yet already count (an administrator typing in next
  year's holidays wants them used), but the year stays "unknown" and keeps its warning until confirmed.
- Years with no published arrangement (no ``CalendarYear`` row, or one an administrator confirmed) get the
  statutory days of the 2024 law computed from the lunar calendar (``guanjia.workdays.statutory``) as days off;
  rows in the table (administrator entries, published days) win over computed ones. Years not published or
  confirmed (``unknown_years``) keep a warning until an administrator enters the make-up days (调休) and
  confirms; ``calendar_warnings`` turns them into messages the pages show.
- Nothing here raises for a date between year 1 and 9999. At the very end of the range the answer saturates:
  ``next_workday(cal, date.max)`` is ``date.max``.

Caching: ``load_calendar`` keeps the last calendar in the process together with the version token stored in
Django's cache under ``VERSION_KEY``. Every write (``guanjia.workdays.services``) calls ``invalidate_calendar``,
which stores a new token, so every process (sharing the cache through Redis) rebuilds on its next call. When
the cache cannot be reached the calendar is rebuilt from the database on each call rather than risk a stale one.
"""

from __future__ import annotations

import bisect
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from types import MappingProxyType

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

VERSION_KEY = "workdays:calendar-version"

_MAX_ORDINAL = date.max.toordinal()


@dataclass(frozen=True, eq=False)
class Calendar:
    """The exceptions to the weekend rule (date → is it a working day) and the years whose calendar is known.

    Build one with ``Calendar.build(...)``, ``load_calendar()`` or ``guanjia.workdays.package.package_calendar()``.
    """

    exceptions: Mapping[date, bool]
    known_years: frozenset[int]
    # Sorted ordinals of the exceptions that change the weekend rule and the running sum of their effect on
    # a working-day count (+1 for a worked weekend day, -1 for a weekday off): counting stays O(log n).
    _ordinals: tuple[int, ...] = field(default=(), repr=False)
    _prefix: tuple[int, ...] = field(default=(0,), repr=False)

    @classmethod
    def build(cls, exceptions: Mapping[date, bool] | None = None, known_years: Iterable[int] = ()) -> Calendar:
        items = dict(exceptions or {})
        effective = sorted(
            (d.toordinal(), 1 if worked else -1)
            for d, worked in items.items()
            if worked != (d.weekday() < 5)  # a holiday on a Saturday changes nothing in a count
        )
        return cls(
            exceptions=MappingProxyType(items),
            known_years=frozenset(known_years),
            _ordinals=tuple(o for o, _delta in effective),
            _prefix=(0, *accumulate(delta for _o, delta in effective)),
        )


#: No exceptions, no known year: the weekends-only fallback.
WEEKENDS_ONLY = Calendar.build()


def is_workday(cal: Calendar, d: date) -> bool:
    """Whether ``d`` is a working day: the calendar's word if it has one, else Monday to Friday."""
    worked = cal.exceptions.get(d)
    if worked is not None:
        return worked
    return d.weekday() < 5


def _weekdays_upto(ordinal: int) -> int:
    """Mondays to Fridays among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    if ordinal <= 0:
        return 0
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _workdays_upto(cal: Calendar, ordinal: int) -> int:
    """Working days among ordinals 1..ordinal."""
    return _weekdays_upto(ordinal) + cal._prefix[bisect.bisect_right(cal._ordinals, ordinal)]


def count_workdays(cal: Calendar, first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included; 0 when ``last`` is before ``first``."""
    if last < first:
        return 0
    return _workdays_upto(cal, last.toordinal()) - _workdays_upto(cal, first.toordinal() - 1)


def nth_workday_after(cal: Calendar, d: date, n: int) -> date:
    """The ``n``-th working day strictly after ``d`` (n ≥ 1); ``date.max`` if the calendar ends first."""
    if n < 1:
        raise ValueError("n must be at least 1")
    base = _workdays_upto(cal, d.toordinal())
    if _workdays_upto(cal, _MAX_ORDINAL) - base < n:
        return date.max
    lo, hi = d.toordinal() + 1, _MAX_ORDINAL
    while lo < hi:  # the first ordinal whose running count reaches base + n: necessarily a working day
        mid = (lo + hi) // 2
        if _workdays_upto(cal, mid) - base >= n:
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def next_workday(cal: Calendar, d: date) -> date:
    """The first working day strictly after ``d`` (``date.max`` at the end of the range)."""
    return nth_workday_after(cal, d, 1)


def unknown_years(cal: Calendar, years: Iterable[int]) -> list[int]:
    """The given years that have no published or administrator-confirmed calendar, sorted, without repeats."""
    return sorted({y for y in years if y not in cal.known_years})


@dataclass(frozen=True)
class CalendarWarning:
    year: int
    message: str

    def __str__(self) -> str:
        return self.message


def warning_message(year: int) -> str:
    from guanjia.workdays.statutory import FIRST_YEAR, LAST_YEAR

    if FIRST_YEAR <= year <= LAST_YEAR:
        return _(
            "%(year)s年的调休安排尚未录入：当前按自动计算的法定节假日和周末休息计算，"
            "调休上班日尚未录入，请管理员按国务院通知录入并确认"
        ) % {"year": year}
    return _("%(year)s年的法定节假日安排尚未发布，当前按周末休息计算，请管理员录入") % {"year": year}


#: From this day of the year (month, day) administrators are warned about next year's missing arrangement.
NEXT_YEAR_WARNING_FROM = (11, 1)


def warning_years(today: date) -> tuple[int, ...]:
    """The years whose arrangement must be there on ``today``: this year, and next year from 1 November."""
    year = today.year
    if (today.month, today.day) >= NEXT_YEAR_WARNING_FROM and year < date.max.year:
        return (year, year + 1)
    return (year,)


def calendar_warnings(
    years: Iterable[int] | None = None, *, cal: Calendar | None = None, today: date | None = None
) -> list[CalendarWarning]:
    """A warning per year without a known calendar; by default ``warning_years(today)`` (local date).

    Pages that show deadlines include these, so nobody trusts a due date without the make-up days knowing it.
    """
    if years is None:
        years = warning_years(today or timezone.localdate())
    return [CalendarWarning(y, warning_message(y)) for y in unknown_years(cal or load_calendar(), years)]


# --- Loading from the database, cached per process ---------------------------------------------------------

_loaded: tuple[str, Calendar] | None = None


def _current_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # the cache is down: never serve a possibly stale calendar, never fail a page
        logger.warning("calendar version unavailable; rebuilding the calendar from the database", exc_info=True)
        return None
    return str(version) if version is not None else None


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("could not store a new calendar version", exc_info=True)


def forget_cached_calendar() -> None:
    """Drop this process's calendar and make others rebuild theirs; touches no database (for tests)."""
    global _loaded
    _loaded = None
    _bump_version()


def invalidate_calendar() -> None:
    """Make every process rebuild its calendar: now, and again when the current transaction commits.

    The second bump matters: a process that reloads between the first bump and the commit still read the old
    rows, and must not keep them.
    """
    global _loaded
    _loaded = None
    _bump_version()
    transaction.on_commit(_bump_version)


def with_statutory(
    rows: Mapping[date, bool], known_years: Iterable[int], published_years: Iterable[int] = ()
) -> Calendar:
    """A calendar of ``rows`` over the computed statutory days of every year not in ``published_years``.

    ``rows`` (the table: administrator entries and published days) win over computed days.
    """
    from guanjia.workdays.statutory import computed_exceptions

    exceptions = computed_exceptions(frozenset(published_years))
    exceptions.update(rows)
    return Calendar.build(exceptions, known_years)


def calendar_from_db() -> Calendar:
    """Build a calendar from the tables (two queries) and the computed statutory days, bypassing the cache."""
    from guanjia.workdays.models import CalendarDay, CalendarYear, YearStatus

    rows = dict(CalendarDay.objects.values_list("date", "is_workday"))
    years = dict(CalendarYear.objects.values_list("year", "status"))
    published = [y for y, status in years.items() if status == YearStatus.PUBLISHED]
    return with_statutory(rows, years, published)


def load_calendar() -> Calendar:
    """The current calendar: cached in this process until any process changes it."""
    global _loaded
    version = _current_version()
    hit = _loaded
    if version is not None and hit is not None and hit[0] == version:
        return hit[1]
    cal = calendar_from_db()
    if version is not None:
        _loaded = (version, cal)
    return cal


def shift(d: date, days: int) -> date:
    """``d`` moved by ``days``, clamped to the representable range instead of raising."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
