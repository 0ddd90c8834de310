"""/api/v1/follow-up-calls: list scoped to the user's projects, record a call (T02, T03)."""

from __future__ import annotations

from guanjia.followup.models import CallStatus, Issue
from guanjia.followup.tests.conftest import SERVICE_AT

URL = "/api/v1/follow-up-calls/"


def test_t02_calls_are_listed_by_due_with_the_contract_shape(world, api_as, plan):
    body = api_as(world.butler).get(URL).json()
    assert body["count"] == 2 and set(body) == {"count", "next", "previous", "results"}
    first = body["results"][0]
    assert first["label"] == "第一次跟踪服务电话" and first["customer_name"] == "李明"
    assert first["serviced"] == "空调清洗" and first["status"] == "pending"
    assert first["due_at"] == "2026-11-10T00:00:00+08:00"
    assert api_as(world.butler).get(URL, {"status": "done"}).json()["count"] == 0
    assert api_as(world.front_desk).get(URL, {"mine": "true"}).json()["count"] == 0


def test_t03_record_a_call_through_the_api(world, api_as, first_call):
    client = api_as(world.butler)
    response = client.post(
        f"{URL}{first_call.pk}/record",
        {
            "version": first_call.version,
            "outcome": "reached",
            "notes": "满意",
            "raised": "希望加装纱窗",
            "raised_kind": "wish",
            "at": "2026-11-06T10:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CallStatus.DONE
    assert Issue._default_manager.get().text == "希望加装纱窗"
    again = client.post(
        f"{URL}{first_call.pk}/record",
        {"version": response.json()["version"], "outcome": "reached", "notes": "x"},
        format="json",
    )
    assert again.status_code == 409


def test_t03_record_with_bad_input_answers_field_errors(world, api_as, first_call):
    client = api_as(world.butler)
    response = client.post(
        f"{URL}{first_call.pk}/record", {"version": first_call.version, "outcome": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.json()
    response = client.post(
        f"{URL}{first_call.pk}/record", {"version": first_call.version, "outcome": "reached"}, format="json"
    )
    assert response.status_code == 400 and "notes" in response.json()
    future = client.post(
        f"{URL}{first_call.pk}/record",
        {"version": first_call.version, "outcome": "busy", "at": "2999-01-01T00:00:00+08:00"},
        format="json",
    )
    assert future.status_code == 400 and "at" in future.json()


def test_t03_outsider_cannot_see_or_record_calls(world, api_as, first_call):
    client = api_as(world.outsider)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{first_call.pk}/").status_code == 404
    response = client.post(f"{URL}{first_call.pk}/record", {"version": 1, "outcome": "busy"}, format="json")
    assert response.status_code == 404
    first_call.refresh_from_db()
    assert first_call.attempts == 0


def test_t03_a_technician_cannot_record(world, api_as, first_call):
    response = api_as(world.technician).post(
        f"{URL}{first_call.pk}/record", {"version": 1, "outcome": "busy"}, format="json"
    )
    assert response.status_code == 403


def test_t02_calls_list_query_count(world, api_as, after_sales, django_assert_max_num_queries):
    from guanjia.followup import services
    from guanjia.testing.factories import make_customer

    for i in range(10):
        customer = make_customer(world.estate, name=f"客户{i}")
        services.plan_apply(
            customer=customer,
            template=after_sales,
            serviced="x",
            service_at=SERVICE_AT,
            assignee=world.butler,
            actor=world.butler,
            now=SERVICE_AT,
        )
    client = api_as(world.butler)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 20
