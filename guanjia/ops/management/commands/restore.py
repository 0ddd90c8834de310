"""`manage.py restore PATH [--force]`: put an archive of `manage.py backup` back into an empty database and the
storage, then verify every table's row count and every file's checksum against the archive's manifest.

Stop the web processes, the worker and the sweeper first: nothing may write while the database is replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from guanjia.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` (database and stored files) into an empty database and verify "
        "it (从备份恢复). A database holding data is refused unless --force."
    )

    # A backup or a restore must work even while a system check fails (that is when one is needed most).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .tar.gz written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even though the database holds data: what it holds is replaced by the archive",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.restore_backup(options["path"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"数据库错误 / database error: {exc}") from None
        except OSError as exc:
            raise CommandError(f"读写失败 / I/O error: {exc}") from None
        state = result.state
        self.stdout.write(
            f"已恢复 / restored: {options['path']} (备份于 made at {result.created_at}, {result.seconds:.1f}s)\n"
            f"  数据库 database: {result.engine}, {len(state.tables)} 张表 tables, {state.rows} 行 rows\n"
            f"  文件 files: {result.files} 个 ({backup.human_size(result.file_bytes)}); "
            f"{result.unchanged} 个已存在且相同 already present and identical"
        )
        if result.extra_files:
            self.stdout.write(
                f"  存储中另有 {result.extra_files} 个备份里没有的文件，保持原样 / {result.extra_files} files in the "
                "storage are not in the archive and were left as they were"
            )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(f"  ✗ {problem}")
            raise CommandError(
                f"恢复后校验发现 {len(result.problems)} 处不符 / verification found {len(result.problems)} "
                "differences after the restore (listed above)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                "  校验通过：每张表的行数与每个文件的校验和都与备份一致 / verified: every table's row "
                "count and every file's checksum match the archive"
            )
        )
        if result.pending_migrations:
            self.stdout.write(
                f"  备份早于当前代码，请运行 manage.py migrate（{len(result.pending_migrations)} 个迁移）/ the "
                f"archive predates this code: run manage.py migrate ({len(result.pending_migrations)} migrations)"
            )
