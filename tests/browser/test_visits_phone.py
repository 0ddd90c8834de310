"""V03, V05, V06 on a phone: the front desk opens "my visits today", records an on-site visit with the customer's
signature drawn on the screen, then an unsatisfied phone visit, which opens the rectification complaint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanjia.testing.browser import PHONE
from tests.browser.test_repairs_phone import draw, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit_due_today(world, number: str):
    from guanjia.repairs.models import Repair
    from guanjia.visits.models import ReturnVisit
    from guanjia.visits.services import return_visit_plan

    repair = Repair.objects.create(
        project=world.estate,
        number=number,
        unit=world.unit,
        customer=world.customer,
        received_at=timezone.now() - timedelta(hours=5),
        registered_by=world.front_desk,
        description="卫生间漏水",
    )
    visit = return_visit_plan(
        case=repair, case_type="repair", completed_at=timezone.now() - timedelta(hours=2), actor=None
    )
    # Due at 24:00 today (local), whatever the hour the test runs.
    tonight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ReturnVisit.objects.filter(pk=visit.pk).update(due_at=tonight)
    return visit


def test_v03_v05_v06_visitor_signs_on_site_and_an_unsatisfied_visit_opens_a_rectification(world, live_server, browser):
    from guanjia.visits.models import ReturnVisit

    signed = _visit_due_today(world, "BX0000000001")
    unhappy = _visit_due_today(world, "BX0000000002")

    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    login(page, base, "frontdesk", "/visits/")
    assert page.locator(".visit-card").count() == 2
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 1. On site, satisfied: the customer signs with a finger; saving without a signature is stopped first.
    page.click(f"[data-visit='{signed.pk}']")
    page.wait_for_url(f"{base}/visits/{signed.pk}/")
    assert "卫生间漏水" in page.content()  # the case record (V05)
    page.check("input[name=method][value=on_site]")
    page.check("input[name=satisfaction][value='5']", force=True)
    page.fill("#quality", "师傅很专业")
    page.click("button.primary[type=submit]")
    assert page.locator(".sigpad.sig-missing").count() == 1
    draw(page, ".visit-form canvas")
    page.click("button.primary[type=submit]")
    page.wait_for_url(f"{base}/visits/")
    signed.refresh_from_db()
    assert signed.status == "done" and signed.method == "on_site" and signed.signature
    assert signed.satisfaction == 5 and signed.quality == "师傅很专业"

    # 2. By phone, unsatisfied: reported, reviewed, and a rectification complaint names the old case.
    page.click(f"[data-visit='{unhappy.pk}']")
    page.check("input[name=method][value=phone]")
    page.check("input[name=satisfaction][value='2']", force=True)
    page.fill("#shortfalls", "墙角仍渗水")
    page.click("button.primary[type=submit]")
    page.wait_for_url(f"{base}/visits/")
    assert "整改投诉" in page.locator(".messages").inner_text()
    unhappy = ReturnVisit.objects.get(pk=unhappy.pk)
    assert unhappy.unsatisfied and unhappy.rectification is not None
    assert "BX0000000002" in unhappy.rectification.description
    page.goto(f"{base}/visits/{unhappy.pk}/")
    assert page.locator("[data-rectification]").inner_text() == unhappy.rectification.number
    phone.close()
