from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from guanjia.dutylog.services import handover_flag_unsigned


class Command(BaseCommand):
    help = "Flag shifts whose handover is unsigned 30 minutes after they ended and tell the CS supervisors (F09)."

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = handover_flag_unsigned()
        self.stdout.write(f"flagged {flagged} shift(s)")
