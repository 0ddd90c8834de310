"""`make run`: serve the web UI and the API on one machine, with the background sweep in-process.

Waitress (a production-grade, pure-Python WSGI server) serves the app; WhiteNoise serves the static files.
With REDIS_URL set the sweep runs on the Celery worker instead (`make worker`), so several app processes
behind a proxy never sweep twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Guanjia (web UI, API and, without Redis, the in-process background sweep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-sweeper", action="store_true", help="do not start the in-process sweep")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from config.wsgi import application
        from guanjia.desk.demo import login_help

        self.stdout.write(login_help(f"http://{options['host']}:{options['port']}"))
        if not settings.REDIS_URL and not options["no_sweeper"]:
            from guanjia.cases.background import start_background_sweeper

            start_background_sweeper()
            self.stdout.write("后台任务：进程内运行 (in-process background sweep)")
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']} (Ctrl-C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="guanjia")
