"""Each role's first page on a phone (issue 15), and the urgent banner that never covers the menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanjia.testing.browser import PHONE, TABLET
from tests.browser.test_repairs_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(world):
    """One thing of each kind for every role's today: a complaint at 李明's home escalated to the office
    manager, an order accepted by the technician with an appointment, a parcel, a visitor, a done visit."""
    from guanjia.cases.services import deadline_set
    from guanjia.complaints.models import Complaint
    from guanjia.desk.tests.test_today import parcel, register, repair, visit, visitor
    from guanjia.repairs.models import Repair, RepairStatus
    from guanjia.visits.models import VisitStatus

    complaint = register(world)
    Complaint.objects.filter(pk=complaint.pk).update(escalate_to="office_manager")
    deadline_set(subject=complaint, kind="escalate", due_at=timezone.now() + timedelta(minutes=30), now=timezone.now())
    order = repair(world)
    Repair.objects.filter(pk=order.pk).update(
        assignee=world.technician, status=RepairStatus.ACCEPTED, appointment_at=timezone.now() + timedelta(hours=2)
    )
    parcel(world)
    visitor(world)
    visit(world, complaint)
    done = register(world, description="楼道灯不亮")
    visit(world, done, role="cs_supervisor", status=VisitStatus.DONE, done_at=timezone.now())
    return complaint, order


#: (login, the section that must show, the page its first row opens)
ROLES = [
    ("frontdesk", "today-parcels", "/frontdesk/"),
    ("butler", "today-complaints", "/complaints/{complaint}/"),
    ("tech", "today-orders", "/repairs/{order}/work/"),
    ("supervisor", "today-reviews", "/visits/"),
    ("manager", "today-escalations", "/complaints/{complaint}/"),
]


@pytest.mark.parametrize(("username", "section", "target"), ROLES)
def test_each_roles_first_page_on_a_phone(world, live_server, phone_page, username, section, target):
    complaint, order = _data(world)
    page = phone_page
    login(page, live_server.url, username, "/")
    card = page.locator(f"#{section}")
    assert card.is_visible()
    assert page.locator("#customer-q").is_visible()  # the search box stays
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    link = card.locator("a.today-link").first
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44  # one tap, with a finger
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + target.format(complaint=complaint.pk, order=order.pk))


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


#: The counter's tablet held landscape (1024×768): the menu is a row, the project switcher at its end.
LANDSCAPE = {"width": 1024, "height": 768}


@pytest.mark.parametrize("viewport", [PHONE, TABLET, LANDSCAPE], ids=["phone", "tablet", "tablet-landscape"])
def test_urgent_banner_never_covers_the_menu_and_stays_dismissed(world, live_server, browser, viewport):
    from guanjia.notifications.models import Level
    from guanjia.notifications.services import notify

    notify(
        recipients=[world.supervisor],
        kind="complaint.critical",
        title="新特别重大投诉 TS0001",
        project=world.estate,
        level=Level.URGENT,
    )
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server.url, "supervisor", "/")
        banner = page.locator("#urgent-alerts")
        banner.wait_for(state="visible")
        assert "TS0001" in banner.inner_text()
        banner_box = banner.bounding_box()
        menu_button = page.locator("[data-toggle-nav]")
        # On a phone and a portrait tablet: ☰ and the switcher; landscape: the menu row itself and the switcher.
        candidates = ("[data-toggle-nav]", "#project-switch", ".brand", "#nav")
        controls = [c for c in candidates if page.locator(c).is_visible()]
        assert "#project-switch" in controls and len(controls) == 3
        for control in controls:
            box = page.locator(control).bounding_box()
            assert box is not None and banner_box is not None
            assert not _overlap(box, banner_box), control
        # Scrolled down, the banner goes under the sticky top bar, never over it.
        page.evaluate("window.scrollTo(0, 200)")
        assert page.evaluate(
            """() => {
                const t = document.querySelector('#project-switch').getBoundingClientRect();
                const el = document.elementFromPoint(t.x + t.width / 2, t.y + t.height / 2);
                return el.closest('#project-switch') !== null;
            }"""
        )
        page.evaluate("window.scrollTo(0, 0)")

        # The menu opens with the banner shown, and its links work.
        if menu_button.is_visible():
            page.click("[data-toggle-nav]")
        link = page.locator("#nav").get_by_role("link", name="房屋", exact=True)
        assert link.is_visible()
        assert banner.is_visible()
        assert not _overlap(link.bounding_box(), banner.bounding_box())
        link.click()
        page.wait_for_url(f"{live_server.url}/estates/units/")

        # Dismissed once, dismissed on every page.
        banner.wait_for(state="visible")
        page.click("[data-ack]")
        assert banner.is_hidden()
        page.wait_for_timeout(300)
        page.goto(f"{live_server.url}/")
        page.wait_for_timeout(1500)  # the banner's first poll has answered
        assert banner.is_hidden()
    finally:
        context.close()


def test_front_desk_sees_no_urgent_banner_for_a_repair_deadline(world, live_server, phone_page):
    from guanjia.notifications.models import Level
    from guanjia.notifications.services import notify

    notify(
        recipients=[world.front_desk],
        kind="repair.deadline_missed",
        title="报修 BX0001 派单已超时",
        project=world.estate,
        level=Level.URGENT,
    )
    page = phone_page
    login(page, live_server.url, "frontdesk", "/")
    assert page.locator("#urgent-alerts").count() == 0
    page.goto(f"{live_server.url}/notifications/")
    assert "BX0001" in page.content()
