"""`manage.py sweeper`: the periodic work as its own process when there is no Redis (and no `manage.py serve`)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_set
from guanjia.cases.tests.helpers import make_ticket
from guanjia.ops.services import SWEEP, heartbeat_at

NOW = datetime(2027, 3, 14, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_sweeper_once_sweeps_due_limits_and_records_the_sweep(world, client, settings):
    settings.REDIS_URL = ""
    ticket = make_ticket(world)
    with time_machine.travel(NOW, tick=False):
        deadline_set(subject=ticket, kind="response", due_at=NOW - timedelta(minutes=1), now=NOW - timedelta(hours=1))
        assert client.get("/readyz").json()["checks"]["sweep"].startswith("no sweep recorded yet")
        out = StringIO()
        call_command("sweeper", "--once", stdout=out)
        assert heartbeat_at(SWEEP) == NOW
        assert client.get("/readyz").json()["checks"]["sweep"] == "ok"
    assert Deadline.objects.get().state == DeadlineState.MISSED
    assert "'missed': 1" in out.getvalue()


def test_sweeper_stops_cleanly_on_sigterm_after_its_round(world, settings, caplog):
    from guanjia.cases import periodic

    settings.REDIS_URL = ""
    swept = threading.Event()

    def terminate_after_a_round() -> None:
        # Only once the command's handler is in and a round has run: SIGTERM's default would end the test run.
        if swept.wait(timeout=10) and signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    saved = dict(periodic._jobs)
    periodic.register_periodic("test_probe", lambda now: swept.set())
    killer = threading.Thread(target=terminate_after_a_round, daemon=True)
    try:
        with caplog.at_level(logging.INFO, logger="guanjia.sweeper"):
            killer.start()
            started = time.monotonic()
            call_command("sweeper", "--interval", "30")  # returns only when stopped
    finally:
        periodic._jobs.clear()
        periodic._jobs.update(saved)
    killer.join(timeout=5)
    assert time.monotonic() - started < 10  # SIGTERM ended the 30 s wait at once
    assert heartbeat_at(SWEEP) is not None  # its round ran and was recorded
    assert "SIGTERM received" in caplog.text
    assert "sweeper stopped" in caplog.text
    assert signal.getsignal(signal.SIGTERM) == previous  # the process's own handler is back


@pytest.mark.parametrize("interval", ["0", "-5"])
def test_sweeper_refuses_a_nonsense_interval(interval, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="interval"):
        call_command("sweeper", "--interval", interval)
