"""O01, F07 on the desk pages: the office manager adds buildings and units, the front desk adds a customer at
the counter and moves them in; outsiders see no door; bad input comes back beside the field."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanjia.accounts.models import Role
from guanjia.estates.models import Building, Customer, CustomerKind, Residency, Unit, UnitStatus
from guanjia.frontdesk.models import ArchiveEvent, ArchiveEventKind
from guanjia.testing.factories import make_building, make_staff, make_unit

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_o01_office_manager_adds_a_building_and_a_unit_from_the_pages(world, web_as):
    web = web_as(world.office_manager)
    assert "项目与楼栋" in web.get(reverse("estates:unit_list")).content.decode()

    response = web.post(reverse("estates:structure"), {"action": "building_create", "number": "7"})
    assert response.status_code == 302
    building = Building.objects.get(project=world.estate, number="7")
    response = web.post(
        reverse("estates:unit_new"), {"building": building.pk, "entrance": "1", "room": "0701", "status": "vacant"}
    )
    assert response.status_code == 302
    unit = Unit.objects.get(building=building)
    assert (unit.number, unit.status) == ("7栋1单元0701", UnitStatus.VACANT)


def test_o01_a_bad_unit_comes_back_with_the_message_beside_the_field(world, web_as):
    response = web_as(world.office_manager).post(
        reverse("estates:unit_new"), {"building": world.building.pk, "entrance": "2", "room": "1201"}
    )
    assert response.status_code == 400
    assert "该房屋已存在" in response.content.decode()


def test_o01_unit_status_changes_from_its_page_and_a_stale_page_is_told(world, web_as):
    web = web_as(world.butler)
    url = reverse("estates:unit_change", args=[world.unit.pk])

    web.post(url, {"status": "decorating", "version": 1})
    stale = web.post(url, {"status": "vacant", "version": 1}, follow=True)

    world.unit.refresh_from_db()
    assert world.unit.status == UnitStatus.DECORATING
    assert "已被他人修改" in stale.content.decode()


def test_o01_outsider_has_no_estate_pages_for_the_estate(world, web_as):
    other_manager = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="other_mgr")
    for user in (world.outsider, other_manager):
        web = web_as(user)
        assert (
            web.post(reverse("estates:unit_change", args=[world.unit.pk]), {"room": "9", "version": 1}).status_code
            == 404
        )
        assert web.get(reverse("estates:customer_edit", args=[world.customer.pk])).status_code == 404
        move = {"unit": "3-2-1201", "kind": "owner", "date": "2025-03-01"}
        assert web.post(reverse("estates:customer_move_in", args=[world.customer.pk]), move).status_code == 404
    world.unit.refresh_from_db()
    assert world.unit.room == "1201"
    # The front desk of the estate may not add units, and is not shown the way there.
    desk = web_as(world.front_desk)
    assert desk.get(reverse("estates:unit_new")).status_code == 403
    assert desk.get(reverse("estates:structure")).status_code == 403
    assert reverse("estates:structure") not in desk.get(reverse("estates:unit_list")).content.decode()


def test_o01_f07_front_desk_adds_a_customer_and_moves_them_in_from_the_pages(world, web_as):
    vacant = make_unit(world.estate, world.building, entrance="2", room="1502", status=UnitStatus.VACANT)
    web = web_as(world.front_desk)
    assert reverse("estates:customer_new") in web.get(reverse("estates:customer_list")).content.decode()

    response = web.post(
        reverse("estates:customer_new"),
        {"name": "王芳", "phone": "13700007777", "kind": "owner", "unit": "3-2-1502", "id_number": "44030119900101123X",
         "documents_note": "钥匙两把"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()
    customer = Customer.objects.get(name="王芳")
    assert customer.id_number_last4 == "123X"
    assert Residency.objects.get(customer=customer).unit == vacant
    event = ArchiveEvent.objects.get(customer=customer)
    assert (event.kind, event.documents_note) == (ArchiveEventKind.MOVE_IN_HANDOVER, "钥匙两把")
    page = web.get(response["Location"]).content.decode()
    assert "入住交接" in page and "3栋2单元1502" in page


def test_o01_owner_who_rents_another_unit_moves_in_from_the_customer_page(world, web_as):
    make_unit(world.estate, world.building, entrance="2", room="1302")
    web = web_as(world.front_desk)

    web.post(
        reverse("estates:customer_move_in", args=[world.customer.pk]),
        {"unit": "3-2-1302", "kind": "tenant", "date": "2025-03-01"},
    )

    kinds = dict(Residency.objects.filter(customer=world.customer).values_list("unit__room", "kind"))
    assert kinds == {"1201": CustomerKind.OWNER, "1302": CustomerKind.TENANT}


def test_o01_duplicate_phone_offers_the_existing_customer_and_a_confirmed_second_person(world, web_as):
    web = web_as(world.front_desk)
    body = {"name": "李敏", "phone": "13912345678", "kind": "owner"}

    refused = web.post(reverse("estates:customer_new"), body)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "李明" in html and "139****5678" in html
    assert reverse("estates:customer_detail", args=[world.customer.pk]) in html
    assert web.post(reverse("estates:customer_new"), {**body, "allow_duplicate": "1"}).status_code == 302
    assert Customer.objects.filter(name="李敏").count() == 1


def test_customer_edit_with_a_stale_version_is_a_409_on_the_page(world, web_as):
    web = web_as(world.butler)
    url = reverse("estates:customer_edit", args=[world.customer.pk])
    body = {"name": "李明", "phone": "13912345678", "kind": "owner", "note": "新备注", "version": 1}

    assert web.post(url, body).status_code == 302
    stale = web.post(url, {**body, "note": "再改"})

    assert stale.status_code == 409
    assert "已被他人修改" in stale.content.decode()


def test_o01_retired_units_leave_the_list_but_keep_their_page(world, web_as):
    spare = make_unit(world.estate, world.building, room="1801")
    web = web_as(world.office_manager)

    web.post(reverse("estates:unit_change", args=[spare.pk]), {"action": "retire"})

    assert reverse("estates:unit_detail", args=[spare.pk]) not in web.get(reverse("estates:unit_list")).content.decode()
    assert web.get(reverse("estates:unit_detail", args=[spare.pk])).status_code == 200


def test_structure_page_query_count_does_not_grow_with_buildings(world, web_as):
    web = web_as(world.general_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(reverse("estates:structure")).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session loads what later ones have cached
    before = count()
    for i in range(5):
        make_building(world.estate, f"B{i}")
    assert count() == before
