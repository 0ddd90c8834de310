"""Writes to the working-day calendar (V04). Each change records a timeline event and invalidates the
calendars cached in every process, in the same transaction.

The calendar belongs to the company, not to a project: its events have no project. Permission checks
(``can_manage_master_data``) are the caller's job, as for every service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.timeline.services import record
from guanjia.workdays.calendar import invalidate_calendar
from guanjia.workdays.models import CalendarDay, CalendarYear, Source, YearStatus
from guanjia.workdays.package import SyncResult, apply_package, package_days

NAME_MAX = CalendarDay._meta.get_field("name").max_length or 50


def _day_data(day: CalendarDay | None) -> dict[str, Any] | None:
    if day is None:
        return None
    return {"is_workday": day.is_workday, "name": day.name, "source": day.source}


def check_year(year: Any) -> int:
    """The year as an int between 1 and 9999, or a ValidationError naming the field."""
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("年份必须是数字")]}) from None
    if not 1 <= value <= 9999:
        raise ValidationError({"year": [_("年份必须在1到9999之间")]})
    return value


def calendar_day_set(*, day: date, is_workday: bool, name: str = "", actor: Any) -> CalendarDay:
    """Mark ``day`` as a day off (holiday) or a working day (e.g. a make-up working weekend), by an administrator.

    The row becomes ``source="admin"``: ``sync_calendar`` never overwrites it.
    """
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [_("名称不能超过%(max)s个字") % {"max": NAME_MAX}]})
    if not name:
        name = _("调休上班") if is_workday else _("休息日")
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        before = _day_data(row)
        if row is None:
            row = CalendarDay(date=day)
        row.is_workday, row.name, row.source = bool(is_workday), name, Source.ADMIN
        row.save()
        record(
            subject=row,
            verb="calendar.day_set",
            actor=actor,
            data={"date": day.isoformat(), "after": _day_data(row), "before": before},
        )
        invalidate_calendar()
    return row


def calendar_day_reset(*, day: date, actor: Any) -> CalendarDay | None:
    """Undo an administrator's setting of ``day``: back to the published calendar, or else the weekend rule.

    Returns the published row restored, or None when the day now simply follows the weekend rule.
    """
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None or row.source != Source.ADMIN:
            raise ValidationError({"date": [_("%(date)s没有管理员设置，无需恢复") % {"date": day.isoformat()}]})
        before = _day_data(row)
        published = package_days().get(day)
        restored: CalendarDay | None
        if published is not None:
            row.is_workday, row.name, row.source = published.is_workday, published.name, Source.PACKAGE
            row.save()
            restored = row
        else:
            restored = None
        record(
            subject=row,
            verb="calendar.day_reset",
            actor=actor,
            data={"date": day.isoformat(), "after": _day_data(restored), "before": before},
        )
        if restored is None:
            row.delete()  # after recording: the event keeps the id of the row it was about
        invalidate_calendar()
    return restored


def calendar_year_confirm(*, year: int, actor: Any) -> CalendarYear:
    """An administrator vouches for ``year``'s calendar as entered: the year stops being unknown."""
    year = check_year(year)
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().filter(year=year).first()
        if row is not None and row.status == YearStatus.ADMIN:
            raise ValidationError({"year": [_("%(year)s年已由管理员确认") % {"year": year}]})
        before = row.status if row is not None else None
        if row is None:
            row = CalendarYear(year=year)
        row.status = YearStatus.ADMIN
        row.save()
        record(
            subject=row,
            verb="calendar.year_confirmed",
            actor=actor,
            data={"year": year, "before": before, "after": row.status},
        )
        invalidate_calendar()
    return row


def calendar_sync_package(*, actor: Any = None) -> SyncResult:
    """Copy the package's published calendar into the tables (idempotent; administrator rows win).

    One timeline event per year whose rows or status changed; nothing at all when nothing changed.
    """
    with transaction.atomic():
        result = apply_package(CalendarDay, CalendarYear)
        if result.changed:
            years = set(result.changed_years) | set(result.years_published)
            for row in CalendarYear.objects.filter(year__in=years):
                record(
                    subject=row,
                    verb="calendar.synced",
                    actor=actor,
                    data={
                        "year": row.year,
                        "days_changed": result.changed_years.get(row.year, 0),
                        "published": row.year in result.years_published,
                    },
                )
            invalidate_calendar()
    return result


def calendar_notice_import(*, year: int, text: str, actor: Any) -> list[CalendarDay]:
    """Enter a year's arrangement from the State Council's notice (pasted text) and confirm the year.

    Every day off and make-up working day of the notice becomes an administrator row (so a later package sync
    keeps it); the year is confirmed. One timeline event on the year lists what changed. Days the notice does
    not mention keep their setting (computed statutory days stay days off, as the law says).
    """
    from guanjia.workdays.notice import parse_notice

    year = check_year(year)
    parsed = parse_notice(text, year)
    with transaction.atomic():
        existing = {
            row.date: row for row in CalendarDay.objects.select_for_update().filter(date__in=[p.day for p in parsed])
        }
        rows, changes = [], []
        for p in parsed:
            row = existing.get(p.day)
            before = _day_data(row)
            if row is None:
                row = CalendarDay(date=p.day)
            row.is_workday, row.name, row.source = p.is_workday, p.name[:NAME_MAX], Source.ADMIN
            row.save()
            rows.append(row)
            after = _day_data(row)
            if after != before:
                changes.append({"date": p.day.isoformat(), "before": before, "after": after})
        year_row = CalendarYear.objects.select_for_update().filter(year=year).first()
        status_before = year_row.status if year_row is not None else None
        if year_row is None:
            year_row = CalendarYear(year=year)
        year_row.status = YearStatus.ADMIN
        year_row.save()
        record(
            subject=year_row,
            verb="calendar.notice_imported",
            actor=actor,
            data={
                "year": year,
                "days": len(parsed),
                "holidays": sum(not p.is_workday for p in parsed),
                "workdays": sum(p.is_workday for p in parsed),
                "changes": changes,
                "before": status_before,
                "after": year_row.status,
            },
        )
        invalidate_calendar()
    return rows
