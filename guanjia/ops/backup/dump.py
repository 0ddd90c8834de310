"""Writing an archive while the service runs: the database copy (SQLite backup API or pg_dump on a
snapshot), every stored file, the manifest last; and pruning old archives."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from guanjia.ops.backup.archive import (
    ARCHIVE_NAME,
    DATABASE_MEMBER,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    BackupResult,
    DatabaseState,
    _copy,
    _engine,
    _pg_env,
    _run,
    _state,
    stored_files,
)


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
