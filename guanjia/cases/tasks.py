"""Celery tasks of the case core (used when REDIS_URL is set; beat runs the sweep every 15 s)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from guanjia.cases.periodic import run_periodic


@shared_task(name="guanjia.cases.sweep", ignore_result=False)
def sweep_task() -> dict[str, object]:
    return run_periodic(timezone.now())
