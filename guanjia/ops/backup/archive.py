"""The archive format, its results and errors, and what a database and a storage hold: what the backup
and the restore share (see the package's doc for what an archive holds)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT = "guanjia-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_DIR = "files/"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: The names ``default_archive_path`` gives, the only files ``prune`` ever deletes.
ARCHIVE_NAME = re.compile(r"guanjia-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz")
CHUNK = 1024 * 1024

#: What "an empty database" means for ``restore``: no table has a row, except these, which a database has
#: straight after ``manage.py migrate`` or gathers from nothing but a running service:
#: the migration records, content types and permissions (migrate), the seeds of the data migrations (the
#: working-day calendar, the manual's follow-up templates and lead cadences, the standard duty-log phrases),
#: the background heartbeats, sessions and django-axes login records. A row in these tables that is not a seed
#: (a project's own phrase, a company's template, an edited calendar day) comes with a project, company or user,
#: which are counted. So one user account, company, project, case, token … makes the database "not empty".
EMPTY_EXCEPT = (
    "contenttypes.ContentType",
    "auth.Permission",
    "sessions.Session",
    "ops.Heartbeat",
    "workdays.CalendarDay",
    "workdays.CalendarYear",
    "followup.PlanTemplate",
    "followup.PlanStep",
    "followup.LeadCadence",
    "dutylog.Phrase",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessLog",
    "axes.AccessFailureLog",
)


class BackupError(Exception):
    """A refusal or a failure the operator can act on; the message names it in Chinese and English."""


@dataclass
class DatabaseState:
    tables: dict[str, int]
    migrations: dict[str, list[str]]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class BackupResult:
    path: Path
    size: int
    engine: str
    state: DatabaseState
    files: int
    file_bytes: int
    seconds: float
    #: Files listed by the storage but deleted by the service before they could be read.
    vanished: list[str] = field(default_factory=list)
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    engine: str
    created_at: str
    state: DatabaseState
    files: int
    file_bytes: int
    #: Files already in the storage with the archive's exact content (left as they were).
    unchanged: int
    #: Files in the storage that the archive does not hold (left as they were).
    extra_files: int
    #: Migrations this code has that the archive's database had not applied: run ``manage.py migrate``.
    pending_migrations: list[str]
    seconds: float
    #: Anything the verification found wrong after the restore; empty when the round trip is exact.
    problems: list[str] = field(default_factory=list)


def stored_files(storage: Storage) -> Iterator[str]:
    """Every file name in ``storage``, walking its folders with ``listdir`` (local disk and S3 alike)."""

    def walk(folder: str) -> Iterator[str]:
        try:
            folders, names = storage.listdir(folder)
        except FileNotFoundError:  # local storage whose folder was never created: no files
            return
        for name in sorted(names):
            yield f"{folder}/{name}" if folder else name
        for sub in sorted(folders):
            yield from walk(f"{folder}/{sub}" if folder else sub)

    yield from walk("")


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"不支持的数据库 / unsupported database engine: {vendor} (SQLite or PostgreSQL)")
    return vendor


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection of DATABASES[alias] as libpq environment variables; the password never appears on a
    command line (where ``ps`` would show it)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if settings_dict.get("NAME"):
        env["PGDATABASE"] = str(settings_dict["NAME"])
    for option, variable in (
        ("service", "PGSERVICE"),
        ("passfile", "PGPASSFILE"),
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    env.setdefault("PGAPPNAME", "guanjia-backup")
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {what}，请安装 PostgreSQL 客户端 / {what} not found: install the PostgreSQL client tools "
            "(e.g. apt install postgresql-client)"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.strip()[-2000:] or f"exit status {done.returncode}"
        raise BackupError(f"{what} 失败 / {what} failed: {detail}")


# --- What a database holds ------------------------------------------------------------------------------


def _table_names(cursor: Any, vendor: str) -> list[tuple[str, str]]:
    """(the manifest's name, the quoted SQL name) of every table."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
        return [(name, _quote(name)) for (name,) in cursor.fetchall()]
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
        "ORDER BY 1, 2"
    )
    return [
        (name if schema == "public" else f"{schema}.{name}", f"{_quote(schema)}.{_quote(name)}")
        for schema, name in cursor.fetchall()
    ]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _state(cursor: Any, vendor: str) -> DatabaseState:
    tables: dict[str, int] = {}
    for name, quoted in _table_names(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 (a quoted name from the catalogue)
        tables[name] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return DatabaseState(tables=tables, migrations=migrations)


def database_state(using: str = DEFAULT_DB_ALIAS) -> DatabaseState:
    """Row counts of every table and the applied migrations of the configured database, as it is now."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return _state(cursor, connection.vendor)


def data_tables(state: DatabaseState) -> dict[str, int]:
    """The tables of ``state`` that make a database "not empty" (see ``EMPTY_EXCEPT``) with their rows."""
    ignored = {"django_migrations"}
    for label in EMPTY_EXCEPT:
        try:
            ignored.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return {name: rows for name, rows in state.tables.items() if rows and name not in ignored}


# --- Small helpers --------------------------------------------------------------------------------------


def human_size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _copy(source: IO[bytes], target: IO[bytes] | None) -> tuple[int, str]:
    """Stream ``source`` into ``target`` (or nowhere); returns (size, sha256 hex)."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return size, digest.hexdigest()
