"""Background sweeping: in-process on the embedded default, a Celery worker with Redis."""

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guanjia.cases.background import SweeperThread, start_background_sweeper
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_set
from guanjia.cases.tests.helpers import make_ticket, skip_unless_concurrent_writers

#: Mid-month: in the first days of a month the sweep also queues the kept monthly exports (V10), which would
#: run in threads beside the sweep under test.
MID_MONTH = datetime(2026, 11, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_no_in_process_sweeper_when_redis_runs_the_worker(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    assert start_background_sweeper() is None


@pytest.mark.django_db(transaction=True)
def test_in_process_sweeper_round_marks_due_limits(world, time_machine):
    time_machine.move_to(MID_MONTH, tick=True)
    ticket = make_ticket(world)
    now = timezone.now()
    deadline_set(subject=ticket, kind="response", due_at=now + timedelta(milliseconds=1), now=now)

    SweeperThread(interval=15).run_once()

    assert Deadline.objects.get().state == DeadlineState.MISSED


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: the background worker is not in use")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        pytest.skip(f"Redis does not answer at {url}: {exc}")
    return url


def forget_broker_connections(app) -> None:
    """Celery keeps the connection pool, producer pool and result backend it first made; drop them all."""
    app._pool = None
    app.amqp._producer_pool = None
    vars(app._local).pop("backend", None)  # the result backend, made once per thread


@pytest.mark.django_db(transaction=True)
def test_sweep_task_runs_on_a_celery_worker(world, time_machine):
    url = _redis_url()
    time_machine.move_to(MID_MONTH, tick=True)
    skip_unless_concurrent_writers()  # the worker thread has its own database connection
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from guanjia.cases.tasks import sweep_task

    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    forget_broker_connections(app)  # a connection made earlier may point at another broker
    ticket = make_ticket(world)
    now = timezone.now()
    deadline_set(subject=ticket, kind="response", due_at=now + timedelta(milliseconds=1), now=now)

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            outcome = sweep_task.delay().get(timeout=20)
    finally:
        app.conf.update(saved)
        forget_broker_connections(app)

    # The worker runs the sweep and every registered periodic job (guanjia.cases.periodic).
    assert {k: outcome[k] for k in ("missed", "reminded", "failed")} == {"missed": 1, "reminded": 0, "failed": 0}
    assert "failed" not in [v for k, v in outcome.items() if k not in ("missed", "reminded", "failed")]
    assert Deadline.objects.get().state == DeadlineState.MISSED


def test_periodic_jobs_run_after_the_sweep_and_a_failing_one_does_not_stop_the_others(db):
    from guanjia.cases import periodic

    ran: list[str] = []

    def broken(now):
        raise RuntimeError("boom")

    saved = dict(periodic._jobs)
    try:
        periodic.register_periodic("broken", broken)
        periodic.register_periodic("counting", lambda now: ran.append("counting") or 1)
        result = periodic.run_periodic(timezone.now())
    finally:
        periodic._jobs.clear()
        periodic._jobs.update(saved)
    assert result["broken"] == "failed"
    assert result["counting"] == 1
    assert ran == ["counting"]
