"""Every repairs action API.md names, exercised as written (R02–R10): bodies, `at`, odd input → 400, never 500."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

URL = "/api/v1/repairs/"


def iso(dt: datetime) -> str:
    return timezone.localtime(dt).isoformat()


@pytest.fixture
def start() -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def standard(world, api_as, tap, start) -> dict[str, Any]:
    response = api_as(world.front_desk).post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "厨房水龙头漏水",
            "price_item": tap.pk,
            "urgent": True,
            "received_at": iso(start),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def on_site(world, api_as, pk: int, start: datetime) -> Any:
    tech = api_as(world.technician)
    assert (
        tech.post(
            f"{URL}{pk}/accept/",
            {"technician": world.technician.pk, "at": iso(start + timedelta(minutes=5))},
            format="json",
        ).status_code
        == 200
    )
    assert tech.post(f"{URL}{pk}/arrive/", {"at": iso(start + timedelta(minutes=15))}, format="json").status_code == 200
    return tech


@pytest.mark.parametrize(
    "items",
    [
        [[1]],
        [{"price_item": [1]}],
        [{"price_item": {"id": 1}}],
        [{"price_item": "abc"}],
        [{"name": "x", "fee_yuan": {"a": 1}}],
        [{"name": "x", "fee_yuan": "5", "quantity": "many"}],
        [None],
        [True],
        [1.5],
        "abc",
        {"price_item": 1},
        [{"name": ["x"], "fee_yuan": "5"}],
    ],
)
def test_r07_odd_actual_items_are_400_naming_the_field(world, api_as, standard, start, items):
    tech = on_site(world, api_as, standard["id"], start)
    response = tech.post(
        f"{URL}{standard['id']}/complete",
        {"actual_items": items, "fee_yuan": "30", "customer_signed": True},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "actual_items" in response.json()


def test_r10_complete_takes_at_as_the_completion_time(world, api_as, standard, start, socket, tap):
    tech = on_site(world, api_as, standard["id"], start)
    done = tech.post(
        f"{URL}{standard['id']}/complete",
        {
            "actual_items": [tap.pk, socket.pk],
            "fee_yuan": "55",
            "customer_signed": True,
            "at": iso(start + timedelta(minutes=40)),
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert datetime.fromisoformat(done.json()["completed_at"]) == start + timedelta(minutes=40)


def test_r03_r10_the_standard_flow_takes_at_on_every_step(world, api_as, standard, start, tap, socket):
    pk = standard["id"]
    desk, tech = api_as(world.front_desk), api_as(world.technician)
    told = desk.post(f"{URL}{pk}/notify-department", {"at": iso(start + timedelta(minutes=2))}, format="json")
    assert told.status_code == 200 and told.json()["assess_due_at"] is None
    accepted = tech.post(
        f"{URL}{pk}/accept", {"technician": world.technician.pk, "at": iso(start + timedelta(minutes=4))}, format="json"
    ).json()
    assert datetime.fromisoformat(accepted["accepted_at"]) == start + timedelta(minutes=4)
    assert datetime.fromisoformat(accepted["arrive_due_at"]) == start + timedelta(minutes=19)
    arrived = tech.post(f"{URL}{pk}/arrive", {"at": iso(start + timedelta(minutes=18))}, format="json").json()
    assert datetime.fromisoformat(arrived["arrived_at"]) == start + timedelta(minutes=18)
    done = tech.post(
        f"{URL}{pk}/complete",
        {"actual_items": [tap.pk, socket.pk], "fee_yuan": "55", "customer_signed": True},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert sorted(i["name"] for i in done.json()["actual_items"]) == ["更换插座", "更换水龙头"]


def test_r03_accept_a_technician_of_another_project_is_400(world, api_as, engineer, standard):
    from guanjia.accounts.models import Role
    from guanjia.testing.factories import make_staff

    stranger = make_staff(Role.TECHNICIAN, projects=(world.other_estate,))
    response = api_as(engineer).post(f"{URL}{standard['id']}/accept", {"technician": stranger.pk}, format="json")
    assert response.status_code == 400 and "technician" in response.json()


def test_r03_stale_version_on_accept_is_409(world, api_as, standard):
    stale = api_as(world.technician).post(
        f"{URL}{standard['id']}/accept",
        {"technician": world.technician.pk, "version": standard["version"] + 5},
        format="json",
    )
    assert stale.status_code == 409 and isinstance(stale.json()["detail"], str)


@pytest.mark.parametrize("action", ["notify-department", "assess", "consent", "accept", "arrive", "complete"])
@pytest.mark.parametrize("body", [[], "text", 7, {"at": "yesterday"}, {"at": None, "version": 0}])
def test_odd_bodies_on_every_action_are_4xx_json_never_500(world, api_as, engineer, standard, action, body):
    response = api_as(engineer).post(f"{URL}{standard['id']}/{action}", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert isinstance(response.json(), dict)
