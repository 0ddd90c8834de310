"""R03–R11 on a phone: the technician accepts, arrives and completes an order with the customer's signature
drawn on the screen, and the desk sees it completed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from guanjia.testing.browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def draw(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 20, y + (15 if step % 2 else -15))
    page.mouse.up()


def test_r03_r10_r11_technician_completes_an_order_with_a_signature_on_a_phone(world, live_server, browser):
    from guanjia.repairs.models import PriceItem, Repair, RepairStatus
    from guanjia.repairs.services import RepairRequest, repair_log, repair_notify_department, repair_write_order

    item = PriceItem.objects.create(project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30"))
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="厨房水龙头漏水", unit=world.unit, customer=world.customer, price_item=item),
        actor=world.front_desk,
    )
    repair_write_order(repair=repair, actor=world.front_desk)
    repair_notify_department(repair=repair, actor=world.front_desk)

    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    login(page, base, "tech", "/repairs/mine/")

    page.click(f"#order-{repair.pk}")
    page.wait_for_url(f"{base}/repairs/{repair.pk}/work/")
    accept = page.locator("#btn-accept")
    box = accept.bounding_box()
    assert box is not None and box["height"] >= 56  # a big button for a thumb
    accept.click()
    page.locator("#btn-arrive").click()
    page.locator("#btn-agree").click()
    assert page.locator("#work-status").inner_text() == "维修中"

    # Sending without a signature is stopped on the phone; then the customer signs with a finger.
    page.locator("#btn-complete").click()
    assert page.locator("#complete-form .sigpad.sig-missing").count() == 1
    draw(page, "#complete-form canvas")
    page.locator("#btn-complete").click()
    page.locator("p.done").wait_for()
    assert page.locator("#work-status").inner_text() == "已完成"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()

    repair.refresh_from_db()
    assert repair.status == RepairStatus.COMPLETED
    signature = repair.signatures.get()
    assert signature.role == "customer" and signature.signer_name == "李明"

    # The desk sees it completed in the ledger and takes the department copy back (R11).
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(10_000)
    login(page, base, "frontdesk", "/repairs/")
    row = page.locator(f"#repair-{repair.pk}")
    assert "已完成" in row.inner_text()
    row.get_by_role("link", name=repair.number).click()
    page.get_by_role("button", name="部门联已交回前台 (R11)").click()
    assert page.locator("#repair-status").inner_text() == "已交回前台"
    desk.close()
    assert Repair.objects.get(pk=repair.pk).status == RepairStatus.RETURNED


def test_r02_work_order_print_fits_one_a4_page(world, live_server, browser):
    from guanjia.repairs.services import RepairRequest, repair_log

    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="阳台推拉门变形，关不严", unit=world.unit, customer=world.customer),
        actor=world.front_desk,
    )
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, "frontdesk", f"/repairs/{repair.pk}/print/")
    assert page.locator(".order-copy").count() == 3
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # desk, department and customer copies on one sheet
    context.close()
