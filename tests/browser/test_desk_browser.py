"""The desk on a phone: log in, find 李明 by his initials, open him, see his home."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_o01_front_desk_finds_a_customer_by_initials_on_a_phone(world, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "frontdesk")
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The live search answers while typing (htmx, debounced), without pressing 搜索.
    page.fill("#customer-q", "lm")
    result = page.locator("#search-results a.result", has_text="李明")
    result.wait_for()
    assert "139****5678" in result.inner_text()

    result.click()
    page.wait_for_url(f"{live_server.url}/estates/customers/{world.customer.pk}/")
    assert page.locator("h1").inner_text().startswith("李明")
    assert page.locator("#units-title + ul").inner_text().count("3栋2单元1201") == 1

    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_nav_collapses_behind_the_menu_button_on_a_phone(world, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    units_link = page.locator("#nav").get_by_role("link", name="房屋", exact=True)
    assert not units_link.is_visible()
    page.click("[data-toggle-nav]")
    assert units_link.is_visible()
    box = units_link.bounding_box()
    assert box is not None and box["height"] >= 44
    units_link.click()
    page.wait_for_url(f"{live_server.url}/estates/units/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_reveal_button_swaps_in_a_tel_link(world, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/login/?next=/estates/customers/{world.customer.pk}/")
    page.fill("#id_username", "butler")
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/estates/customers/{world.customer.pk}/")
    page.click("button.reveal")
    link = page.locator('#phones a[href="tel:13912345678"]')
    link.wait_for()
    assert link.inner_text() == "13912345678"
