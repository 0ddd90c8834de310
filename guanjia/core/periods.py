"""Calendar periods: the one definition of a month, its bounds and month arithmetic.

Reports, exports, visits and follow-up plans all count "the month" the same way: a month is represented by its
first day (a ``date``), its bounds are local midnights (the server's zone, Asia/Shanghai), and adding months to
a day keeps the day, clamped to the last day of a shorter month (Jan 31 + 1 month = Feb 28, or 29).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

#: The years a month parameter may name: a typo such as 0226 or 20260 is refused rather than read.
FIRST_YEAR, LAST_YEAR = 2000, 2100

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


class MonthError(ValueError):
    """A month parameter that is not ``YYYY-MM``; ``value`` is the text received."""

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(_("月份“%(value)s”格式不对，应为 YYYY-MM，例如 2026-05。") % {"value": value})


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """Calendar days ``start``..``end`` (both included) in the server's zone."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """00:00 local of the first day."""
        return _local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return _local_midnight(self.end + timedelta(days=1))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The calendar month ``day`` falls in."""
        return cls.month(day.year, day.month)

    def previous_month(self) -> Period:
        return Period.month_of(add_months(self.start.replace(day=1), -1))


def parse_month(text: str) -> date:
    """``YYYY-MM`` (surrounding spaces allowed) → the first day of that month. Raises MonthError (a ValueError
    naming the text) for anything else, a month outside 01–12 or a year outside 2000–2100."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise MonthError(text)
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise MonthError(text)
    return date(year, month, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month ``month`` falls in as ``[start, end)``: 00:00 local of its first day and of the next month's."""
    period = Period.month_of(month)
    return period.start_at, period.end_at


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative); the month's last day when it has
    no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
