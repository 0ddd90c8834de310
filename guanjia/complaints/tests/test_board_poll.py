"""A board left open keeps refreshing: its poll URL is the same after any number of polls (it used to grow by
``&partial=list`` each time until the server answered 414 after about 52 minutes)."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from guanjia.complaints import services

BOARD = reverse("complaints:board")


def poll_url(page: str) -> str:
    match = re.search(r'<div id="board-list"[^>]*?hx-get="([^"]+)"', page, re.S)
    assert match, "the board list has no poll URL"
    return html.unescape(match.group(1))


def test_board_poll_url_stays_the_same_poll_after_poll(world, web_as):
    services.complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="电梯停运", customer=world.customer
    )
    client = web_as(world.front_desk)
    first = poll_url(client.get(BOARD, {"grade": "general", "q": "电梯"}).content.decode())
    url = first
    for _ in range(5):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert 'data-complaint="' in response.content.decode()  # the filtered list, not an empty page
        url = poll_url(response.content.decode())
        assert url == first
    assert url.count("partial=list") == 1
    assert "grade=general" in url and "q=" in url  # the filters survive the refresh


def test_transient_parameters_never_ride_along(world, web_as):
    client = web_as(world.front_desk)
    url = poll_url(client.get(BOARD, {"status": "registered", "page": "3", "utm_source": "x"}).content.decode())
    assert url == f"{BOARD}?status=registered&partial=list"
