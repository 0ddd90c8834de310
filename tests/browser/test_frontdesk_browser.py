"""The counter on a tablet: register a parcel by scanning, hand it over with the pickup code (F02)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from guanjia.frontdesk.models import CustodyItem, CustodyStatus
from guanjia.notifications.outbox import deliver_due
from guanjia.notifications.tests.fakes import aliyun_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def tablet_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=TABLET, device_scale_factor=1, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sms_provider(settings):
    """The SMS provider is Aliyun, played by a local fake on 127.0.0.1 that checks the signed request."""
    yield from aliyun_on(settings)


def test_f02_register_a_parcel_and_hand_it_over_with_the_pickup_code_on_a_tablet(
    world, live_server, tablet_page, sms_provider
):
    page = tablet_page
    page.goto(f"{live_server.url}/login/?next=/frontdesk/")
    page.fill("#id_username", "frontdesk")
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/frontdesk/")

    # The scanner types the tracking number and Enter: the cursor moves on, nothing is submitted yet.
    page.locator("#fd-tracking").press_sequentially("SF1400200300")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "fd-unit"
    assert CustodyItem.objects.count() == 0

    # The unit type-ahead offers 3-2-1201 with its resident.
    page.keyboard.type("3-2-12")
    # A function, not an expression: the Content-Security-Policy forbids eval.
    page.wait_for_function("() => document.querySelectorAll('#fd-units option').length > 0")
    assert page.locator("#fd-units option").first.get_attribute("value") == "3-2-1201"
    page.fill("#fd-unit", "3-2-1201")
    page.fill("#fd-shelf", "C4")
    page.click("#receive-form button[type=submit]")

    notice = page.locator(".messages .msg.success")
    notice.wait_for()
    found = re.search(r"取件码 (\d{6})", notice.inner_text())
    assert found is not None
    code = found.group(1)
    assert "139****5678" in notice.inner_text()
    deliver_due(timezone.now())  # what the periodic worker does
    (sms,) = sms_provider.accepted  # the provider accepted the customer's SMS, with this code
    assert sms["PhoneNumbers"] == "13912345678" and code in sms["TemplateParam"]
    row = page.locator("#custody-list .fd-row", has_text="SF1400200300")
    assert "C4" in row.inner_text()

    # The customer comes with the code: open the hand-over dialog from the row and type it.
    row.get_by_role("button", name="交付").click()
    dialog = page.locator("#hand-over-dialog")
    assert dialog.is_visible()
    assert page.locator("#hand-over-dialog input[value=pickup_code]").is_checked()
    page.fill("#fd-proof", code)
    dialog.get_by_role("button", name="确认交付").click()
    page.locator(".messages .msg.success", has_text="已交付给").wait_for()
    assert page.locator("#custody-list .fd-row", has_text="SF1400200300").count() == 0

    item = CustodyItem.objects.get(tracking_number="SF1400200300")
    assert item.status == CustodyStatus.HANDED_OVER and item.proof_kind == "pickup_code"
    # Nothing is wider than the tablet's screen, and the touch targets are finger-sized.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    box = page.locator("#fd-code").bounding_box()
    assert box is not None and box["height"] >= 44
