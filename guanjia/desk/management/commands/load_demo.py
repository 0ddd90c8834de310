"""`make run` loads the demo through `manage.py load_demo --if-empty` (see guanjia/desk/demo.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanjia.desk import demo


class Command(BaseCommand):
    help = "Load the demo company, estates, residents, staff and price lists (演示数据)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (but print how to log in) when data already exists"
        )
        parser.add_argument("--url", default=demo.DEFAULT_URL, help="the address printed in the login help")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            if not options["if_empty"]:
                raise CommandError(
                    "数据库中已有公司数据，未载入演示数据。 The database already has data; nothing loaded."
                )
            self.stdout.write("已有数据，跳过演示数据。 Data already present; demo not loaded.")
        else:
            started = time.monotonic()
            counts = demo.load()
            self.stdout.write(
                self.style.SUCCESS(
                    "演示数据已载入 / demo loaded: "
                    f"{counts['projects']} 个项目 projects, {counts['units']} 户 units, "
                    f"{counts['customers']} 位客户 customers, {counts['staff']} 名员工 staff, "
                    f"{counts['price_items']} 个收费项目 price items ({time.monotonic() - started:.1f}s)"
                )
            )
        self.stdout.write(demo.login_help(options["url"]))
