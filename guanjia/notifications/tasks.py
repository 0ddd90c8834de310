"""Celery task of the outbox (with REDIS_URL): deliver what is due. The beat's sweep runs it too."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from guanjia.notifications.outbox import deliver_due


@shared_task(name="guanjia.notifications.deliver", ignore_result=True)
def deliver_task() -> dict[str, int]:
    return deliver_due(timezone.now())
