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

One module per concern: ``archive`` (the format, results, errors, what a database and a storage hold),
``dump`` (writing an archive, pruning old ones), ``restore`` (checking and restoring one).
"""

from __future__ import annotations

from guanjia.ops.backup.archive import (
    ARCHIVE_NAME,
    DATABASE_MEMBER,
    EMPTY_EXCEPT,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    BackupResult,
    DatabaseState,
    RestoreResult,
    data_tables,
    database_state,
    human_size,
    stored_files,
)
from guanjia.ops.backup.dump import create_backup, default_archive_path, prune
from guanjia.ops.backup.restore import restore_backup

__all__ = [
    "ARCHIVE_NAME",
    "DATABASE_MEMBER",
    "EMPTY_EXCEPT",
    "FILES_DIR",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "BackupError",
    "BackupResult",
    "DatabaseState",
    "RestoreResult",
    "create_backup",
    "data_tables",
    "database_state",
    "default_archive_path",
    "human_size",
    "prune",
    "restore_backup",
    "stored_files",
]
