"""The complaint desk in a real browser (Debian chromium): register a complaint while "on the phone" and see it
on the live board with its countdown; a customer signs the opinion form on the canvas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
# Screenshots of a test run go to var/ (ignored by git); the README's pictures are retaken by scripts/screenshots.py.
DOCS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def desk_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page: Any, base: str, username: str, next_url: str = "/") -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def seed_board(world: Any) -> None:
    """A few open complaints of every urgency and grade, so the board looks like a working morning."""
    from guanjia.cases.services import deadline_cancel, deadline_set
    from guanjia.complaints import services
    from guanjia.estates.models import Customer
    from guanjia.testing.factories import make_building, make_customer, make_unit

    people = [
        ("张伟", "5", "1", "0602", "13800135001"),
        ("王芳", "2", "1", "1103", "13800135002"),
        ("刘洋", "7", "2", "0301", "13800135003"),
    ]
    customers: list[Customer] = []
    for name, building_no, entrance, room, phone in people:
        building = make_building(world.estate, building_no)
        unit = make_unit(world.estate, building, entrance=entrance, room=room)
        customers.append(make_customer(world.estate, name=name, phones=(phone,), units=(unit,)))
    cases: list[tuple[Customer, str, str, dict[str, Any], int, str]] = [
        (customers[0], "楼上装修噪音，晚上十点后仍在施工", "5栋1单元", {}, -12, "environment"),
        (customers[1], "电梯困人二十分钟，无人应答", "2栋电梯", {"injury": "minor"}, 3, "engineering"),
        (customers[2], "停车位被占用多次，保安未处理", "地面停车场", {"repeat_count": 3}, 22, "security"),
        (
            world.customer,
            "家中水管爆裂，地板泡水，损失约1.2万元",
            "3栋2单元1201",
            {"economic_loss_yuan": 12000},
            95,
            "",
        ),
    ]
    now = timezone.now()
    for customer, text, place, facts, minutes, department in cases:
        complaint = services.complaint_register(
            project=world.estate,
            actor=world.front_desk,
            channel="phone",
            description=text,
            location=place,
            customer=customer,
            facts=facts,
            received_at=now - timedelta(minutes=30),
        )
        if department:
            services.complaint_dispatch(complaint=complaint, department=department, actor=world.supervisor)
        deadline_cancel(subject=complaint, at=now)
        due = now + timedelta(minutes=minutes)
        deadline_set(subject=complaint, kind="response", due_at=due, now=min(now, due - timedelta(minutes=1)))


def test_c02_register_a_complaint_on_the_desk_and_see_it_on_the_board(world, live_server, desk_page):
    page = desk_page
    base = live_server.url
    seed_board(world)
    login(page, base, "frontdesk", "/complaints/new/")

    # Find the caller as they say their name; one click fills customer and home.
    page.fill("#lookup-q", "lm")
    page.locator("#lookup-results [data-pick-customer]", has_text="李明").first.click()
    assert "3栋2单元1201" in page.locator("#picked-customer").inner_text()

    page.click("label.channel:has-text('电话')")
    page.fill("#id_description", "客厅天花板渗水，滴到沙发上")
    page.fill("#id_location", "3栋2单元1201客厅")
    page.select_option("#id_against_department", "engineering")
    assert "我代表工程部向您致歉" in page.locator("#apology-text").inner_text()
    page.click("[data-insert-apology]")
    assert "我代表工程部向您致歉" in page.input_value("#id_note")
    page.fill("#id_customer_request", "今天下午派人上门查看")
    page.click(".submit-bar button[type=submit]")

    page.wait_for_url(re.compile(r"/complaints/\d+/$"))
    number = page.locator(".complaint-title h1").inner_text().split()[0]
    assert number.startswith("TS")
    assert "处理记录" in page.locator("#timeline").inner_text()

    page.goto(f"{base}/complaints/board/")
    row = page.locator(".board-row", has_text=number)
    row.wait_for()
    countdown = row.locator(".countdown-value")
    first = countdown.inner_text()
    assert first.startswith("剩余")
    # The countdown ticks every second (waits up to 5 s: a board refresh may re-render it meanwhile).
    expect(countdown).not_to_have_text(first, timeout=5000)
    overdue = page.locator(".countdown.urgency-overdue .countdown-value").first
    assert overdue.inner_text().startswith("已超时 12分钟")

    DOCS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "screenshot-board.png"), full_page=True)


def test_c11_countdowns_run_on_the_servers_clock_not_the_desk_pcs(world, live_server, desk_page):
    # A desk PC whose clock is three hours fast still shows what is really overdue, and by how much.
    seed_board(world)
    desk_page.clock.install(time=timezone.now() + timedelta(hours=3))
    login(desk_page, live_server.url, world.front_desk.username, "/complaints/board/")
    overdue = desk_page.locator(".countdown.urgency-overdue .countdown-value")
    expect(overdue).to_have_count(1)
    assert overdue.first.inner_text().startswith("已超时 12分钟")


def test_c20_customer_signs_on_the_canvas_and_the_signature_is_kept(world, live_server, phone_page, settings, tmp_path):
    from guanjia.complaints import services
    from guanjia.complaints.models import ComplaintSignature

    settings.MEDIA_ROOT = tmp_path
    complaint = services.complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="visit",
        description="楼道灯坏了一周",
        customer=world.customer,
    )
    page = phone_page
    base = live_server.url
    sign_url = f"/complaints/{complaint.pk}/sign/"
    login(page, base, "frontdesk", sign_url)

    # Submitting an empty pad is stopped in the browser.
    page.click("#sign-form button[type=submit]")
    assert page.locator("[data-pad-empty]").is_visible()

    page.fill("#id_opinion", "处理及时，满意")
    box = page.locator("#signature-pad").bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + 30 + step * 11, y + box["height"] * (0.6 - 0.25 * ((step % 6) / 6)), steps=2)
    page.mouse.up()
    page.click("#sign-form button[type=submit]")
    page.wait_for_url(f"{base}{sign_url}")

    kept = page.locator(".signatures .signature img")
    kept.scroll_into_view_if_needed()
    # The image comes through the access-checked view and really is a picture.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=kept.element_handle())
    signature = ComplaintSignature.objects.get()
    assert signature.opinion == "处理及时，满意" and signature.signer_name == "李明"
    assert signature.image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-sign-phone.png"), full_page=True)
