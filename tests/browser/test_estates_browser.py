"""O01, F07 on a tablet: the office manager adds a unit, the front desk adds a customer at the counter and
records their move-in (the handover lands in the customer's archive)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guanjia.estates.models import Customer, Residency, Unit, UnitStatus
from guanjia.frontdesk.models import ArchiveEvent, ArchiveEventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    """A fresh tablet (its own cookies) per call: one for each person at the desk."""
    contexts: list[Any] = []

    def open_as(username: str, live_server_url: str) -> Any:
        context = browser.new_context(viewport=TABLET, device_scale_factor=1, has_touch=True, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server_url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pass-for-tests-1")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_o01_f07_manager_adds_a_unit_and_the_desk_adds_a_customer_and_moves_them_in(world, live_server, tablet):
    # The office manager adds 3栋2单元0901 from the unit list.
    manager = tablet("manager", live_server.url)
    manager.goto(f"{live_server.url}/estates/units/")
    manager.click("#unit-new")
    manager.fill("#u-entrance", "2")
    manager.fill("#u-room", "0901")
    manager.click("#unit-form button.primary")
    manager.wait_for_url("**/estates/units/*/")
    assert "3栋2单元0901" in manager.locator("h1").inner_text()
    unit = Unit.objects.get(project=world.estate, room="0901")
    assert unit.status == UnitStatus.VACANT

    # The front desk does not see the estate administration …
    desk = tablet("frontdesk", live_server.url)
    desk.goto(f"{live_server.url}/estates/customers/")
    assert desk.locator("#nav-estate").count() == 0
    # … adds the customer standing at the counter in a few keystrokes …
    desk.click("#customer-new")
    desk.fill("#c-name", "王芳")
    desk.fill("#c-phone", "13700007777")
    desk.select_option("#c-kind", "tenant")
    desk.click("#customer-form button.primary")
    desk.wait_for_url("**/estates/customers/*/")
    customer = Customer.objects.get(project=world.estate, name="王芳")

    # … and records the move-in with the handover.
    form = desk.locator("#move-in-form")
    form.locator("input[name=unit]").fill("3-2-0901")
    form.locator("select[name=kind]").select_option("tenant")
    form.locator("input[name=date]").fill("2024-06-01")
    form.locator("input[name=documents_note]").fill("钥匙两把")
    form.locator("button.primary").click()
    desk.wait_for_load_state()

    assert desk.locator(".archive-panel").get_by_text("入住交接").count() >= 1
    assert Residency.objects.get(customer=customer).unit == unit
    event = ArchiveEvent.objects.get(customer=customer)
    assert (event.kind, event.documents_note) == (ArchiveEventKind.MOVE_IN_HANDOVER, "钥匙两把")
    unit.refresh_from_db()
    assert unit.status == UnitStatus.OCCUPIED
    # Nothing overflows the tablet's width.
    assert desk.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
