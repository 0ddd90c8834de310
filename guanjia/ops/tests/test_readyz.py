"""/readyz: 200 when this installation may take traffic, else 503 naming each failed check.

The clock is frozen at a fixed instant (time_machine), so the ages in the messages are exact and nothing
depends on the day the suite runs.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler

from guanjia.ops import views
from guanjia.ops.models import Heartbeat
from guanjia.ops.services import SWEEP, WORKER, heartbeat_record

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2027, 3, 14, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
LIVE_REDIS = "redis://127.0.0.1:6379/13"
DEAD_REDIS = "redis://127.0.0.1:1/13"  # nothing listens on port 1

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def readyz(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def beat(name: str, seconds_ago: float) -> None:
    heartbeat_record(name, now=NOW - timedelta(seconds=seconds_ago))


def redis_answers() -> bool:
    import redis

    try:
        redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def test_all_good_is_200_without_login(client, frozen, settings):
    settings.REDIS_URL = ""
    settings.SWEEP_INTERVAL_SECONDS = 15
    beat(SWEEP, 20)
    status, body = readyz(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "migrations": "ok", "sweep": "ok"},  # no Redis configured: not checked
    }


def test_no_sweep_for_a_few_intervals_is_503_naming_the_sweep(client, frozen, settings):
    settings.REDIS_URL = ""
    settings.SWEEP_INTERVAL_SECONDS = 15
    beat(SWEEP, 59)
    assert readyz(client)[0] == 200  # one or two late rounds are normal: the limit is at least 60 s
    beat(SWEEP, 600)
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["failed"] == ["sweep"]
    assert body["checks"]["sweep"].startswith("no sweep for 600 s (limit 60 s;")
    assert "manage.py sweeper" in body["checks"]["sweep"]
    assert body["checks"]["database"] == "ok"


def test_the_sweep_limit_is_four_intervals_when_they_are_long(client, frozen, settings):
    settings.REDIS_URL = ""
    settings.SWEEP_INTERVAL_SECONDS = 60
    beat(SWEEP, 230)
    assert readyz(client)[0] == 200
    beat(SWEEP, 250)
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["sweep"])
    assert "limit 240 s" in body["checks"]["sweep"]


def test_a_sweep_never_run_is_503(client, frozen, settings):
    settings.REDIS_URL = ""
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["sweep"])
    assert body["checks"]["sweep"].startswith("no sweep recorded yet")


def test_unapplied_migrations_are_503_with_their_count(client, frozen, settings):
    settings.REDIS_URL = ""
    beat(SWEEP, 1)
    # As after deploying code whose migrations were not run yet (rolled back with the test).
    MigrationRecorder.Migration.objects.filter(app="ops", name="0001_initial").delete()
    MigrationRecorder.Migration.objects.filter(
        app="exports", name="0002_exportjob_attempts_exportjob_heartbeat_at"
    ).delete()
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["migrations"])
    assert body["checks"]["migrations"].startswith("2 unapplied")
    assert "manage.py migrate" in body["checks"]["migrations"]


def test_an_unreachable_database_is_503_and_the_checks_that_need_it_say_so(
    client, frozen, settings, monkeypatch, tmp_path
):
    settings.REDIS_URL = ""
    # A database that cannot be opened: SQLite in a directory that does not exist, whatever engine the suite uses.
    gone = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing" / "db.sqlite3")}}
    )
    monkeypatch.setattr(views, "connection", gone["default"])
    status, body = readyz(client)
    gone.close_all()
    assert status == 503
    assert body["failed"] == ["database", "migrations", "sweep"]
    assert body["checks"]["database"] == "unreachable (OperationalError)"
    assert body["checks"]["migrations"] == "not checked: database unreachable"
    assert str(tmp_path) not in str(body)  # no path, host or user name in a public answer


def test_unreachable_redis_is_503_naming_redis(client, frozen, settings):
    settings.REDIS_URL = DEAD_REDIS
    beat(SWEEP, 1)
    beat(WORKER, 1)
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["redis"])
    assert body["checks"]["redis"].startswith("unreachable (")


def test_with_redis_a_stale_worker_heartbeat_is_503_naming_the_worker(client, frozen, settings):
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {LIVE_REDIS}")
    settings.REDIS_URL = LIVE_REDIS
    beat(SWEEP, 1)
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"].startswith("no worker heartbeat recorded yet")

    beat(WORKER, 300)
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"].startswith("no worker heartbeat for 300 s")

    from guanjia.ops.tasks import worker_heartbeat_task

    worker_heartbeat_task.apply()  # what the worker runs each interval (beat schedule in config/celery.py)
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"] == {"database": "ok", "migrations": "ok", "sweep": "ok", "redis": "ok", "worker": "ok"}


def test_readyz_costs_the_same_few_queries_whatever_the_data(client, frozen, settings, django_assert_max_num_queries):
    settings.REDIS_URL = ""
    beat(SWEEP, 1)
    Heartbeat.objects.bulk_create([Heartbeat(name=f"other-{i}", at=NOW) for i in range(200)])
    with django_assert_max_num_queries(5):
        assert readyz(client)[0] == 200


def test_readyz_is_not_redirected_to_https_in_production(tmp_path):
    """Probes speak plain HTTP to the app: production's SSL redirect exempts /readyz like /healthz. A fresh,
    unmigrated database answers 503 naming the migrations, not a redirect."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        GUANJIA_VAR_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_HASH_KEY=secrets.token_urlsafe(40),
    )
    script = (
        "from django.test import Client\n"
        "c = Client()\n"
        "r = c.get('/readyz', HTTP_HOST='localhost')\n"
        "print(r.status_code, r.content.decode())\n"
        "print(c.get('/login/', HTTP_HOST='localhost').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    readiness, login = result.stdout.strip().splitlines()[-2:]
    assert readiness.startswith("503 ")
    assert '"migrations": "' in readiness and "unapplied" in readiness
    assert login == "301"  # everything else is still redirected to HTTPS
