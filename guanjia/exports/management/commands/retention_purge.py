"""S06 from the command line: count (default) or delete records whose retention has ended.

manage.py retention_purge --project binjiang --kind return_visits --before 2024-01-01 --user manager
manage.py retention_purge … --reason "2023 年及以前回访记录到期" --execute
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.exports.models import RetentionKind
from guanjia.exports.retention import retention_purge
from guanjia.exports.services import ExportError


class Command(BaseCommand):
    help = "Count, or with --execute delete and record, records older than their retention (S06)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code or id")
        parser.add_argument("--kind", required=True, choices=RetentionKind.values)
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: records before this day")
        parser.add_argument("--user", required=True, help="username of the manager who decides")
        parser.add_argument("--reason", default="")
        parser.add_argument("--execute", action="store_true", help="delete (default: dry run, counts only)")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["project"]
        project = Project.objects.filter(code=key).first() or (
            Project.objects.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if project is None:
            raise CommandError(f"unknown project: {key}")
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"unknown user: {options['user']}")
        try:
            before = date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError("--before: expected YYYY-MM-DD") from None
        try:
            result = retention_purge(
                project=project,
                kind=options["kind"],
                before=before,
                actor=actor,
                reason=options["reason"],
                dry_run=not options["execute"],
            )
        except ExportError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        except PermissionError:
            raise CommandError(f"{actor.username} may not purge records of {project}") from None
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count}")
        if result.dry_run:
            self.stdout.write(f"dry run: {result.total} would be deleted; add --execute and --reason to delete")
        else:
            self.stdout.write(self.style.SUCCESS(f"deleted {result.total}; recorded as purge #{result.purge.pk}"))  # type: ignore[union-attr]
