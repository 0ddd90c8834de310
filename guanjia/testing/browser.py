"""Browser tests drive Debian's chromium through Playwright's sync API (never a downloaded browser).

Loaded once for the whole suite as a pytest plugin (``pytest_plugins`` in the root conftest): one Playwright
instance per test process. Import constants from here; never import the fixtures into a test module (pytest
would then start a second Playwright, which refuses to run inside the first one's event loop)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse database access
# from it as "async unsafe". The live server runs in its own thread and is unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}  # portrait, as a tablet is held at the counter


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("/usr/bin/chromium is required in CI (apt-get install chromium fonts-noto-cjk)")
    pytest.skip("/usr/bin/chromium is missing: install Debian's chromium to run the browser tests")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    """``tablet()`` opens a page on a new portrait tablet (its own cookies): two people, two devices."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(
            viewport=TABLET, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def pytest_configure(config: pytest.Config) -> None:
    """On SQLite the live server's request threads share the test's one in-memory connection; two requests at
    once (a page and the notification badge's poll) then break it ("bad parameter or other API misuse"). The
    live server answers one request at a time there, as a single desk would never notice."""
    from django.test import testcases

    setattr(testcases.LiveServerThread, "server_class", _one_request_at_a_time_server())  # noqa: B010 (no stub)


#: Set from the end of a test's body until the next test starts: the live server then answers 503 at once.
_between_tests = threading.Event()
_request_lock = threading.Lock()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _between_tests.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Before the test's fixtures are torn down (its pages closed, its database flushed): the live server stops
    serving and the request it may be answering (a badge or alert poll the page sent as the test ended) finishes.
    Otherwise on SQLite that request's read holds a table the flush must empty ("database table is locked")."""
    _between_tests.set()
    with _request_lock:
        pass
    yield


def _one_request_at_a_time_server() -> type:
    from django.core.servers.basehttp import ThreadedWSGIServer

    class OneRequestAtATime(ThreadedWSGIServer):
        lock = _request_lock

        def set_app(self, application: Any) -> None:
            if not getattr(self, "connections_override", None):
                super().set_app(application)
                return
            lock = self.lock

            def serialized(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                with lock:
                    if _between_tests.is_set():
                        # The test is over: a page's late poll must not touch the database being flushed.
                        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                        return [b"between tests"]
                    response = application(environ, start_response)
                    try:
                        return [b"".join(response)]
                    finally:
                        close = getattr(response, "close", None)
                        if close is not None:
                            close()

            super().set_app(serialized)

    return OneRequestAtATime
