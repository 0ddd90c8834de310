"""C01 in a real browser: choosing the customer shows their open cases, typing the same words proposes the earlier
complaint, and one tap adds the words to it instead of registering the same complaint again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "楼上每天晚上十一点以后还在装修，电钻声音吵得孩子睡不着"


def login(page: Any, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_c01_the_same_complaint_is_added_to_the_earlier_one_not_registered_twice(world, live_server, browser):
    from guanjia.complaints.models import Complaint
    from guanjia.complaints.services import complaint_register
    from guanjia.timeline.models import Event

    earlier = complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description=TEXT, customer=world.customer
    )
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    login(page, base, "frontdesk", "/complaints/new/")

    page.fill("#lookup-q", "lm")
    page.locator("#lookup-results [data-pick-customer]", has_text="李明").first.click()
    cases = page.locator("#customer-cases")
    expect(cases).to_contain_text(earlier.number)
    expect(cases).to_contain_text("已登记")
    # The customer's own recent complaint is proposed as soon as the customer is chosen.
    expect(page.locator("#similar-complaints")).to_contain_text(earlier.number)

    page.fill("#id_description", "今晚又在装修，已经第三次打电话了，电钻声音太吵")
    similar = page.locator("#similar-complaints [data-complaint]", has_text=earlier.number)
    expect(similar).to_contain_text("同一客户")
    page.locator("#field-channel label", has_text="电话").first.click()
    with page.expect_navigation():
        similar.locator("button.add-to-existing").click()
    assert page.url.endswith(f"/complaints/{earlier.pk}/")
    expect(page.locator("body")).to_contain_text("客户补充反映")
    context.close()

    assert Complaint.objects.count() == 1
    event = Event.objects.get(subject_id=earlier.pk, verb="complaint.customer_added")
    assert event.data["text"] == "今晚又在装修，已经第三次打电话了，电钻声音太吵"
