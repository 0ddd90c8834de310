"""staff/ through the API (O02–O04): office administration creates and changes people; everyone else 403."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanjia.accounts.models import Role, User
from guanjia.testing.factories import make_staff
from guanjia.timeline.selectors import events_for

URL = "/api/v1/staff/"


def new_person(world, **kw):
    return {"username": "newguard", "name": "钱保安", "role": "security", "projects": [world.estate.pk], **kw}


def test_o02_office_manager_creates_a_person_with_a_one_time_password_returned_once(world, api_as, now):
    created = api_as(world.office_manager).post(URL, new_person(world, phone="13800001234"), format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["username"] == "newguard" and body["role"] == "security" and body["projects"] == [world.estate.pk]
    assert body["is_active"] is True and body["must_change_password"] is True
    person = User.objects.get(username="newguard")
    assert person.check_password(body["initial_password"])
    again = api_as(world.office_manager).get(f"{URL}{person.pk}/").json()
    assert "initial_password" not in again and "password" not in again

    # The one-time password opens no API token: it must be changed first, on the web.
    token = APIClient().post("/api/v1/auth/token", {"username": "newguard", "password": body["initial_password"]})
    assert token.status_code == 403 and "修改" in token.json()["detail"]


def test_o02_a_given_password_is_write_only_and_checked(world, api_as, now):
    api = api_as(world.general_manager)

    weak = api.post(URL, new_person(world, password="12345678"), format="json")
    assert weak.status_code == 400 and "password" in weak.json()
    strong = api.post(URL, new_person(world, password="Blue-Harbour-2026"), format="json")
    assert strong.status_code == 201 and strong.json()["initial_password"] is None
    assert "Blue-Harbour-2026" not in strong.content.decode()
    token = APIClient().post("/api/v1/auth/token", {"username": "newguard", "password": "Blue-Harbour-2026"})
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"), [("role", "ceo"), ("username", "butler"), ("phone", "123"), ("projects", [999999])]
)
def test_bad_input_is_a_400_naming_the_field(world, api_as, field, value):
    response = api_as(world.office_manager).post(URL, new_person(world, **{field: value}), format="json")

    assert response.status_code == 400 and field in response.json()
    assert not User.objects.filter(username="newguard").exists()


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "supervisor", "outsider"])
def test_o02_everyone_else_gets_403(world, api_as, persona):
    api = api_as(world.persona(persona))

    assert api.post(URL, new_person(world), format="json").status_code == 403
    assert api.patch(f"{URL}{world.front_desk.pk}/", {"is_active": False}, format="json").status_code in (403, 404)
    world.front_desk.refresh_from_db()
    assert world.front_desk.is_active


def test_o04_outsider_manager_cannot_create_or_change_anyone_of_the_estate(world, api_as, other_manager):
    api = api_as(other_manager)

    assert api.post(URL, new_person(world), format="json").status_code == 403
    assert api.patch(f"{URL}{world.technician.pk}/", {"name": "改名"}, format="json").status_code == 404
    assert api.patch(f"{URL}{world.general_manager.pk}/", {"name": "改名"}, format="json").status_code == 403
    grab = api.patch(f"{URL}{world.outsider.pk}/", {"projects": [world.estate.pk]}, format="json")
    assert grab.status_code == 403
    assert not User.objects.filter(username="newguard").exists()
    assert list(User.objects.get(pk=world.outsider.pk).projects.all()) == [world.other_estate]


def test_o04_office_manager_cannot_grant_a_role_above_their_own(world, api_as):
    api = api_as(world.office_manager)

    assert api.post(URL, new_person(world, role="general_manager"), format="json").status_code == 403
    assert api.patch(f"{URL}{world.butler.pk}/", {"role": "general_manager"}, format="json").status_code == 403
    assert api.patch(f"{URL}{world.general_manager.pk}/", {"phone": "13800000000"}, format="json").status_code == 403
    assert User.objects.get(pk=world.butler.pk).role == Role.BUTLER


def test_o02_patch_changes_role_projects_name_phone_and_switches_off(world, api_as, now):
    api = api_as(world.general_manager)

    changed = api.patch(
        f"{URL}{world.technician.pk}/",
        {
            "role": "engineering_supervisor",
            "projects": [world.estate.pk, world.other_estate.pk],
            "phone": "13800005555",
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["role"] == "engineering_supervisor" and changed.json()["phone"] == "13800005555"
    off = api.patch(f"{URL}{world.technician.pk}/", {"is_active": False}, format="json")

    assert off.status_code == 200 and off.json()["is_active"] is False
    verbs = [e.verb for e in events_for(world.technician)]
    assert verbs == ["staff.updated", "staff.role_changed", "staff.projects_changed", "staff.switched_off"]
    assert (
        APIClient().post("/api/v1/auth/token", {"username": "tech", "password": "pass-for-tests-1"}).status_code == 400
    )


def test_switched_off_persons_token_stops_working(world, api_as):
    technician = api_as(world.technician)
    assert technician.get(URL).status_code == 200

    api_as(world.office_manager).patch(f"{URL}{world.technician.pk}/", {"is_active": False}, format="json")

    assert technician.get(URL).status_code == 401


def test_stale_version_is_a_409(world, api_as):
    api = api_as(world.office_manager)
    assert api.patch(f"{URL}{world.butler.pk}/", {"name": "王管家甲", "version": 1}, format="json").status_code == 200

    stale = api.patch(f"{URL}{world.butler.pk}/", {"name": "王管家乙", "version": 1}, format="json")

    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert User.objects.get(pk=world.butler.pk).name == "王管家甲"


def test_staff_list_filter_by_role(world, api_as):
    listed = api_as(world.office_manager).get(URL, {"role": "technician"}).json()["results"]
    assert [r["id"] for r in listed] == [world.technician.pk]


def test_staff_api_list_query_count_does_not_grow(world, api_as, django_assert_max_num_queries):
    for _ in range(40):
        make_staff(Role.BUTLER, projects=(world.estate, world.other_estate))
    api = api_as(world.office_manager)
    api.get(URL)

    with django_assert_max_num_queries(8):
        response = api.get(URL, {"page_size": 100})
    assert response.json()["count"] >= 45
