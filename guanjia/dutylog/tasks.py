"""Celery task of the duty log (used when REDIS_URL is set; the lead adds it to the beat schedule)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from guanjia.dutylog.services import handover_flag_unsigned


@shared_task(name="guanjia.dutylog.flag_unsigned_handovers", ignore_result=True)
def flag_unsigned_handovers_task() -> int:
    return handover_flag_unsigned(now=timezone.now())
