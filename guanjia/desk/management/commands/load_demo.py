"""`make run` loads the demo through `manage.py load_demo --if-empty` (see guanjia/desk/demo.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanjia.desk import demo


class Command(BaseCommand):
    help = (
        "Load the demo company, estates, residents, staff, price lists and four weeks of complaints, repairs, "
        "return visits, front-desk ledgers and duty logs (演示数据)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (but print how to log in) when data already exists"
        )
        parser.add_argument("--host", default=demo.DEFAULT_HOST, help="the host `serve` binds (for the login help)")
        parser.add_argument("--port", type=int, default=demo.DEFAULT_PORT, help="the port `serve` binds")
        parser.add_argument("--url", help="the address printed in the login help (default: from --host and --port)")
        parser.add_argument(
            "--no-cases", action="store_true", help="only the estates, people and price lists: no history of cases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            if not options["if_empty"]:
                raise CommandError(
                    "数据库中已有公司数据，未载入演示数据。 The database already has data; nothing loaded."
                )
            self.stdout.write("已有数据，跳过演示数据。 Data already present; demo not loaded.")
        else:
            started = time.monotonic()
            counts = demo.load(cases=not options["no_cases"])
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    "演示数据已载入 / demo loaded: "
                    f"{counts['projects']} 个项目 projects, {counts['units']} 户 units, "
                    f"{counts['customers']} 位客户 customers, {counts['staff']} 名员工 staff, "
                    f"{counts['price_items']} 个收费项目 price items"
                )
            )
            if "complaints" in counts:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"近四周案件 / four weeks of cases: {counts['complaints']} 宗投诉 complaints "
                        f"({counts['open_complaints']} 宗处理中 open), {counts['repairs']} 张报修单 repairs "
                        f"({counts['open_repairs']} 张未完成 open), {counts['visits_done']}/{counts['return_visits']} "
                        "次回访已完成 return visits done"
                    )
                )
            self.stdout.write(f"用时 / took {seconds:.1f}s")
        self.stdout.write(demo.login_help(options["url"] or demo.served_url(options["host"], options["port"])))
