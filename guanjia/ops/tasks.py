"""Celery task of the readiness check: the worker's heartbeat (scheduled by beat in config/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from guanjia.ops.services import WORKER, heartbeat_record


@shared_task(name="guanjia.ops.worker_heartbeat", ignore_result=True)
def worker_heartbeat_task() -> None:
    heartbeat_record(WORKER, now=timezone.now())
