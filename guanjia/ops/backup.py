"""Backup and restore of the whole service: the database and the stored files in one archive.

An archive is a ``.tar.gz`` holding

- ``database.sqlite3`` (SQLite, a copy taken with the online backup API: consistent while the service writes,
  WAL included) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom`` run on a snapshot exported by
  a repeatable-read transaction, so the row counts of the manifest describe exactly what was dumped);
- ``files/<name>``: every file of the default storage (local disk or S3 alike: listed with ``listdir``, read
  with ``open``), written after the database copy, so every file a database row names is there;
- ``manifest.json``, written last (an archive cut short has none): the format and its version, when it was
  made, the database engine, the applied migrations per app, the row count of every table, and the name, size
  and sha256 of the database member and of every file.

A restore reads the whole archive and checks every member against the manifest before it changes anything;
then it replaces the database (SQLite: the backup API in reverse into the configured database; PostgreSQL:
``pg_restore --clean --if-exists --no-owner --single-transaction``), writes the files back through the storage
under the same names, and verifies the row count of every table and the checksum of every file it restored.

It refuses a database that holds data (see ``EMPTY_EXCEPT``) unless forced. Everything that goes wrong in a
way the operator can act on raises ``BackupError``, whose message is in Chinese and English.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

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


# --- Backup ---------------------------------------------------------------------------------------------


def default_archive_path(now: datetime, directory: Path | None = None) -> Path:
    """``VAR_DIR/backups/guanjia-<YYYYmmdd-HHMMSS>.tar.gz`` in the server's time zone at ``now``; a name
    already taken (two backups in one second) gets ``-2``, ``-3`` …"""
    folder = directory if directory is not None else Path(settings.VAR_DIR) / "backups"
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    stem = f"guanjia-{local:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.tar.gz"
    counter = 2
    while path.exists():
        path = folder / f"{stem}-{counter}.tar.gz"
        counter += 1
    return path


def create_backup(
    output: Path | None = None,
    *,
    now: datetime,
    keep: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
) -> BackupResult:
    """Write one archive of the database and the stored files to ``output`` (a file, or a folder to put the
    default name in; default ``default_archive_path(now)``) while the service keeps running. With ``keep``,
    delete all but the ``keep`` newest archives of the default name in that folder afterwards."""
    started = time.monotonic()
    storage = storage if storage is not None else default_storage
    if output is None:
        path = default_archive_path(now)
    elif output.is_dir():
        path = default_archive_path(now, output)
    else:
        path = output
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = _engine(using)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".guanjia-backup-", dir=path.parent) as work:
        dump = Path(work) / DATABASE_MEMBER[engine]
        state = _dump_sqlite(using, dump) if engine == "sqlite" else _dump_postgresql(using, dump)
        files: list[dict[str, Any]] = []
        vanished: list[str] = []
        # The archive holds personal data: readable by its owner only, from its first byte.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar,
            ):
                database = _add_path(tar, DATABASE_MEMBER[engine], dump, now)
                for name in stored_files(storage):
                    with tempfile.TemporaryFile(dir=work) as spool:
                        try:
                            with storage.open(name, "rb") as source:
                                size, digest = _copy(source, spool)
                        except FileNotFoundError:
                            vanished.append(name)  # deleted by the service since it was listed
                            continue
                        spool.seek(0)
                        tar.addfile(_tarinfo(FILES_DIR + name, size, now), spool)
                    files.append({"name": name, "size": size, "sha256": digest})
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": (timezone.localtime(now) if timezone.is_aware(now) else now).isoformat(),
                    "engine": engine,
                    "django": django.get_version(),
                    "database": database,
                    "migrations": state.migrations,
                    "tables": state.tables,
                    "files": files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                tar.addfile(_tarinfo(MANIFEST, len(body), now), io.BytesIO(body))
            os.replace(partial, path)
        finally:
            if partial.exists():
                partial.unlink()
    pruned = prune(path.parent, keep) if keep is not None else []
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        engine=engine,
        state=state,
        files=len(files),
        file_bytes=sum(f["size"] for f in files),
        seconds=time.monotonic() - started,
        vanished=vanished,
        pruned=pruned,
    )


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest ``guanjia-<timestamp>.tar.gz`` in ``directory`` (by the timestamp of
    the name); any other file is left alone. Returns what was deleted."""
    if keep < 1:
        raise BackupError(f"--keep 至少为 1 / --keep must be at least 1 (got {keep})")
    archives = sorted(
        (p for p in directory.iterdir() if p.is_file() and ARCHIVE_NAME.fullmatch(p.name)), key=_archive_order
    )
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


def _archive_order(path: Path) -> tuple[str, int]:
    match = ARCHIVE_NAME.fullmatch(path.name)
    assert match is not None  # only matching names are sorted
    return match[1], int(match[2] or 1)


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


def _dump_sqlite(using: str, dest: Path) -> DatabaseState:
    """Copy the live database with SQLite's online backup API in one step: one consistent snapshot, while
    other connections keep writing (WAL), and the WAL's committed pages are included."""
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # the archived file stands alone: no -wal beside it
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"数据库自检失败，未备份 / the database failed its integrity check: {check}")
        return _state(target.cursor(), "sqlite")
    finally:
        target.close()


def _dump_postgresql(using: str, dest: Path) -> DatabaseState:
    """pg_dump in the custom format, on the snapshot of a repeatable-read transaction that also counts the
    rows: the manifest's counts are those of the dump, however busy the service is meanwhile."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _state(cursor, "postgresql")
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dest}",
            ],
            _pg_env(connection.settings_dict),
            "pg_dump",
        )
    return state


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


# --- Restore --------------------------------------------------------------------------------------------


def restore_backup(
    path: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
) -> RestoreResult:
    """Restore the archive at ``path`` into the configured database and storage (see the module's doc).

    Raises ``BackupError`` before changing anything when the database holds data (unless ``force``) or the
    archive is damaged, foreign, or made from another engine or a newer version of the code."""
    started = time.monotonic()
    storage = storage if storage is not None else default_storage
    if not path.is_file():
        raise BackupError(f"找不到备份文件 / backup archive not found: {path}")
    engine = _engine(using)
    if not force:
        held = data_tables(database_state(using))
        if held:
            listed = ", ".join(f"{name} ({rows})" for name, rows in sorted(held.items())[:8])
            more = f" … +{len(held) - 8}" if len(held) > 8 else ""
            raise BackupError(
                f"目标数据库不是空的，未做任何恢复；确认要覆盖其中的数据请加 --force。已有数据的表：{listed}{more} / "
                f"the target database is not empty, nothing was restored; add --force to overwrite it. "
                f"Tables with rows: {listed}{more}"
            )
    with tempfile.TemporaryDirectory(prefix="guanjia-restore-") as work:
        manifest, dump = _read_and_check(path, Path(work), engine)
        files = {f["name"]: f for f in manifest["files"]}
        pending = _check_migrations(manifest["migrations"])
        if engine == "sqlite":
            _restore_sqlite(using, dump)
        else:
            _restore_postgresql(using, dump, set(manifest["tables"]))
        written, unchanged = _restore_files(path, storage, files, Path(work))
    problems = _verify(using, storage, manifest)
    extra = sum(1 for name in stored_files(storage) if name not in files)
    state = DatabaseState(tables=manifest["tables"], migrations=manifest["migrations"])
    return RestoreResult(
        engine=engine,
        created_at=manifest["created_at"],
        state=state,
        files=written + unchanged,
        file_bytes=sum(f["size"] for f in files.values()),
        unchanged=unchanged,
        extra_files=extra,
        pending_migrations=pending,
        seconds=time.monotonic() - started,
        problems=problems,
    )


def _damaged(path: Path, exc: BaseException) -> BackupError:
    return BackupError(
        f"备份归档已损坏或不完整（可能被截断），未做任何恢复 / the backup archive is damaged or incomplete "
        f"(truncated?), nothing was restored: {path} ({type(exc).__name__}: {exc})"
    )


def _read_and_check(path: Path, work: Path, engine: str) -> tuple[dict[str, Any], Path]:
    """Read every member once: hash it, keep the database dump in ``work``, parse the manifest; then check
    the whole archive against the manifest. Returns the manifest and the dump's path."""
    seen: dict[str, tuple[int, str]] = {}
    manifest_body: bytes | None = None
    dump: Path | None = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.name in seen or (member.name == MANIFEST and manifest_body is not None):
                    raise BackupError(f"归档中有重复条目 / duplicate entry in the archive: {member.name}")
                if not member.isfile():
                    raise _foreign(path, f"unexpected entry {member.name!r} (not a regular file)")
                reader = tar.extractfile(member)
                if reader is None:  # pragma: no cover - isfile() members always have one
                    raise _foreign(path, f"unreadable entry {member.name!r}")
                if member.name == MANIFEST:
                    manifest_body = reader.read()
                elif member.name in DATABASE_MEMBER.values():
                    dump = work / member.name
                    with dump.open("wb") as out:
                        seen[member.name] = _copy(reader, out)
                elif member.name.startswith(FILES_DIR) and _safe_name(member.name[len(FILES_DIR) :]):
                    seen[member.name] = _copy(reader, None)
                else:
                    raise _foreign(path, f"unexpected entry {member.name!r}")
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not seen and manifest_body is None:
            raise BackupError(
                f"不是 Guanjia 备份归档（无法按 tar.gz 读取）/ not a Guanjia backup archive (cannot be read as "
                f"tar.gz): {path} ({exc})"
            ) from None
        raise _damaged(path, exc) from None
    if manifest_body is None:
        if seen:
            raise BackupError(
                f"备份归档不完整：缺少最后写入的 manifest.json（备份中断或文件被截断），未做任何恢复 / the backup "
                f"archive is incomplete: manifest.json, written last, is missing (interrupted backup or truncated "
                f"file); nothing was restored: {path}"
            )
        raise _foreign(path, "no manifest.json")
    manifest = _parse_manifest(path, manifest_body)
    if manifest["engine"] != engine:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份来自 {names.get(manifest['engine'], manifest['engine'])} 数据库，而当前配置的是 {names[engine]}；"
            f"请恢复到同类数据库 / the archive holds a {manifest['engine']} database but the configured database "
            f"is {engine}: restore it into a {manifest['engine']} database (DATABASE_URL)"
        )
    expected = {manifest["database"]["name"]: manifest["database"]} | {
        FILES_DIR + f["name"]: f for f in manifest["files"]
    }
    missing = sorted(set(expected) - set(seen))
    if missing:
        raise BackupError(
            f"归档缺少清单中的条目，未做任何恢复 / entries listed in the manifest are missing from the archive, "
            f"nothing was restored: {', '.join(missing[:10])}"
        )
    unexpected = sorted(set(seen) - set(expected))
    if unexpected:
        raise _foreign(path, f"entries not in the manifest: {', '.join(unexpected[:10])}")
    bad = [
        f"{name} (sha256 {expected[name]['sha256'][:12]}…, {expected[name]['size']} B ≠ {digest[:12]}…, {size} B)"
        for name, (size, digest) in sorted(seen.items())
        if (size, digest) != (expected[name]["size"], expected[name]["sha256"])
    ]
    if bad:
        raise BackupError(
            f"校验和不符，归档已损坏，未做任何恢复 / checksum mismatch, the archive is damaged, nothing was "
            f"restored: {'; '.join(bad[:10])}"
        )
    if dump is None or manifest["database"]["name"] != DATABASE_MEMBER[engine]:  # pragma: no cover - checked
        raise _foreign(path, "no database in the archive")
    return manifest, dump


def _foreign(path: Path, why: str) -> BackupError:
    return BackupError(
        f"不是 Guanjia 备份归档，未做任何恢复 / not a Guanjia backup archive, nothing was restored: {path} ({why})"
    )


def _parse_manifest(path: Path, body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _foreign(path, f"manifest.json is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _foreign(path, f"manifest.json is not a {FORMAT} manifest")
    version = manifest.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"备份由更新版本的 Guanjia 生成（格式 {version}），请用新版本恢复 / the archive was made by a newer "
            f"Guanjia (format version {version}; this one reads up to {FORMAT_VERSION}): restore it with that version"
        )
    try:
        shape_ok = (
            manifest["engine"] in DATABASE_MEMBER
            and isinstance(manifest["created_at"], str)
            and manifest["database"]["name"] == DATABASE_MEMBER[manifest["engine"]]
            and isinstance(manifest["database"]["size"], int)
            and isinstance(manifest["database"]["sha256"], str)
            and all(isinstance(k, str) and isinstance(v, int) for k, v in manifest["tables"].items())
            and all(
                isinstance(app, str) and all(isinstance(n, str) for n in names)
                for app, names in manifest["migrations"].items()
            )
            and all(
                _safe_name(f["name"]) and isinstance(f["size"], int) and isinstance(f["sha256"], str)
                for f in manifest["files"]
            )
        )
    except (KeyError, TypeError, AttributeError):
        shape_ok = False
    if not shape_ok:
        raise _foreign(path, "manifest.json lacks or garbles required fields")
    return manifest


def _safe_name(name: Any) -> bool:
    """A storage name that cannot leave the storage's root: relative, no ``.``/``..`` parts, no NUL."""
    if not isinstance(name, str) or not name or "\x00" in name or name.startswith("/") or "\\" in name:
        return False
    parts = PurePosixPath(name).parts
    return all(part not in ("", ".", "..") for part in parts) and "/".join(parts) == name


def _check_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Refuse an archive whose database has migrations this code does not know (made by a newer version);
    return the migrations this code has that the archive lacks (``manage.py migrate`` applies them)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {(app, name) for app, names in applied.items() for name in names}
    installed = {config.label for config in apps.get_app_configs()}
    unknown = sorted(f"{app}.{name}" for app, name in archived - known if app in installed)
    foreign_apps = sorted({app for app, _ in archived} - installed)
    if unknown or foreign_apps:
        what = ", ".join([*unknown[:10], *(f"{app} (app)" for app in foreign_apps[:10])])
        raise BackupError(
            f"备份中的数据库含有本版本不认识的迁移（备份来自更新的版本？），未做任何恢复 / the archive's database "
            f"has migrations this version of Guanjia does not know (made by a newer version?); nothing was "
            f"restored: {what}"
        )
    return sorted(f"{app}.{name}" for app, name in known - archived)


def _restore_sqlite(using: str, dump: Path) -> None:
    """Copy the archived database over the configured one with the backup API (WAL-aware: the target's own
    pages and journal are rewritten by SQLite, never by replacing files underneath it)."""
    connections.close_all()
    connection = connections[using]
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"写入 SQLite 数据库失败 / could not write the SQLite database: {exc}") from None
    finally:
        source.close()
        connection.close()


def _restore_postgresql(using: str, dump: Path, tables: set[str]) -> None:
    """pg_restore --clean replaces what the dump holds. Tables the dump does not hold (made by migrations newer
    than the archive: a server migrated with newer code) are dropped first, empty as the database is (or forced):
    left there, they would block the drop of the tables they refer to, and a later ``migrate`` that creates
    them again."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name, quoted in _table_names(cursor, "postgresql"):
            if name not in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
    connections.close_all()
    settings_dict = connections[using].settings_dict
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(settings_dict),
        "pg_restore",
    )


def _restore_files(path: Path, storage: Storage, files: dict[str, dict[str, Any]], work: Path) -> tuple[int, int]:
    """Write every archived file back under its own name; one already there with the same bytes is left.
    Returns (written, unchanged)."""
    written = unchanged = 0
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.name.startswith(FILES_DIR):
                    continue
                name = member.name[len(FILES_DIR) :]
                reader = tar.extractfile(member)
                if reader is None:  # pragma: no cover - checked by the first pass
                    continue
                with tempfile.TemporaryFile(dir=work) as spool:
                    size, digest = _copy(reader, spool)
                    if digest != files[name]["sha256"]:
                        raise BackupError(f"归档在恢复过程中被改动 / the archive changed during the restore: {name}")
                    if storage.exists(name):
                        if _stored_digest(storage, name) == (size, digest):
                            unchanged += 1
                            continue
                        storage.delete(name)
                    spool.seek(0)
                    saved = storage.save(name, File(spool, name=PurePosixPath(name).name))
                    if saved != name:
                        raise BackupError(
                            f"存储把文件另存为了其他名字 / the storage saved {name!r} as {saved!r}; the database "
                            "refers to the original name"
                        )
                    written += 1
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _damaged(path, exc) from None
    return written, unchanged


def _stored_digest(storage: Storage, name: str) -> tuple[int, str] | None:
    try:
        with storage.open(name, "rb") as handle:
            return _copy(handle, None)
    except FileNotFoundError:
        return None


def _verify(using: str, storage: Storage, manifest: dict[str, Any]) -> list[str]:
    """Compare the restored database and files with the manifest; returns what differs."""
    problems: list[str] = []
    connections.close_all()
    restored = database_state(using)
    for name, rows in sorted(manifest["tables"].items()):
        if name not in restored.tables:
            problems.append(f"表缺失 / table missing: {name}")
        elif restored.tables[name] != rows:
            problems.append(f"行数不符 / row count differs: {name} {restored.tables[name]} ≠ {rows}")
    extra = sorted(set(restored.tables) - set(manifest["tables"]))
    if extra:
        problems.append(
            "目标数据库中有备份里没有的表（来自恢复前的数据库）/ tables not in the archive remain from the "
            f"target database: {', '.join(extra[:10])}"
        )
    if restored.migrations != manifest["migrations"]:
        problems.append("迁移记录不符 / the applied migrations differ from the archive's")
    for entry in manifest["files"]:
        found = _stored_digest(storage, entry["name"])
        if found is None:
            problems.append(f"文件缺失 / file missing: {entry['name']}")
        elif found != (entry["size"], entry["sha256"]):
            problems.append(f"文件校验和不符 / file checksum differs: {entry['name']}")
    return problems


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


def _tarinfo(name: str, size: int, now: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(now.timestamp())
    info.mode = 0o600
    return info


def _add_path(tar: tarfile.TarFile, name: str, source: Path, now: datetime) -> dict[str, Any]:
    with source.open("rb") as handle:
        size, digest = _copy(handle, None)
        handle.seek(0)
        tar.addfile(_tarinfo(name, size, now), handle)
    return {"name": name, "size": size, "sha256": digest}
