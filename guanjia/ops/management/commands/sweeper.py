"""`manage.py sweeper` (`make sweeper`): the periodic work as its own process, for deployments without Redis.

Without ``REDIS_URL`` nothing else sweeps under gunicorn (the in-process thread lives only in
``manage.py serve``): run exactly one of these next to the web processes, under systemd or any supervisor.
It runs ``run_periodic`` (the deadline sweep, the kept monthly exports, the recovery of stuck export jobs,
the heartbeat read by /readyz …) every ``SWEEP_INTERVAL_SECONDS`` until SIGTERM or Ctrl-C, finishing the
round in progress first. Exports it (re)queues run in its own background threads.

With ``REDIS_URL`` the Celery worker's beat sweeps; running this as well is harmless (sweeps are safe to run
from several processes at once) but not needed.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from guanjia.cases.periodic import run_periodic
from guanjia.exports.services import background_exports_drain

logger = logging.getLogger("guanjia.sweeper")


class Command(BaseCommand):
    help = "Run the deadline sweep and the other periodic jobs every SWEEP_INTERVAL_SECONDS (no Redis needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one round, print its result and exit")
        parser.add_argument(
            "--interval", type=float, default=None, help="seconds between rounds (default SWEEP_INTERVAL_SECONDS)"
        )
        parser.add_argument(
            "--wait-exports",
            type=float,
            default=3600,
            help="with --once: seconds to wait for exports the round queued (without Redis they run in this process)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = self.round()
            # Exports the round queued run on this process's threads without Redis: let them finish first.
            unfinished = background_exports_drain(timeout=options["wait_exports"])
            if unfinished:
                logger.warning("%s export(s) unfinished at exit: the next sweep queues them again", unfinished)
            if result is None:
                raise CommandError("sweep failed (see the log)")
            self.stdout.write(f"sweep: {result}")
            return
        interval = options["interval"]
        if interval is None:
            interval = float(getattr(settings, "SWEEP_INTERVAL_SECONDS", 15))
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if getattr(settings, "REDIS_URL", ""):
            logger.warning("REDIS_URL is set: the Celery worker's beat sweeps too (harmless, but not needed)")
        stopped = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("sweeper: %s received, stopping after the current round", signal.Signals(signum).name)
            stopped.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        logger.info("sweeper started: every %g s (SIGTERM or Ctrl-C stops it)", interval)
        try:
            while not stopped.is_set():
                self.round()
                pause(stopped, interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if not connection.in_atomic_block:  # never end a transaction someone else holds open
                connection.close()
        logger.info("sweeper stopped")

    def round(self) -> dict[str, Any] | None:
        """One round; a failure is logged and the next round tries again (a database restart must not end
        the process). Returns the result, or None when the round failed."""
        if not connection.in_atomic_block:  # a dropped or aged connection is replaced, as between requests
            close_old_connections()
        try:
            result = run_periodic(timezone.now())
        except Exception:
            logger.exception("sweep failed")
            return None
        if any(isinstance(v, int) and v for v in result.values()) or "failed" in result.values():
            logger.info("sweep: %s", result)
        return result


#: Python runs a signal handler only when the main thread executes bytecode, and the kernel may deliver SIGTERM
#: to any thread (e.g. an export thread): the main thread therefore never sleeps longer than this at a time.
WAKE_SECONDS = 0.5


def pause(stopped: threading.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stopped`` is set, noticing a signal within WAKE_SECONDS."""
    end = time.monotonic() + seconds
    while not stopped.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return
        stopped.wait(min(left, WAKE_SECONDS))
