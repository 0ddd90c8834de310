"""Reads for the calendar page: a year as twelve month grids, its exceptions and the recent changes."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from guanjia.timeline.models import Event
from guanjia.workdays.calendar import warning_message
from guanjia.workdays.models import CalendarDay, CalendarYear, Source, YearStatus
from guanjia.workdays.statutory import statutory_days


@dataclass(frozen=True)
class DayCell:
    day: date
    #: "workday" (Mon–Fri), "rest" (weekend), "holiday" (a statutory day off), "makeup" (a worked weekend day)
    kind: str
    name: str = ""
    by_admin: bool = False
    is_today: bool = False
    #: a statutory day computed from the law (no row in the table)
    computed: bool = False


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[DayCell | None]]  # Monday first; None pads the first and last week


@dataclass(frozen=True)
class YearView:
    year: int
    status: CalendarYear | None
    warning: str
    months: list[Month]
    days: list[CalendarDay]
    #: statutory days computed from the law that no row overrides (date, name): a year not published
    computed: list[tuple[date, str]]


def _kind(d: date, row: CalendarDay | None) -> str:
    weekend = d.weekday() >= 5
    if row is None:
        return "rest" if weekend else "workday"
    if row.is_workday:
        return "makeup" if weekend else "workday"
    return "holiday"


def year_view(year: int) -> YearView:
    """The calendar of ``year`` as the administrator sees it (two queries)."""
    status = CalendarYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    by_date = {row.date: row for row in days}
    published = status is not None and status.status == YearStatus.PUBLISHED
    computed = {} if published else {d: n for d, n in statutory_days(year).items() if d not in by_date}
    today = timezone.localdate()
    months = []
    for number in range(1, 13):
        weeks: list[list[DayCell | None]] = []
        # monthdayscalendar pads with 0 instead of building dates, so it works for year 1 and year 9999 too.
        for week in stdlib_calendar.Calendar(firstweekday=0).monthdayscalendar(year, number):
            cells: list[DayCell | None] = []
            for n in week:
                if n == 0:
                    cells.append(None)
                    continue
                d = date(year, number, n)
                row = by_date.get(d)
                if row is None and d in computed:
                    cells.append(DayCell(day=d, kind="holiday", name=computed[d], computed=True, is_today=d == today))
                    continue
                cells.append(
                    DayCell(
                        day=d,
                        kind=_kind(d, row),
                        name=row.name if row else "",
                        by_admin=bool(row and row.source == Source.ADMIN),
                        is_today=d == today,
                    )
                )
            weeks.append(cells)
        months.append(Month(number, weeks))
    return YearView(
        year=year,
        status=status,
        warning="" if status is not None else warning_message(year),
        months=months,
        days=days,
        computed=sorted(computed.items()),
    )


def recent_calendar_events(limit: int = 10) -> list[Event]:
    """The latest changes to the calendar, newest first, actors loaded in the same query."""
    return list(
        Event.objects.filter(verb__startswith="calendar.", project__isnull=True)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
