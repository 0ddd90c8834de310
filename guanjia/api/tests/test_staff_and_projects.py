"""staff/ and projects/: who can see whom (O02, O04), and no login secret in any answer."""

import json

import pytest

from guanjia.accounts.models import Role
from guanjia.testing.factories import make_staff


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_o02_staff_show_name_role_and_projects_and_nothing_secret(world, api_as):
    world.butler.email = "butler@example.com"
    world.butler.phone = "13812345678"
    world.butler.save()

    listed = api_as(world.front_desk).get("/api/v1/staff/")
    butler = next(r for r in rows(listed) if r["id"] == world.butler.pk)

    # A colleague who does not administer people sees no username and a masked phone.
    assert butler == {
        "id": world.butler.pk,
        "username": None,
        "name": "王管家",
        "phone": "138****5678",
        "role": "butler",
        "role_label": "管家",
        "projects": [world.estate.pk],
        "company_wide": False,
        "is_active": True,
        "must_change_password": False,
        "version": 1,
    }
    text = json.dumps(listed.json())
    for secret in ('password": "', "md5$", "email", "butler@example.com", "13812345678", "is_superuser"):
        assert secret not in text


def test_o02_office_administration_sees_username_and_phone(world, api_as):
    world.butler.phone = "13812345678"
    world.butler.save()

    butler = next(r for r in rows(api_as(world.office_manager).get("/api/v1/staff/")) if r["id"] == world.butler.pk)

    assert (butler["username"], butler["phone"]) == ("butler", "13812345678")


def test_o04_general_manager_is_company_wide_and_visible_to_project_staff(world, api_as):
    gm = next(r for r in rows(api_as(world.technician).get("/api/v1/staff/")) if r["id"] == world.general_manager.pk)

    assert gm["company_wide"] is True
    assert gm["role"] == "general_manager"


def test_staff_in_two_projects_appear_once(world, api_as):
    both = make_staff(Role.OFFICE_MANAGER, projects=(world.estate, world.other_estate), name="双项目经理")

    listed = rows(api_as(world.general_manager).get("/api/v1/staff/", {"page_size": 200}))

    assert [r["id"] for r in listed].count(both.pk) == 1
    assert sorted(next(r for r in listed if r["id"] == both.pk)["projects"]) == sorted(
        [world.estate.pk, world.other_estate.pk]
    )


def test_staff_filter_by_role_and_project(world, api_as):
    api = api_as(world.general_manager)

    assert {r["id"] for r in rows(api.get("/api/v1/staff/", {"role": "butler"}))} == {world.butler.pk}
    assert {r["id"] for r in rows(api.get("/api/v1/staff/", {"project": world.other_estate.pk}))} == {world.outsider.pk}
    assert {r["id"] for r in rows(api.get("/api/v1/staff/", {"role": "front_desk", "project": world.estate.pk}))} == {
        world.front_desk.pk
    }


def test_staff_filter_by_active(world, api_as):
    world.technician.is_active = False
    world.technician.save()

    api = api_as(world.office_manager)
    active = {r["id"] for r in rows(api.get("/api/v1/staff/", {"is_active": "true"}))}
    inactive = {r["id"] for r in rows(api.get("/api/v1/staff/", {"is_active": "false"}))}

    assert world.technician.pk not in active
    assert world.butler.pk in active
    assert inactive == {world.technician.pk}


@pytest.mark.parametrize(("param", "value"), [("role", "ceo"), ("project", "abc"), ("is_active", "perhaps")])
def test_bad_staff_filters_are_a_400_naming_the_parameter(world, api_as, param, value):
    response = api_as(world.front_desk).get("/api/v1/staff/", {param: value})

    assert response.status_code == 400
    assert param in response.json()


def test_o02_staff_writes_are_for_office_administration_only(world, api_as):
    api = api_as(world.supervisor)

    assert api.post("/api/v1/staff/", {"name": "新人", "role": "butler"}, format="json").status_code == 403
    assert api.patch(f"/api/v1/staff/{world.butler.pk}/", {"role": "general_manager"}, format="json").status_code == 403
    assert api.put(f"/api/v1/staff/{world.butler.pk}/", {"role": "butler"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/staff/{world.butler.pk}/").status_code == 405


def test_o01_project_shows_name_code_and_address(world, api_as):
    world.estate.address = "滨江路1号"
    world.estate.save()

    body = api_as(world.front_desk).get(f"/api/v1/projects/{world.estate.pk}/").json()

    assert body == {
        "id": world.estate.pk,
        "name": "滨江花园",
        "code": "binjiang",
        "address": "滨江路1号",
        "phone": "",
        "is_retired": False,
        "retired_at": None,
        "version": 1,
    }


def test_o01_projects_are_written_only_by_the_general_manager_and_never_deleted(world, api_as):
    # Creating and changing projects: guanjia/estates/tests/test_estates_api.py
    desk = api_as(world.front_desk)

    assert desk.post("/api/v1/projects/", {"name": "新项目", "code": "new"}, format="json").status_code == 403
    assert api_as(world.general_manager).delete(f"/api/v1/projects/{world.estate.pk}/").status_code == 405
