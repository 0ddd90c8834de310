"""Configuration comes from the environment, parsed strictly: a bad value stops start-up naming it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db/guanjia"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("ALLOWED_HOSTS", "a.example.com,,b.example.com"),
        ("DB_CONN_MAX_AGE", "soon"),
    ],
)
def test_a_bad_environment_value_stops_start_up_naming_it(name, value, tmp_path):
    result = manage("check", GUANJIA_VAR_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", GUANJIA_VAR_DIR=str(tmp_path), SECRET_KEY=""
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION_SECRET_KEY = secrets.token_urlsafe(64)


@pytest.mark.parametrize(
    ("pii_hash_key", "why"),
    [
        ("", "missing"),
        ("short-key-1234", "too short"),
        (PRODUCTION_SECRET_KEY, "the same as SECRET_KEY"),
        ("guanjia-local-development-pii-hash-key-not-for-production", "the published development key"),
    ],
    ids=["missing", "too-short", "same-as-secret-key", "published-development-key"],  # never a random id: xdist
)
def test_production_refuses_to_start_without_its_own_pii_hash_key(tmp_path, pii_hash_key, why):
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        GUANJIA_VAR_DIR=str(tmp_path),
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        PII_HASH_KEY=pii_hash_key,
    )
    assert result.returncode != 0, why
    assert "PII_HASH_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_settings_hash_personal_data_with_a_key_of_their_own(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(bool(s.PII_HASH_KEY), s.PII_HASH_KEY != s.SECRET_KEY)",
        GUANJIA_VAR_DIR=str(tmp_path),
        SECRET_KEY="",
        PII_HASH_KEY="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True"


@pytest.mark.parametrize(
    ("name", "value"),
    [("AXES_FAILURE_LIMIT", "many"), ("AXES_COOLOFF_MINUTES", "0"), ("TRUSTED_PROXY_COUNT", "-1")],
)
def test_a_bad_lockout_setting_stops_start_up_naming_it(tmp_path, name, value):
    result = manage("check", GUANJIA_VAR_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        PII_HASH_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="guanjia.example.com",
        GUANJIA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_chinese_beijing_time_and_embedded_sqlite_in_wal_mode(settings):
    from django.db import connection

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    if connection.vendor == "sqlite" and not os.environ.get("DATABASE_URL"):
        assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


@pytest.mark.parametrize(("jit", "expected"), [("", "off"), ("1", "on")])
def test_postgresql_runs_without_jit_unless_asked(tmp_path, jit, expected):
    """PostgreSQL's JIT took longer than the monthly report's query itself at a million cases: off by default."""
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as c; k = c.cursor(); k.execute('SHOW jit'); print(k.fetchone()[0])",
        GUANJIA_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        DB_JIT=jit,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
