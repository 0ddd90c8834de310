"""R07 on a phone: the 实际维修项目 step of a price list of 27 items shows the ordered item first and ticked, a
search box filters the rest (grouped by category) as it is typed, and the page stays short enough to use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanjia.testing.browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: (category, name) of a price list like the demo's: 27 items.
ITEMS = [
    ("plumbing", "更换水龙头"),
    ("plumbing", "疏通下水道"),
    ("plumbing", "更换角阀"),
    ("plumbing", "更换软管"),
    ("plumbing", "维修水管渗漏"),
    ("electrical", "更换插座"),
    ("electrical", "更换开关"),
    ("electrical", "维修线路短路"),
    ("electrical", "更换空气开关"),
    ("doors_windows", "维修门铰链"),
    ("doors_windows", "更换窗户密封条"),
    ("doors_windows", "调整门扇"),
    ("bathroom", "更换马桶水箱配件"),
    ("bathroom", "更换花洒"),
    ("bathroom", "疏通地漏"),
    ("locks", "更换门锁锁芯"),
    ("locks", "开锁"),
    ("lighting", "更换灯泡"),
    ("lighting", "更换灯管"),
    ("lighting", "安装吸顶灯"),
    ("appliances", "维修热水器"),
    ("appliances", "清洗油烟机"),
    ("walls_floors", "修补墙面"),
    ("walls_floors", "更换地砖"),
    ("other", "安装晾衣架"),
    ("other", "搬运家具"),
    ("other", "其他小修"),
]


def login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_r07_ordered_item_first_search_filters_and_the_page_is_short_on_a_phone(world, live_server, browser):
    from guanjia.repairs.models import PriceItem
    from guanjia.repairs.services import (
        RepairRequest,
        repair_accept,
        repair_arrive,
        repair_log,
        repair_notify_department,
        repair_write_order,
    )

    items = [
        PriceItem.objects.create(
            project=world.estate, code=f"X{n:02d}", name=name, category=category, fee_yuan=Decimal(10 + n)
        )
        for n, (category, name) in enumerate(ITEMS)
    ]
    ordered = items[16]  # 开锁, in the middle of the list
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="门打不开", unit=world.unit, customer=world.customer, price_item=ordered),
        actor=world.front_desk,
    )
    repair_write_order(repair=repair, actor=world.front_desk)
    repair_notify_department(repair=repair, actor=world.front_desk)
    repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    repair_arrive(repair=repair, actor=world.technician)

    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    login(page, base, "tech", f"/repairs/{repair.pk}/work/")

    rows = page.locator("[data-item]")
    assert rows.count() == 27
    first = rows.first
    assert first.get_attribute("data-item") == str(ordered.pk)
    assert first.locator("input[type=checkbox]").is_checked()
    assert page.locator("input[name=item]:checked").count() == 1
    # Grouped by category, each group named.
    assert page.locator("[data-item-group]").count() == 10  # the ordered item, then 9 categories
    assert "水路" in page.locator("[data-item-group=plumbing] summary").inner_text()
    # Touch-size controls.
    for locator in (first.locator("label"), page.locator("#item-search"), first.locator(".qty")):
        box = locator.bounding_box()
        assert box is not None and box["height"] >= 44

    # The step fits a phone: far from the 3,915 px page of 27 bare checkboxes (the categories are folded).
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, height
    page.locator("[data-item-group=plumbing] summary").click()
    assert page.locator(f"[data-item='{items[0].pk}']").is_visible()
    page.locator("[data-item-group=plumbing] summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Searching filters as it is typed; the ticked item stays in view; empty groups disappear.
    page.fill("#item-search", "灯")
    visible = [r.get_attribute("data-item") for r in rows.all() if r.is_visible()]
    lamp_ids = {str(i.pk) for i in items if "灯" in i.name}
    assert set(visible) == lamp_ids | {str(ordered.pk)}
    assert not page.locator("[data-item-group=plumbing]").is_visible()
    assert page.locator("[data-item-group=lighting]").is_visible()
    page.fill("#item-search", "X05")  # by code
    assert [r.get_attribute("data-item") for r in rows.all() if r.is_visible()] == [str(ordered.pk), str(items[5].pk)]
    page.fill("#item-search", "没有这种项目")
    assert page.locator("[data-item-none]").is_visible()
    page.fill("#item-search", "")
    assert [r.get_attribute("data-item") for r in rows.all() if r.is_visible()] == [str(ordered.pk)]
    assert page.locator("[data-item-group]:visible").count() == 10

    # Ticking another item and saving records both (the form is unchanged).
    page.fill("#item-search", "灯泡")
    page.locator(f"[data-item='{items[17].pk}'] label").click()
    page.locator(f"[data-item='{items[17].pk}'] .qty").fill("2")
    page.fill("textarea[name=difference_note]", "顺便更换了门厅灯泡")
    with page.expect_navigation():
        page.get_by_role("button", name="保存实际项目").click()
    # Saved, the recorded items come first and ticked, with their quantities.
    assert [r.get_attribute("data-item") for r in page.locator("[data-item-group=picked] [data-item]").all()] == [
        str(ordered.pk),
        str(items[17].pk),
    ]
    assert page.locator(f"[name=qty_{items[17].pk}]").input_value() == "2"
    phone.close()

    lines = {(line.price_item_id, line.quantity) for line in repair.lines.filter(kind="actual")}
    assert lines == {(ordered.pk, 1), (items[17].pk, 2)}
