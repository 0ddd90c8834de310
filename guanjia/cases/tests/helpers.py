"""Helpers of the case-core tests. ``Ticket`` (guanjia.cases.testapp) is a minimal concrete case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from guanjia.cases import services
from guanjia.cases.testapp.models import Ticket

BEIJING = ZoneInfo("Asia/Shanghai")
#: A fixed "now" for the deadline tests: Sunday 2026-11-22 10:00 Beijing time.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BEIJING)


def make_ticket(world, *, received_at=None, by=None, **kw) -> Ticket:
    at = received_at or timezone.now()
    return Ticket.objects.create(
        project=kw.pop("project", world.estate),
        number=kw.pop("number", None) or services.case_number_next(prefix=Ticket.NUMBER_PREFIX, at=at),
        customer=kw.pop("customer", world.customer),
        unit=kw.pop("unit", world.unit),
        received_at=at,
        registered_by=by or world.front_desk,
        **kw,
    )


def skip_unless_concurrent_writers() -> None:
    """Threads writing at once need a database that queues writers. The test suite's in-memory SQLite
    (shared cache) answers "database table is locked" at once instead of waiting, so the concurrency
    tests run on PostgreSQL (the file SQLite of ``make run`` does queue writers: IMMEDIATE + timeout)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("in-memory SQLite cannot queue concurrent writers; this test runs on PostgreSQL")
