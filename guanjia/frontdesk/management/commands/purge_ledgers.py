"""Purge the front-desk ledgers of a project past their retention (S06), on record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.frontdesk.services import ledgers_purge


class Command(BaseCommand):
    help = "删除超过保存期限的访客与寄存台账记录（S06），并记入项目时间线。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project code (项目代码), or 'all'")
        parser.add_argument("--user", help="username of the manager who decides the purge (default: the system)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["project"]
        projects = list(Project.objects.all() if code == "all" else Project.objects.filter(code=code))
        if not projects:
            raise CommandError(f"no project with code {code!r}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}")
        for project in projects:
            try:
                result = ledgers_purge(project=project, actor=actor, dry_run=options["dry_run"])
            except (PermissionDenied, ValueError) as exc:
                raise CommandError(f"{project.code}: {exc}") from exc
            verb = "would delete" if options["dry_run"] else "deleted"
            self.stdout.write(
                f"{project.code}: {verb} {result.visitors} visitor(s), {result.visitor_passes} pass(es), "
                f"{result.custody_items} custody item(s) (visitors before {result.visitors_before:%Y-%m-%d}, "
                f"custody before {result.custody_before:%Y-%m-%d})"
            )
