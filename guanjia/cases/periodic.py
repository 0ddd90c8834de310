"""Periodic work: the deadline sweep plus whatever other apps register (e.g. unsigned-handover flags).

One entry point, ``run_periodic(now)``, is called by the in-process sweeper thread on the embedded default and
by the Celery beat task with Redis, so both ways run the same jobs. Jobs must be idempotent and safe to run
from several processes at once (as the sweep is); a failing job is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from guanjia.cases.services import sweep

logger = logging.getLogger(__name__)

PeriodicJob = Callable[[datetime], Any]
_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, job: PeriodicJob) -> None:
    """Run ``job(now)`` after every sweep. Call from an AppConfig.ready()."""
    _jobs[name] = job


def run_periodic(now: datetime) -> dict[str, Any]:
    result: dict[str, Any] = dict(sweep(now).as_dict())
    for name, job in list(_jobs.items()):
        try:
            result[name] = job(now)
        except Exception:
            logger.exception("periodic job %s failed", name)
            result[name] = "failed"
    return result
