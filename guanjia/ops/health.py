"""Readiness of the whole installation, for a load balancer or an orchestrator (``/readyz``).

Each check answers "ok" or a short message an operator can act on. Every check costs the same whatever the
size of the data: one ``SELECT 1``, the list of applied migrations, one heartbeat row by primary key, one
Redis ``PING``. Messages are plain English on purpose: they are read by monitoring tools and operators'
logs, not by desk staff, and must not change with a browser's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from guanjia.ops.services import SWEEP, WORKER, heartbeat_at

logger = logging.getLogger(__name__)

OK = "ok"
#: The least time a heartbeat may be old before the check fails, however short the sweep interval.
MIN_STALE_SECONDS = 60
#: How many sweep intervals may pass without a heartbeat (one late or dropped round is normal).
STALE_INTERVALS = 4
REDIS_TIMEOUT_SECONDS = 1.0


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [name for name, outcome in self.checks.items() if outcome != OK]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "fail", "failed": self.failed, "checks": self.checks}


def stale_after_seconds() -> int:
    interval = int(getattr(settings, "SWEEP_INTERVAL_SECONDS", 15))
    return max(MIN_STALE_SECONDS, STALE_INTERVALS * interval)


def readiness(*, now: datetime, connection: BaseDatabaseWrapper) -> Readiness:
    """Run every check; a check that cannot run (the database is down) fails with the reason."""
    result = Readiness()
    result.checks["database"] = check_database(connection)
    database_up = result.checks["database"] == OK
    unreachable = "not checked: database unreachable"
    result.checks["migrations"] = check_migrations(connection) if database_up else unreachable
    result.checks["sweep"] = (
        check_heartbeat(SWEEP, now=now, what="sweep", hint="start `manage.py sweeper` or the Celery worker")
        if database_up
        else unreachable
    )
    if getattr(settings, "REDIS_URL", ""):
        result.checks["redis"] = check_redis(settings.REDIS_URL)
        result.checks["worker"] = (
            check_heartbeat(WORKER, now=now, what="worker heartbeat", hint="start the Celery worker (`make worker`)")
            if database_up
            else unreachable
        )
    return result


def check_database(connection: BaseDatabaseWrapper) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The driver's message may name hosts and users: it goes to the log, the answer names the kind only.
        logger.warning("readiness: database unreachable: %s", error)
        return f"unreachable ({type(error).__name__})"
    return OK


def check_migrations(connection: BaseDatabaseWrapper) -> str:
    """ "N unapplied" when the code has migrations the database has not run (a deploy half done)."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        logger.warning("readiness: migrations not readable: %s", error)
        return f"not readable ({type(error).__name__})"
    if not plan:
        return OK
    first = plan[0][0]
    return f"{len(plan)} unapplied (first {first.app_label}.{first.name}; run `manage.py migrate`)"


def check_heartbeat(name: str, *, now: datetime, what: str, hint: str) -> str:
    try:
        last = heartbeat_at(name)
    except DatabaseError as error:
        logger.warning("readiness: heartbeat %s not readable: %s", name, error)
        return f"not readable ({type(error).__name__})"
    limit = stale_after_seconds()
    if last is None:
        return f"no {what} recorded yet ({hint})"
    age = int((now - last).total_seconds())
    if age > limit:
        return f"no {what} for {age} s (limit {limit} s; {hint})"
    return OK


def check_redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        logger.warning("readiness: redis unreachable: %s", error)
        return f"unreachable ({type(error).__name__})"
    finally:
        client.close()
    return OK
