"""/api/v1/repairs as API.md fixes it: create, read, accept, arrive, complete; limits R02–R05; O04.

The non-standard actions (notify-department, assess, consent) are in test_api_nonstandard.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanjia.repairs.models import Repair

URL = "/api/v1/repairs/"


def iso(dt) -> str:
    return timezone.localtime(dt).isoformat()


@pytest.fixture
def created(world, api_as, tap):
    response = api_as(world.front_desk).post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "厨房水龙头漏水",
            "price_item": tap.pk,
            "urgent": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_r02_create_answers_the_contract_fields(created):
    body = created
    assert {"id", "number", "status", "order_due_at", "assess_due_at", "arrive_due_at"} <= set(body)
    assert body["status"] == "logged" and body["number"].startswith("BX")
    received = timezone.datetime.fromisoformat(body["received_at"])
    assert timezone.datetime.fromisoformat(body["order_due_at"]) == received + timedelta(minutes=5)
    assert body["assess_due_at"] is None and body["arrive_due_at"] is None
    assert body["contact_phone"] == "139****5678"  # the customer's phone, masked


def test_r04_appointment_gives_arrive_due_five_minutes_before(world, api_as, tap):
    appointment = timezone.now().replace(microsecond=0) + timedelta(days=1)
    body = (
        api_as(world.front_desk)
        .post(
            URL,
            {
                "project": world.estate.pk,
                "unit": world.unit.pk,
                "customer": world.customer.pk,
                "description": "换灯",
                "price_item": tap.pk,
                "urgent": False,
                "appointment_at": iso(appointment),
            },
            format="json",
        )
        .json()
    )
    assert timezone.datetime.fromisoformat(body["arrive_due_at"]) == appointment - timedelta(minutes=5)
    assert body["urgent"] is False


def test_r05_non_standard_create_then_accept_is_409_until_consent(world, api_as):
    client = api_as(world.front_desk)
    body = client.post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "阳台推拉门变形",
            "price_item": None,
        },
        format="json",
    ).json()
    response = api_as(world.technician).post(
        f"{URL}{body['id']}/accept", {"technician": world.technician.pk}, format="json"
    )
    assert response.status_code == 409 and "R05" in response.json()["detail"]


def test_r03_r10_accept_arrive_complete_through_the_api(world, api_as, created, socket):
    client = api_as(world.technician)
    pk = created["id"]
    accepted = client.post(f"{URL}{pk}/accept", {"technician": world.technician.pk}, format="json")
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "accepted"
    assert timezone.datetime.fromisoformat(body["arrive_due_at"]) == timezone.datetime.fromisoformat(
        body["accepted_at"]
    ) + timedelta(minutes=15)
    assert client.post(f"{URL}{pk}/arrive", {}, format="json").json()["status"] == "arrived"
    done = client.post(
        f"{URL}{pk}/complete",
        {"actual_items": [{"price_item": socket.pk, "quantity": 2}], "fee_yuan": "50.00", "customer_signed": True},
        format="json",
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "completed" and body["fee_yuan"] == 50.0
    assert [(i["name"], i["quantity"]) for i in body["actual_items"]] == [("更换插座", 2)]
    assert [i["name"] for i in body["reported_items"]] == ["更换水龙头"]


def test_v01_completion_through_the_api_plans_the_return_visit(world, api_as, created):
    from guanjia.visits.models import ReturnVisit

    client = api_as(world.technician)
    pk = created["id"]
    client.post(f"{URL}{pk}/accept", {"technician": world.technician.pk}, format="json")
    client.post(f"{URL}{pk}/arrive", {}, format="json")
    client.post(f"{URL}{pk}/complete", {"fee_yuan": "30", "customer_signed": True}, format="json")
    assert ReturnVisit.objects.filter(object_id=pk, case_type="repair").exists()


def test_r10_complete_with_a_future_time_or_before_receipt_is_400(world, api_as, created):
    client = api_as(world.technician)
    pk = created["id"]
    client.post(f"{URL}{pk}/accept", {"technician": world.technician.pk}, format="json")
    client.post(f"{URL}{pk}/arrive", {}, format="json")
    body = {"fee_yuan": "30", "customer_signed": True}
    future = client.post(
        f"{URL}{pk}/complete", {**body, "completed_at": iso(timezone.now() + timedelta(minutes=2))}, format="json"
    )
    assert future.status_code == 400 and "completed_at" in future.json()
    early = client.post(
        f"{URL}{pk}/complete", {**body, "completed_at": iso(timezone.now() - timedelta(days=1))}, format="json"
    )
    assert early.status_code == 400 and "completed_at" in early.json()
    unsigned = client.post(f"{URL}{pk}/complete", {"fee_yuan": "30", "customer_signed": False}, format="json")
    assert unsigned.status_code == 400 and "customer_signed" in unsigned.json()
    assert Repair.objects.get(pk=pk).status == "arrived"


def test_action_at_in_the_future_is_400(world, api_as, created):
    response = api_as(world.technician).post(
        f"{URL}{created['id']}/accept",
        {"technician": world.technician.pk, "at": iso(timezone.now() + timedelta(minutes=5))},
        format="json",
    )
    assert response.status_code == 400 and "at" in response.json()


def test_r01_create_with_received_at_in_the_future_is_400(world, api_as, tap):
    response = api_as(world.front_desk).post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "x",
            "price_item": tap.pk,
            "received_at": iso(timezone.now() + timedelta(hours=1)),
        },
        format="json",
    )
    assert response.status_code == 400 and "received_at" in response.json()


def test_unknown_field_is_named(world, api_as, tap):
    response = api_as(world.front_desk).post(
        URL, {"project": world.estate.pk, "description": "x", "colour": "red"}, format="json"
    )
    assert response.status_code == 400 and "colour" in response.json()


def test_arrive_before_accept_is_409(world, api_as, created):
    response = api_as(world.office_manager).post(f"{URL}{created['id']}/arrive", {}, format="json")
    assert response.status_code == 409


def test_o04_outsider_sees_and_does_nothing(world, api_as, created, tap):
    client = api_as(world.outsider)
    pk = created["id"]
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{pk}/").status_code == 404
    for path, body in (
        ("accept", {"technician": world.outsider.pk}),
        ("arrive", {}),
        ("complete", {"fee_yuan": "0", "customer_signed": True}),
    ):
        assert client.post(f"{URL}{pk}/{path}", body, format="json").status_code == 404
    response = client.post(
        URL,
        {"project": world.estate.pk, "unit": world.unit.pk, "description": "x", "price_item": tap.pk},
        format="json",
    )
    assert response.status_code == 400 and "project" in response.json()


def test_a_technician_may_not_accept_for_a_colleague(world, api_as, created):
    from guanjia.accounts.models import Role
    from guanjia.testing.factories import make_staff

    colleague = make_staff(Role.TECHNICIAN, projects=(world.estate,))
    response = api_as(world.technician).post(
        f"{URL}{created['id']}/accept", {"technician": colleague.pk}, format="json"
    )
    assert response.status_code == 403


def test_repair_list_query_count(world, api_as, log, tap, django_assert_max_num_queries):
    for _ in range(10):
        log(price_item=tap)
    client = api_as(world.front_desk)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"project": world.estate.pk})
    assert response.json()["count"] == 10


def test_price_items_answer_the_contract_fields(world, api_as, tap):
    body = api_as(world.technician).get("/api/v1/price-items/", {"project": world.estate.pk}).json()
    assert {"id", "name", "fee_yuan"} <= set(body["results"][0])


def test_schema_documents_the_repair_actions(world, api_as):
    schema = api_as(world.front_desk).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/repairs/",
        "/api/v1/repairs/{id}/notify-department",
        "/api/v1/repairs/{id}/assess",
        "/api/v1/repairs/{id}/consent",
        "/api/v1/repairs/{id}/accept",
        "/api/v1/repairs/{id}/arrive",
        "/api/v1/repairs/{id}/complete",
    ):
        assert any(p.rstrip("/") == path.rstrip("/") for p in schema["paths"]), path
