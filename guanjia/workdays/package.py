"""The published calendar shipped in the ``chinesecalendar`` package, and the sync that copies it to the tables.

``apply_package`` takes the model classes as arguments so the data migration can run it with the historical
models; ``guanjia.workdays.services.calendar_sync_package`` runs it with the real ones and records the changes.
Rows an administrator edited (``source="admin"``) are never touched, nor the status of a year an administrator
confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.utils import timezone

from guanjia.workdays.calendar import Calendar

#: The package names holidays in English; the desk speaks Chinese (full names, not the package's short ones).
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
MAKEUP_SUFFIX = "调休"


@dataclass(frozen=True)
class PackageDay:
    is_workday: bool
    name: str


@cache
def package_days() -> dict[date, PackageDay]:
    """Every exception the package publishes: holidays and make-up working days, with Chinese names."""
    from chinese_calendar import constants

    days: dict[date, PackageDay] = {}
    for d, english in constants.holidays.items():
        days[d] = PackageDay(False, CHINESE_NAMES.get(english, english))
    for d, english in constants.workdays.items():
        days[d] = PackageDay(True, CHINESE_NAMES.get(english, english) + MAKEUP_SUFFIX)
    return days


@cache
def package_years() -> frozenset[int]:
    """The years the package publishes (2004–2026 for chinesecalendar 1.11)."""
    return frozenset(d.year for d in package_days())


def package_calendar() -> Calendar:
    """The package's calendar without the database: for tests and as a reference."""
    return Calendar.build({d: p.is_workday for d, p in package_days().items()}, package_years())


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_admin: int = 0
    years_published: list[int] = field(default_factory=list)
    #: year → number of day rows created, updated or deleted in it
    changed_years: dict[int, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.years_published)


def apply_package(day_model: Any, year_model: Any) -> SyncResult:
    """Make the tables agree with the package, leaving administrator rows alone. Idempotent.

    The caller runs it inside a transaction.
    """
    now = timezone.now()
    wanted = package_days()
    years = package_years()
    result = SyncResult()
    existing = {row.date: row for row in day_model.objects.all()}

    def touch(year: int) -> None:
        result.changed_years[year] = result.changed_years.get(year, 0) + 1

    to_create, to_update = [], []
    for d, published in sorted(wanted.items()):
        row = existing.get(d)
        if row is None:
            to_create.append(day_model(date=d, is_workday=published.is_workday, name=published.name, source="package"))
            touch(d.year)
        elif row.source == "admin":
            result.kept_admin += 1
        elif (row.is_workday, row.name) != (published.is_workday, published.name):
            row.is_workday, row.name, row.updated_at = published.is_workday, published.name, now
            to_update.append(row)
            touch(d.year)
    # A date the package no longer lists (a corrected release) goes back to the weekend rule.
    stale = [row.pk for d, row in existing.items() if row.source == "package" and d.year in years and d not in wanted]
    for d, row in existing.items():
        if row.pk in stale:
            touch(d.year)
    day_model.objects.bulk_create(to_create, batch_size=500)
    day_model.objects.bulk_update(to_update, ["is_workday", "name", "updated_at"], batch_size=500)
    if stale:
        day_model.objects.filter(pk__in=stale).delete()
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(stale)

    known = set(year_model.objects.values_list("year", flat=True))
    new_years = sorted(years - known)
    year_model.objects.bulk_create([year_model(year=y, status="published") for y in new_years])
    result.years_published = new_years
    return result
