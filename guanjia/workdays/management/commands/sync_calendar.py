"""``manage.py sync_calendar``: copy the published holiday calendar of the chinesecalendar package (V04).

Safe to run again and again (after upgrading the package, say): rows an administrator edited are kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from guanjia.workdays.services import calendar_sync_package


class Command(BaseCommand):
    help = "Copy the published Chinese holiday calendar into the database; administrator edits are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        result = calendar_sync_package(actor=None)
        self.stdout.write(
            f"calendar: {result.created} created, {result.updated} updated, {result.deleted} removed, "
            f"{result.kept_admin} administrator days kept, new years: "
            f"{', '.join(map(str, result.years_published)) or '-'}"
        )
