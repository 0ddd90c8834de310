#!/usr/bin/env python
"""Take the README's screenshots: docs/screenshot-desk.png (the desk with search results) and
docs/screenshot-customer.png (a customer's page), 1280 pixels wide, in Chinese.

    .venv/bin/python scripts/screenshots.py

Runs in a throwaway database (never var/): it loads the demo data (guanjia.desk.demo) when that is
available, otherwise a few rows of its own, serves the site on a free local port and drives Debian's
chromium through Playwright.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: Any = {"width": 1280, "height": 860}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop here
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)")
        return 1
    setup_test_environment()
    workdir = tempfile.mkdtemp(prefix="guanjia-shots-")
    if connection.vendor == "sqlite":
        # A file, not memory: the server thread opens its own connection to it.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(workdir) / "screenshots.sqlite3")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        user, customer, query = _seed()
        _shoot(user, customer, query)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print(f"wrote {DOCS / 'screenshot-desk.png'} and {DOCS / 'screenshot-customer.png'}")
    return 0


def _seed() -> tuple[Any, Any, str]:
    """(a front-desk user, a customer with a household, a query that finds several customers)."""
    from django.db.models import Count

    from guanjia.accounts.models import Role
    from guanjia.estates.models import Customer

    try:
        from guanjia.desk import demo

        demo.load()
    except ImportError:
        _own_rows()
    customer = (
        Customer.objects.filter(units__butler__isnull=False)
        .annotate(housemates=Count("units__customers", distinct=True))
        .filter(housemates__gte=2, kind="owner")
        .order_by("id")
        .first()
    ) or Customer.objects.order_by("id").first()
    assert customer is not None
    from guanjia.accounts.models import User

    user = User.objects.filter(role=Role.FRONT_DESK, projects=customer.project).order_by("id").first()
    assert user is not None, "no front-desk member of staff in the customer's project"
    from guanjia.estates.services import customer_update

    customer_update(
        customer=customer, version=customer.version, changes={"note": "偏好电话联系，工作日 18:00 后方便。"}, actor=user
    )
    return user, customer, customer.name[0]


def _own_rows() -> None:
    from guanjia.accounts.models import Role
    from guanjia.estates.models import CustomerKind
    from guanjia.estates.services import customer_create
    from guanjia.testing.factories import make_building, make_company, make_project, make_staff, make_unit

    company = make_company(name="安居物业", code="anju")
    project = make_project(company, name="滨江花园", code="binjiang")
    butler = make_staff(Role.BUTLER, projects=(project,), username="butler", name="王管家", phone="13600001111")
    make_staff(Role.FRONT_DESK, projects=(project,), username="frontdesk", name="陈前台")
    households = [("李明", "李小红", "13912345678"), ("李建国", "", "13822223333"), ("李娜", "张伟", "15011115678")]
    households += [("李秀英", "", "18600001201"), ("李强", "王芳", "13700002468"), ("李静", "", "13512341234")]
    for i, (owner, member, phone) in enumerate(households):
        building = make_building(project, str(i % 3 + 1)) if i < 3 else project.buildings.get(number=str(i % 3 + 1))
        unit = make_unit(project, building, entrance="2", room=f"{12 - i}01", butler=butler)
        customer_create(project=project, name=owner, phones=[phone], units=[unit])
        if member:
            customer_create(project=project, name=member, kind=CustomerKind.HOUSEHOLD_MEMBER, units=[unit])


def _shoot(user: Any, customer: Any, query: str) -> None:
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test import Client
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    DOCS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": base}])
            page = context.new_page()
            page.goto(f"{base}/")
            page.fill("#customer-q", query)
            page.locator("#search-results a.result").first.wait_for()
            page.wait_for_timeout(300)
            page.screenshot(path=str(DOCS / "screenshot-desk.png"), full_page=True)
            page.goto(f"{base}/estates/customers/{customer.pk}/")
            page.screenshot(path=str(DOCS / "screenshot-customer.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    raise SystemExit(main())
