"""units/: the list, its filters, and the status change with optimistic locking (O01, O03)."""

import pytest

from guanjia.accounts.models import Role
from guanjia.api.tests.conftest import CHINESE
from guanjia.estates.models import UnitStatus
from guanjia.testing.factories import make_building, make_staff, make_unit
from guanjia.timeline.selectors import events_for


def test_o01_unit_shows_its_address_as_the_desk_writes_it(world, api_as):
    body = api_as(world.front_desk).get(f"/api/v1/units/{world.unit.pk}/").json()

    assert body["number"] == "3栋2单元1201"
    assert body["short_number"] == "3-2-1201"
    assert body["project"] == world.estate.pk
    assert body["building"] == world.building.pk
    assert body["building_label"] == "3栋"
    assert (body["entrance"], body["room"]) == ("2", "1201")
    assert body["status"] == "occupied"
    assert body["version"] == 1


def test_o03_unit_names_its_butler(world, api_as):
    body = api_as(world.front_desk).get(f"/api/v1/units/{world.unit.pk}/").json()

    assert body["butler"] == world.butler.pk
    assert body["butler_name"] == "王管家"


@pytest.fixture
def more_units(world):
    other_building = make_building(world.estate, "5")
    vacant = make_unit(world.estate, other_building, room="501", status=UnitStatus.VACANT)
    other_butler = make_staff(Role.BUTLER, projects=(world.estate,))
    looked_after = make_unit(world.estate, world.building, room="1301", butler=other_butler)
    return {"building": other_building, "vacant": vacant, "looked_after": looked_after, "butler": other_butler}


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_units_filter_by_project_building_status_and_butler(world, api_as, more_units):
    api = api_as(world.general_manager)

    assert ids(api.get("/api/v1/units/", {"project": world.other_estate.pk})) == {world.other_unit.pk}
    assert ids(api.get("/api/v1/units/", {"building": more_units["building"].pk})) == {more_units["vacant"].pk}
    assert ids(api.get("/api/v1/units/", {"status": "vacant"})) == {more_units["vacant"].pk}
    assert ids(api.get("/api/v1/units/", {"butler": world.butler.pk})) == {world.unit.pk}
    assert ids(api.get("/api/v1/units/", {"project": world.estate.pk, "butler": more_units["butler"].pk})) == {
        more_units["looked_after"].pk
    }


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("project", "abc"),
        ("project", "999999"),
        ("building", "1.5"),
        ("building", "-3"),
        ("butler", "99999999999999999999999999"),
        ("status", "demolished"),
    ],
)
def test_bad_unit_filters_are_a_400_naming_the_parameter(world, api_as, param, value):
    response = api_as(world.front_desk).get("/api/v1/units/", {param: value})

    assert response.status_code == 400
    assert CHINESE.search(response.json()[param][0])


@pytest.mark.parametrize("persona", ["butler", "supervisor", "office_manager", "general_manager"])
def test_managers_and_butlers_change_a_unit_status_and_it_is_on_the_timeline(world, api_as, persona):
    user = world.persona(persona)

    response = api_as(user).patch(
        f"/api/v1/units/{world.unit.pk}/", {"status": "decorating", "version": 1, "reason": "业主装修"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "decorating"
    assert response.json()["version"] == 2
    event = events_for(world.unit).get(verb="unit.status_changed")
    assert event.actor == user
    assert event.data == {"from": "occupied", "to": "decorating"}
    assert event.reason == "业主装修"


def test_a_stale_unit_version_is_a_409_with_the_reason(world, api_as):
    api = api_as(world.butler)
    first = api.patch(f"/api/v1/units/{world.unit.pk}/", {"status": "vacant", "version": 1}, format="json")
    assert first.status_code == 200

    response = api.patch(f"/api/v1/units/{world.unit.pk}/", {"status": "decorating", "version": 1}, format="json")

    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    world.unit.refresh_from_db()
    assert world.unit.status == "vacant"


@pytest.mark.parametrize("persona", ["front_desk", "technician"])
def test_other_roles_may_not_change_a_unit_status(world, api_as, persona):
    response = api_as(world.persona(persona)).patch(
        f"/api/v1/units/{world.unit.pk}/", {"status": "vacant", "version": 1}, format="json"
    )

    assert response.status_code == 403
    assert CHINESE.search(response.json()["detail"])
    world.unit.refresh_from_db()
    assert world.unit.status == "occupied"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "demolished", "version": 1}, "status"),
        ({"status": "vacant"}, "version"),
        ({"status": "vacant", "version": "one"}, "version"),
        ({"status": "vacant", "version": 0}, "version"),
        ({"version": 1}, "status"),
    ],
)
def test_a_bad_status_change_is_a_400_naming_the_field(world, api_as, body, field):
    response = api_as(world.butler).patch(f"/api/v1/units/{world.unit.pk}/", body, format="json")

    assert response.status_code == 400
    assert CHINESE.search(response.json()[field][0])


def test_units_cannot_be_replaced_or_deleted_through_the_api(world, api_as):
    api = api_as(world.office_manager)

    assert (
        api.put(f"/api/v1/units/{world.unit.pk}/", {"status": "vacant", "version": 1}, format="json").status_code == 405
    )
    assert api.delete(f"/api/v1/units/{world.unit.pk}/").status_code == 405
