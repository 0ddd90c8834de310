"""The deadline sweep on the embedded default: a daemon thread in the web process.

With ``REDIS_URL`` the Celery worker's beat runs ``guanjia.cases.tasks.sweep_task`` instead and this thread
is not started. Several processes sweeping at once are safe (each deadline fires once, see
``services.sweep``), so running it in every web worker costs only a few queries.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from guanjia.cases.periodic import run_periodic

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 15

_lock = threading.Lock()
_thread: SweeperThread | None = None


class SweeperThread(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="guanjia-deadline-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.run_once()
            self.stopped.wait(self.interval)
        connection.close()

    def run_once(self) -> None:
        close_old_connections()
        try:
            result = run_periodic(timezone.now())
            if any(isinstance(v, int) and v for v in result.values()) or "failed" in result.values():
                logger.info("periodic sweep: %s", result)
        except Exception:
            # A database hiccup must not end the thread: the next round tries again.
            logger.exception("deadline sweep failed")

    def stop(self) -> None:
        self.stopped.set()


def start_background_sweeper(interval: float | None = None) -> SweeperThread | None:
    """Start the in-process sweeper once per process (call it from ``manage.py serve``).

    Returns the thread, or None when Redis is configured (the Celery worker sweeps then).
    """
    global _thread
    if getattr(settings, "REDIS_URL", ""):
        return None
    seconds: float = interval or float(getattr(settings, "SWEEP_INTERVAL_SECONDS", DEFAULT_INTERVAL_SECONDS))
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = SweeperThread(seconds)
            _thread.start()
            logger.info("deadline sweeper started in-process, every %ss", seconds)
        return _thread
