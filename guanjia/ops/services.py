"""Heartbeats of the background processes (read by ``guanjia.ops.health``)."""

from __future__ import annotations

from datetime import datetime

from guanjia.ops.models import Heartbeat

#: The periodic round (deadline sweep and registered jobs) finished.
SWEEP = "sweep"
#: The Celery worker ran a task from the queue (with REDIS_URL only).
WORKER = "worker"


def heartbeat_record(name: str, *, now: datetime) -> None:
    """Remember that ``name`` ran at ``now``: one row per name, overwritten."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


def heartbeat_at(name: str) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
