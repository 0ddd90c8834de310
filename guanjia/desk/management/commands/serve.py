"""`make run`: serve the web UI and the API on one machine, with the background sweep in-process.

Waitress (a production-grade, pure-Python WSGI server) serves the app; WhiteNoise serves the static files.
With REDIS_URL set the sweep runs on the Celery worker instead (`make worker`), so several app processes
behind a proxy never sweep twice.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.dev_keys import DEVELOPMENT_PII_HASH_KEY, DEVELOPMENT_SECRET_KEY


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: only this machine can reach them."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # any other host name may resolve to an address other machines reach


def published_keys_in_effect() -> list[str]:
    """The settings that still hold a development key published in this repository."""
    published = []
    if settings.SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        published.append("SECRET_KEY")
    if settings.PII_HASH_KEY == DEVELOPMENT_PII_HASH_KEY:
        published.append("PII_HASH_KEY")
    return published


def refuse_published_keys(host: str) -> None:
    """Anyone who has read the source could forge sessions (SECRET_KEY) or recompute ID-number hashes
    (PII_HASH_KEY) with a published key: such a server may only answer this machine."""
    published = published_keys_in_effect()
    if not published or is_loopback(host):
        return
    names = " / ".join(published)
    raise CommandError(
        f"拒绝在 {host} 上提供服务：{names} 仍是源代码中公开的开发密钥，其他机器可以访问此地址。"
        "请先把环境变量 SECRET_KEY 和 PII_HASH_KEY 设为各自不同的随机值"
        "（python -c 'import secrets; print(secrets.token_urlsafe(50))'），或只在本机地址 127.0.0.1 上运行。\n"
        f"Refusing to serve on {host}: {names} is still the development key published in the source, and other "
        "machines can reach this address. Set the environment variables SECRET_KEY and PII_HASH_KEY to two "
        "different random values first, or serve on 127.0.0.1 only."
    )


class Command(BaseCommand):
    help = "Serve Guanjia (web UI, API and, without Redis, the in-process background sweep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-sweeper", action="store_true", help="do not start the in-process sweep")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_published_keys(options["host"])
        from waitress import serve

        from config.wsgi import application
        from guanjia.desk.demo import login_help, served_url

        url = served_url(options["host"], options["port"])
        self.stdout.write(login_help(url))
        if not settings.REDIS_URL and not options["no_sweeper"]:
            from guanjia.cases.background import start_background_sweeper

            start_background_sweeper()
            self.stdout.write("后台任务：进程内运行 (in-process background sweep)")
        self.stdout.write(f"Serving on {url} (Ctrl-C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="guanjia")
