"""The Celery app of the background worker (used when REDIS_URL is set).

Run the worker with its beat scheduler: ``celery -A config worker -B -Q celery,exports -l info`` (``make worker``);
in production the exports queue gets a worker of its own (README, the production recipe).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("guanjia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _sweep_interval() -> float:
    from django.conf import settings

    return float(getattr(settings, "SWEEP_INTERVAL_SECONDS", 15))


def _beat_schedule_file() -> str:
    from django.conf import settings

    # Beat remembers its last runs in a file: keep it with the other runtime files, not in the cwd.
    return str(settings.VAR_DIR / "celerybeat-schedule")


app.conf.beat_schedule_filename = _beat_schedule_file()
app.conf.beat_schedule = {
    "sweep-deadlines": {
        "task": "guanjia.cases.sweep",
        "schedule": _sweep_interval(),
        # A sweep not started within one interval is dropped: the next one does the same work.
        "options": {"expires": _sweep_interval()},
    },
    # The worker's sign of life for /readyz (guanjia.ops.health): a task it has to take from the queue.
    "worker-heartbeat": {
        "task": "guanjia.ops.worker_heartbeat",
        "schedule": _sweep_interval(),
        "options": {"expires": _sweep_interval()},
    },
}
