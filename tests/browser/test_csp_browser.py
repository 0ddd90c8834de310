"""The Content-Security-Policy in a real browser (Debian chromium): the desk, the board and the API docs work and
the browser refuses nothing (a refused script, style or image shows up as a "Refused to …" console error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def watched_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A desk-sized page and the list every CSP violation the browser reports is appended to."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            refused.append(f"{page.url}: {text}")

    page.on("console", on_console)
    yield page, refused
    context.close()


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_the_desk_pages_run_under_the_policy_without_a_violation(world, live_server, watched_page):
    page, refused = watched_page
    base = live_server.url
    login(page, base, "manager")
    links = page.eval_on_selector_all("#nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    assert "/complaints/board/" in links

    for href in dict.fromkeys(links):
        page.goto(f"{base}{href}")
        page.wait_for_load_state("networkidle")
        # htmx was told not to inject its indicator <style> (the policy would refuse it).
        assert page.evaluate("document.querySelectorAll('head style').length") == 0, href

    assert refused == []


def test_the_live_search_and_the_switcher_work_under_the_policy(world, live_server, watched_page):
    page, refused = watched_page
    base = live_server.url
    login(page, base, "gm")  # the general manager sees both estates in the switcher

    page.fill("#customer-q", "lm")
    page.locator("#search-results a.result", has_text="李明").wait_for()
    # Choosing another estate submits the switcher by itself (a data-autosubmit listener, no onchange=).
    with page.expect_navigation():
        page.select_option("#project-switch", str(world.other_estate.pk))
    page.wait_for_load_state("networkidle")
    assert page.locator("#project-switch option:checked").inner_text() == "翠湖苑"

    assert refused == []


def test_the_api_docs_render_under_the_policy(world, live_server, watched_page):
    page, refused = watched_page
    base = live_server.url
    login(page, base, "manager")

    page.goto(f"{base}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Guanjia" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()

    assert refused == []
