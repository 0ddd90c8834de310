"""The shift handover on a tablet (F08, F09): the outgoing clerk checks an area, logs an open matter and
hands over; the incoming butler, on another tablet, reads the sheet and signs on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanjia.testing.browser import TABLET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page: Any, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")


def test_f09_tablet_outgoing_hands_over_and_incoming_signs_on(world, live_server, tablet):
    from guanjia.dutylog import services
    from guanjia.dutylog.models import Handover
    from guanjia.frontdesk.models import CustodyItem

    now = timezone.now()
    shift = services.shift_open(
        project=world.estate, kind="day", starts_at=now - timedelta(hours=11, minutes=50),
        ends_at=now + timedelta(minutes=10), on_duty=[world.front_desk], actor=world.front_desk,
    )  # fmt: skip
    CustodyItem.objects.create(
        project=world.estate, kind="key", description="1201 空置房钥匙", owner_unit=world.unit, status="handed_over",
        received_at=now - timedelta(days=2), received_by=world.butler, handed_over_at=now - timedelta(hours=1),
        due_back_at=now + timedelta(hours=2), taken_by_name="装修队老张",
    )  # fmt: skip
    base = live_server.url

    # The outgoing clerk: one tap marks the lifts abnormal, one line logs an open matter.
    page = tablet()
    log_in(page, base, "frontdesk", "/duty/")
    row = page.locator("#check-lifts")
    row.locator("input[name=note]").fill("2号梯异响")
    row.get_by_role("button", name="异常").click()
    page.locator("#check-lifts.is-anomaly").wait_for()
    page.fill("#log-text", "3栋门禁卡机故障，工程部明早处理")
    page.check("input[name=is_open]")
    page.get_by_role("button", name="记录").click()
    page.locator(".dl-entries", has_text="3栋门禁卡机故障").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    page.click("#go-handover")
    page.wait_for_url(f"{base}/duty/shifts/{shift.pk}/handover/")
    assert "1201 空置房钥匙" in page.locator("#sheet-custody-out").inner_text()
    assert "3栋门禁卡机故障" in page.locator("#sheet-open-matters").inner_text()
    page.fill("#ho-matters", "2号梯待维保检查")
    page.locator("#handover-submit").get_by_role("button", name="交班").click()
    page.locator("#handover-status", has_text="待接班签名").wait_for()
    assert page.locator("#handover-sign").count() == 0  # the outgoing clerk cannot sign for the incoming shift

    # The incoming butler, on the other tablet, reads the frozen sheet and signs on.
    incoming = tablet()
    log_in(incoming, base, "butler", f"/duty/shifts/{shift.pk}/handover/")
    assert "2号梯待维保检查" in incoming.locator(".dl-sheet").inner_text()
    button = incoming.locator("#handover-sign button")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44
    button.click()
    incoming.locator("#signed-badge").wait_for()
    assert "王管家" in incoming.locator("#handover-status").inner_text()
    assert incoming.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    handover = Handover.objects.get(shift=shift)
    assert handover.status == "signed" and handover.signed_by == world.butler
