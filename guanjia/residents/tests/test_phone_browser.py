"""The residents' door on a phone (390×844): sign in with a code, agree to the privacy notice, report a leaking
tap with a photo, see it accepted on the desk, dispatched, the technician on the way, sign the order on the
phone when the technician asks (R10) and see it done; answer the return
visit unsatisfied (the rectification opens); show a parcel's pickup code that the desk hands over against; create
a visitor pass that the desk admits."""

from __future__ import annotations

import re

import pytest

from guanjia.residents.tests.conftest import last_code
from guanjia.testing.browser import PHONE
from guanjia.testing.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LI_MING_PHONE = "13912345678"


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def sign_in(page, base: str, outbox) -> None:
    page.goto(f"{base}/r/")
    page.wait_for_url(f"{base}/r/login/")
    page.fill("#phone", LI_MING_PHONE)
    page.click("button.primary")
    page.wait_for_selector("#code")
    code = last_code(outbox, LI_MING_PHONE)  # printed on the server console: no SMS provider in tests
    page.fill("#code", code)
    page.click("button.primary")
    page.wait_for_url(f"{base}/r/privacy/")
    fits(page)
    page.check("input[name=agree]")
    page.click("button.primary")
    page.wait_for_url(f"{base}/r/")


def test_resident_reports_follows_rates_collects_and_invites_on_a_phone(world, live_server, browser, outbox):
    from django.utils import timezone

    from guanjia.accounts.models import Role
    from guanjia.frontdesk.models import CustodyStatus, VisitorPass
    from guanjia.frontdesk.services import custody_hand_over, custody_receive, visitor_register
    from guanjia.repairs.models import Repair, RepairSignature, SignerRole
    from guanjia.repairs.services import (
        repair_accept,
        repair_arrive,
        repair_assess,
        repair_complete,
        repair_customer_agrees,
        repair_order_and_notify,
        repair_record_consent,
    )
    from guanjia.residents.models import OnlineReport
    from guanjia.residents.signing import sign_request_open
    from guanjia.testing.factories import make_staff
    from guanjia.visits.models import ReturnVisit

    base = live_server.url
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, outbox)
    assert "李明" in page.content()
    fits(page)

    # Report a leaking tap with a photo from the camera.
    page.click(".r-tiles a[href='/r/repairs/new/']")
    page.fill("#description", "厨房水龙头漏水")
    page.set_input_files("#photos", {"name": "tap.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()})
    fits(page)
    page.click("button.primary")
    page.wait_for_url(f"{base}/r/repairs/")
    assert "等待物业受理" in page.content()

    # The desk sees it, with the photo, and accepts it into a repair.
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(f"{base}/login/?next=/r/desk/")
    desk.fill("#id_username", "frontdesk")
    desk.fill("#id_password", "pass-for-tests-1")
    desk.click("button[type=submit]")
    desk.wait_for_url(f"{base}/r/desk/")
    assert "厨房水龙头漏水" in desk.content()
    assert desk.locator("img[alt='业主上传照片']").count() == 1
    desk.click(f"#report-{OnlineReport.objects.get().pk} button.primary")
    desk.wait_for_url(re.compile(r"/repairs/\d+/$"))
    repair = Repair.objects.get()
    assert desk.url == f"{base}/repairs/{repair.pk}/"
    assert repair.number in desk.content()

    page.reload()
    assert repair.number in page.content() and "物业已受理" in page.content()

    # Dispatched, the technician on the way, done: the resident reads each in plain words.
    repair_order_and_notify(repair=repair, actor=world.front_desk)
    page.goto(f"{base}/r/repairs/{repair.pk}/")
    assert "已派单处理" in page.locator(".r-status").inner_text()
    engineer = make_staff(Role.ENGINEERING_SUPERVISOR, projects=(world.estate,), username="eng", name="钱主管")
    repair = repair_assess(repair=repair, actor=engineer, feasible=True, assessment="换阀芯", quoted_fee_yuan="30")
    repair = repair_record_consent(repair=repair, actor=world.front_desk, agreed=True)
    repair = repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    page.reload()
    assert "师傅已接单" in page.locator(".r-status").inner_text() and "刘师傅" in page.content()
    repair = repair_arrive(repair=repair, actor=world.technician)
    repair = repair_customer_agrees(repair=repair, actor=world.technician)

    # R10: the technician asks the customer to sign on their own phone; the resident draws the signature.
    sign_request_open(repair=repair, actor=world.technician, now=timezone.now())
    page.goto(f"{base}/r/")
    page.click(f"#sign-ask-{repair.pk} a")
    page.wait_for_url(f"{base}/r/repairs/{repair.pk}/sign/")
    fits(page)
    box = page.locator("canvas.signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 40 + (step % 3) * 30)
    page.mouse.up()
    page.click("#sign-form button.primary")
    page.wait_for_url(f"{base}/r/repairs/{repair.pk}/")
    signature = RepairSignature.objects.get(repair=repair)
    assert signature.role == SignerRole.CUSTOMER and signature.signer_name == "李明"
    repair_complete(
        repair=repair,
        actor=world.technician,
        customer_signed=repair.signatures.filter(role=SignerRole.CUSTOMER).exists(),
        fee_yuan="30",
        payment_method="cash",
    )
    page.reload()
    assert "已完成" in page.locator(".r-status").inner_text()
    fits(page)

    # The return visit, answered unsatisfied: the rectification opens as for a phone answer (V06).
    visit = ReturnVisit.objects.get(object_id=repair.pk)
    page.goto(f"{base}/r/visits/")
    page.check(f"#visit-{visit.pk} input[name=satisfaction][value='2']")
    page.fill(f"#comment-{visit.pk}", "第二天又漏了")
    page.click(f"#visit-{visit.pk} button.primary")
    page.wait_for_selector("text=感谢您的评价")
    visit.refresh_from_db()
    assert visit.unsatisfied and visit.rectification is not None
    # The desk opens the rectification with the customer's words.
    answer = desk.goto(f"{base}/complaints/{visit.rectification.pk}/")
    assert answer is not None and answer.status == 200
    assert visit.rectification.number in desk.content()

    # A parcel waits: the resident's list shows its pickup code and QR, the desk hands it over against it.
    parcel = custody_receive(
        project=world.estate,
        kind="parcel",
        description="顺丰快递",
        actor=world.front_desk,
        owner_customer=world.customer,
        owner_unit=world.unit,
        send_code=False,
    ).obj
    page.goto(f"{base}/r/parcels/")
    assert page.locator(f"#parcel-{parcel.pk} .r-qr svg").count() == 1
    code = page.locator(f"#parcel-{parcel.pk} [data-pickup-code]").inner_text().strip()
    fits(page)
    parcel.refresh_from_db()
    custody_hand_over(item=parcel, proof_kind="pickup_code", proof_value=code, actor=world.front_desk)
    parcel.refresh_from_db()
    assert parcel.status == CustodyStatus.HANDED_OVER

    # A visitor pass for today, admitted at the desk with its code.
    page.goto(f"{base}/r/visitors/")
    page.fill("#visitor_name", "王小红")
    page.fill("#visit_date", timezone.localdate().isoformat())
    page.click("button.primary")
    pass_code = page.locator("[data-pass-code]").inner_text().strip()
    visitor_register(
        project=world.estate, name="王小红", host_unit=world.unit, actor=world.front_desk, pass_code=pass_code
    )
    assert VisitorPass.objects.get().used_at is not None
    fits(page)
    context.close()
    desk_context.close()
