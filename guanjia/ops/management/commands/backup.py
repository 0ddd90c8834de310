"""`manage.py backup [--output PATH] [--keep N]`: one archive of the database and the stored files, taken while
the service runs (see guanjia/ops/backup/__init__.py for what the archive holds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from guanjia.ops import backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz holding the database and every stored file, with a manifest of row counts and "
        "checksums (备份数据库与文件). Default: VAR_DIR/backups/guanjia-<timestamp>.tar.gz."
    )

    # A backup or a restore must work even while a system check fails (that is when one is needed most).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", type=Path, default=None, help="the archive to write, or a folder to write it in"
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            metavar="N",
            help="afterwards delete all but the N newest guanjia-<timestamp>.tar.gz in the archive's folder",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"]
        if keep is not None and keep < 1:
            raise CommandError(f"--keep 至少为 1 / --keep must be at least 1 (got {keep})")
        try:
            result = backup.create_backup(options["output"], now=timezone.now(), keep=keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"数据库错误，未备份 / database error, no backup written: {exc}") from None
        except OSError as exc:
            raise CommandError(f"读写失败，未备份 / I/O error, no backup written: {exc}") from None
        state = result.state
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成 / backup written: {result.path} ({backup.human_size(result.size)}, {result.seconds:.1f}s)\n"
                f"  数据库 database: {result.engine}, {len(state.tables)} 张表 tables, {state.rows} 行 rows\n"
                f"  文件 files: {result.files} 个 ({backup.human_size(result.file_bytes)})"
            )
        )
        if result.vanished:
            self.stdout.write(
                f"  备份期间被删除的文件 / files deleted while the backup ran (not in the archive): "
                f"{len(result.vanished)}"
            )
        for path in result.pruned:
            self.stdout.write(f"  已删除旧备份 / old archive deleted: {path}")
