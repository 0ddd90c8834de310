"""O01, F07 through the API: projects, buildings and units are added, renamed, changed and retired by their
administrators; customers are added at the desk, moved in and out; outsiders change nothing; nothing in use
is deleted; duplicate phones are caught."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from guanjia.accounts.models import Role
from guanjia.estates.models import Building, Customer, CustomerKind, Project, Residency, Unit, UnitStatus
from guanjia.frontdesk.models import ArchiveEvent, ArchiveEventKind
from guanjia.testing.factories import make_building, make_staff, make_unit
from guanjia.timeline.selectors import events_for

NOW = datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def test_o01_general_manager_adds_renames_and_retires_a_project(world, api_as, clock):
    api = api_as(world.general_manager)

    created = api.post("/api/v1/projects/", {"name": "东湖湾", "code": "donghu"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    renamed = api.patch(f"/api/v1/projects/{pk}/", {"name": "东湖湾二期", "version": 1}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["name"] == "东湖湾二期"
    stale = api.patch(f"/api/v1/projects/{pk}/", {"name": "又改", "version": 1}, format="json")
    assert stale.status_code == 409
    retired = api.post(f"/api/v1/projects/{pk}/retire/", {}, format="json")
    assert retired.status_code == 200 and retired.json()["is_retired"] is True
    assert [e.verb for e in events_for(Project.objects.get(pk=pk))] == [
        "project.created",
        "project.updated",
        "project.retired",
    ]


def test_o01_office_manager_may_not_create_projects_and_codes_are_unique(world, api_as):
    assert api_as(world.office_manager).post("/api/v1/projects/", {"name": "X", "code": "x"}).status_code == 403
    response = api_as(world.general_manager).post("/api/v1/projects/", {"name": "X", "code": "binjiang"})
    assert response.status_code == 400
    assert "已被使用" in response.json()["code"][0]


def test_o01_office_manager_adds_a_building_and_a_unit_and_changes_its_status(world, api_as, clock):
    api = api_as(world.office_manager)

    building = api.post("/api/v1/buildings/", {"project": world.estate.pk, "number": "8"}, format="json")
    assert building.status_code == 201, building.content
    b = building.json()
    assert b["label"] == "8栋"
    unit = api.post("/api/v1/units/", {"building": b["id"], "entrance": "1", "room": "0801"}, format="json")
    assert unit.status_code == 201, unit.content
    u = unit.json()
    assert (u["number"], u["status"], u["project"]) == ("8栋1单元0801", "vacant", world.estate.pk)

    renamed = api.patch(f"/api/v1/buildings/{b['id']}/", {"name": "海景楼", "version": 1}, format="json")
    assert renamed.json()["label"] == "海景楼"
    changed = api.patch(
        f"/api/v1/units/{u['id']}/", {"room": "0802", "status": "decorating", "version": u["version"]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["room"], changed.json()["status"]) == ("0802", "decorating")
    verbs = [e.verb for e in events_for(Unit.objects.get(pk=u["id"]))]
    assert verbs == ["unit.created", "unit.status_changed", "unit.updated"]


def test_o01_a_unit_address_twice_is_a_400_naming_the_room(world, api_as):
    body = {"building": world.building.pk, "entrance": "2", "room": "1201"}
    response = api_as(world.office_manager).post("/api/v1/units/", body, format="json")
    assert response.status_code == 400
    assert "已存在" in response.json()["room"][0]


def test_o01_outsider_cannot_create_or_change_buildings_units_or_customers_of_the_estate(world, api_as):
    other_manager = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="other_mgr")
    for user in (world.outsider, other_manager):
        api = api_as(user)
        assert api.post("/api/v1/buildings/", {"project": world.estate.pk, "number": "9"}).status_code in (403, 404)
        assert api.post("/api/v1/units/", {"building": world.building.pk, "room": "9"}).status_code in (403, 404)
        assert api.patch(f"/api/v1/buildings/{world.building.pk}/", {"name": "x", "version": 1}).status_code == 404
        assert api.patch(f"/api/v1/units/{world.unit.pk}/", {"room": "9", "version": 1}).status_code == 404
        assert api.post(f"/api/v1/units/{world.unit.pk}/retire/").status_code == 404
        assert api.patch(f"/api/v1/customers/{world.customer.pk}/", {"note": "x", "version": 1}).status_code == 404
        move = {"unit": world.unit.pk, "kind": "owner", "date": "2025-01-01"}
        assert api.post(f"/api/v1/customers/{world.customer.pk}/move-in/", move).status_code == 404
        created = api.post("/api/v1/customers/", {"project": world.estate.pk, "name": "外人"}, format="json")
        assert created.status_code == 400 and "project" in created.json()
    assert Building.objects.filter(project=world.estate).count() == 1
    assert Unit.objects.filter(project=world.estate).count() == 1
    world.unit.refresh_from_db()
    assert world.unit.room == "1201" and world.unit.version == 1


def test_o01_front_desk_may_not_add_units(world, api_as):
    response = api_as(world.front_desk).post("/api/v1/units/", {"building": world.building.pk, "room": "9"})
    assert response.status_code == 403


def test_o01_nothing_in_use_is_deleted_only_retired(world, api_as, clock):
    api = api_as(world.office_manager)
    assert api.delete(f"/api/v1/units/{world.unit.pk}/").status_code == 405
    assert api.delete(f"/api/v1/buildings/{world.building.pk}/").status_code == 405
    with pytest.raises(ProtectedError):
        world.unit.delete()

    # A unit with residents, or a building with units in service, is not retired: 409 with the reason.
    busy = api.post(f"/api/v1/units/{world.unit.pk}/retire/")
    assert busy.status_code == 409 and "住户" in busy.json()["detail"]
    assert api.post(f"/api/v1/buildings/{world.building.pk}/retire/").status_code == 409

    empty = make_unit(world.estate, world.building, room="1801")
    retired = api.post(f"/api/v1/units/{empty.pk}/retire/", {"reason": "录入重复"}, format="json")
    assert retired.status_code == 200 and retired.json()["is_retired"] is True
    assert api.get(f"/api/v1/units/{empty.pk}/").status_code == 200  # history stays
    # … but it is no longer offered: a customer cannot be tied to it.
    body = {"project": world.estate.pk, "name": "王芳", "units": [empty.pk]}
    assert api_as(world.front_desk).post("/api/v1/customers/", body, format="json").status_code == 400
    assert api.get("/api/v1/units/", {"is_retired": "false"}).json()["count"] == 1


def test_o01_f07_front_desk_adds_a_customer_and_records_a_move_in(world, api_as, clock):
    api = api_as(world.front_desk)
    vacant = make_unit(world.estate, world.building, room="1502", status=UnitStatus.VACANT)

    created = api.post(
        "/api/v1/customers/",
        {"project": world.estate.pk, "name": "王芳", "phones": ["13700007777"], "kind": "tenant",
         "id_number": "44030119900101123X"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert "id_number" not in body and body["id_number_last4"] == "123X"
    assert body["phone"] == "137****7777"

    moved = api.post(
        f"/api/v1/customers/{body['id']}/move-in",
        {"unit": vacant.pk, "kind": "tenant", "date": "2025-03-09", "documents_note": "钥匙两把"},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["units"] == [vacant.pk]
    assert moved.json()["residencies"][0]["kind"] == "tenant"
    vacant.refresh_from_db()
    assert vacant.status == UnitStatus.OCCUPIED
    event = ArchiveEvent.objects.get(customer_id=body["id"])
    assert (event.kind, event.date, event.documents_note) == (
        ArchiveEventKind.MOVE_IN_HANDOVER,
        date(2025, 3, 9),
        "钥匙两把",
    )
    verbs = [e.verb for e in events_for(Customer.objects.get(pk=body["id"]))]
    assert verbs == ["customer.created", "customer.moved_in", "archive.move_in_handover"]


def test_f07_move_out_keeps_the_history_and_empties_the_unit(world, api_as, clock):
    api = api_as(world.butler)
    response = api.post(
        f"/api/v1/customers/{world.customer.pk}/move-out/", {"unit": world.unit.pk, "date": "2025-03-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["units"] == []
    assert response.json()["residencies"][0]["move_out_date"] == "2025-03-01"
    world.unit.refresh_from_db()
    assert world.unit.status == UnitStatus.VACANT
    assert ArchiveEvent.objects.filter(customer=world.customer, kind=ArchiveEventKind.MOVE_OUT).count() == 1
    again = api.post(
        f"/api/v1/customers/{world.customer.pk}/move-out/", {"unit": world.unit.pk, "date": "2025-03-02"}, format="json"
    )
    assert again.status_code == 400 and "unit" in again.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "owner", "date": "2025-01-01"}, "unit"),
        ({"unit": "UNIT", "date": "2025-01-01"}, "kind"),
        ({"unit": "UNIT", "kind": "landlord", "date": "2025-01-01"}, "kind"),
        ({"unit": "UNIT", "kind": "owner", "date": "2025-13-01"}, "date"),
        ({"unit": "UNIT", "kind": "owner", "date": "2025-03-11"}, "date"),
        ({"unit": "OTHER", "kind": "owner", "date": "2025-01-01"}, "unit"),
    ],
)
def test_f07_bad_move_in_is_a_400_naming_the_field(world, api_as, clock, body, field):
    other = make_unit(world.estate, world.building, room="1901")
    subs = {"UNIT": other.pk, "OTHER": world.other_unit.pk}
    body = {k: subs.get(v, v) for k, v in body.items()}
    response = api_as(world.front_desk).post(f"/api/v1/customers/{world.customer.pk}/move-in/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_o01_owner_of_one_unit_who_rents_another_is_representable(world, api_as, clock):
    # 李明 owns 3-2-1201; he rents 3-2-1302 as well.
    rented = make_unit(world.estate, world.building, entrance="2", room="1302")
    api = api_as(world.front_desk)

    response = api.post(
        f"/api/v1/customers/{world.customer.pk}/move-in/",
        {"unit": rented.pk, "kind": "tenant", "date": "2025-02-01"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "owner"  # the main kind: the kind of the first current residency
    assert {(r["unit"], r["kind"]) for r in body["residencies"]} == {
        (world.unit.pk, "owner"),
        (rented.pk, "tenant"),
    }
    assert api.get("/api/v1/customers/", {"unit": rented.pk, "kind": "owner"}).json()["count"] == 1


def test_o01_duplicate_phone_names_the_existing_customer_and_can_be_confirmed(world, api_as, clock):
    api = api_as(world.front_desk)
    body = {"project": world.estate.pk, "name": "李敏", "phones": ["139 1234 5678"]}

    refused = api.post("/api/v1/customers/", body, format="json")

    assert refused.status_code == 400
    errors = refused.json()
    assert "李明" in errors["phones"][0] and "139****5678" in errors["phones"][0]
    assert "13912345678" not in str(errors)
    assert errors["existing_customer"] == world.customer.pk
    confirmed = api.post("/api/v1/customers/", {**body, "allow_duplicate": True}, format="json")
    assert confirmed.status_code == 201
    created = Customer.objects.get(pk=confirmed.json()["id"])
    assert events_for(created).get().data["duplicate_of"] == world.customer.pk
    # The same number in another project is someone else's business.
    other = {"project": world.other_estate.pk, "name": "李敏", "phones": ["13912345678"]}
    assert api_as(world.general_manager).post("/api/v1/customers/", other, format="json").status_code == 201


def test_o01_duplicate_phone_on_an_edit_is_caught_too(world, api_as):
    other = Customer.objects.create(project=world.estate, name="赵丽")
    response = api_as(world.front_desk).patch(
        f"/api/v1/customers/{other.pk}/", {"phones": ["13912345678"], "version": 1}, format="json"
    )
    assert response.status_code == 400 and response.json()["existing_customer"] == world.customer.pk


def test_id_number_is_write_only_on_an_edit(world, api_as):
    response = api_as(world.butler).patch(
        f"/api/v1/customers/{world.customer.pk}/", {"id_number": "440301199001011240", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["id_number_last4"] == "1240"
    assert "440301199001011240" not in response.content.decode()
    world.customer.refresh_from_db()
    assert len(world.customer.id_number_hash) == 64


def test_kind_on_the_customer_changes_the_main_residency(world, api_as):
    response = api_as(world.front_desk).patch(
        f"/api/v1/customers/{world.customer.pk}/", {"kind": "tenant", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert Residency.objects.get(customer=world.customer).kind == CustomerKind.TENANT


@pytest.mark.parametrize("url", ["/api/v1/buildings/", "/api/v1/units/", "/api/v1/projects/"])
def test_list_query_count_does_not_grow(world, api_as, url):
    api = api_as(world.general_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session loads what later ones have cached
    before = count()
    for i in range(5):
        b = make_building(world.estate, f"B{i}")
        make_unit(world.estate, b, room=f"{i}01")
    assert count() == before


def test_customer_list_query_count_does_not_grow_with_residencies(world, api_as, clock):
    api = api_as(world.front_desk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/customers/").status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for i in range(4):
        unit = make_unit(world.estate, world.building, room=f"2{i}01")
        Residency.objects.create(customer=world.customer, unit=unit, kind=CustomerKind.TENANT)
        Customer.objects.create(project=world.estate, name=f"客{i}")
    assert count() == before
