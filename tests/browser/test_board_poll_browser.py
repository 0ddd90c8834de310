"""The board's 10-second poll in a real browser: the list carries an ETag, the browser asks again with
If-None-Match, and an unchanged board is answered 304 while the rows stay on screen (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_unchanged_board_poll_is_answered_304_and_the_rows_stay(world, live_server, board_page, monkeypatch):
    from guanjia.complaints import services
    from guanjia.complaints.views import pages

    answered: list[int] = []  # what the server answered each poll (the browser shows a 304 as its cached 200)
    keep_headers = pages._board_cache_headers

    def spy(response: Any, etag: str) -> Any:
        answered.append(response.status_code)
        return keep_headers(response, etag)

    monkeypatch.setattr(pages, "_board_cache_headers", spy)

    complaint = services.complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="电梯停运", customer=world.customer
    )
    page = board_page
    polls: list[tuple[str | None, int]] = []

    def seen(response: Any) -> None:
        if "partial=list" in response.url:
            polls.append((response.request.all_headers().get("if-none-match"), response.status))

    page.on("response", seen)
    page.goto(f"{live_server.url}/login/?next=/complaints/board/")
    page.fill("#id_username", world.front_desk.username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/complaints/board/")
    row = page.locator(f'.board-row[data-complaint="{complaint.pk}"]')
    row.wait_for()

    # two polls of the unchanged board (htmx polls every 10 s)
    page.wait_for_timeout(21_000)

    assert len(polls) >= 2 and answered[:2] == [200, 304], (polls, answered)
    assert polls[0][0] is None and polls[1][0]  # the browser revalidated with the ETag it was given
    assert row.count() == 1 and complaint.number in row.inner_text()  # the cached list was shown again
