"""Restoring an archive: every member checked against the manifest before anything changes, then the
database replaced, the files written back, and the result verified (see the package's doc)."""

from __future__ import annotations

import gzip
import json
import sqlite3
import tarfile
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader

from guanjia.ops.backup.archive import (
    DATABASE_MEMBER,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    DatabaseState,
    RestoreResult,
    _copy,
    _engine,
    _pg_env,
    _run,
    _table_names,
    data_tables,
    database_state,
    stored_files,
)


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
