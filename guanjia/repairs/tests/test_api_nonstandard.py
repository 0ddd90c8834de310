"""Non-standard repairs over the API (R02, R05): notify-department, assess, consent as API.md names them.

Times are passed as ``at`` relative to the moment the test runs, so nothing depends on the current date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.notifications.models import Notification
from guanjia.repairs.models import Repair
from guanjia.timeline.models import Event

URL = "/api/v1/repairs/"


def iso(dt: datetime) -> str:
    return timezone.localtime(dt).isoformat()


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def deadline(pk: int, kind: str) -> Deadline:
    return Deadline.objects.exclude(state=DeadlineState.CANCELLED).get(
        subject_type=ContentType.objects.get_for_model(Repair), subject_id=pk, kind=kind
    )


@pytest.fixture
def start() -> datetime:
    """When the request came in: two hours ago, to the second."""
    return timezone.now().replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def non_standard(world, api_as, start) -> dict[str, Any]:
    response = api_as(world.front_desk).post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "阳台推拉门变形，关不严",
            "price_item": None,
            "received_at": iso(start),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    assert body["price_item"] is None and body["assess_due_at"] is None
    return body


def post(client: Any, pk: int, action: str, body: dict[str, Any]) -> Any:
    return client.post(f"{URL}{pk}/{action}", body, format="json")


def test_r05_non_standard_repair_through_the_api_from_logging_to_consent_and_completion(
    world, api_as, engineer, non_standard, start
):
    pk = non_standard["id"]
    desk, supervisor, tech = api_as(world.front_desk), api_as(engineer), api_as(world.technician)

    told = post(desk, pk, "notify-department", {"at": iso(start + timedelta(minutes=3))})
    assert told.status_code == 200, told.json()
    body = told.json()
    assert body["status"] == "notified"
    assert parse(body["ordered_at"]) == parse(body["notified_at"]) == start + timedelta(minutes=3)

    assessed = post(
        supervisor,
        pk,
        "assess",
        {
            "feasible": True,
            "fee_yuan": "120.00",
            "note": "需更换滑轮和密封条",
            "at": iso(start + timedelta(minutes=10)),
        },
    )
    assert assessed.status_code == 200, assessed.json()
    body = assessed.json()
    assert body["status"] == "quoted" and body["quoted_fee_yuan"] == 120.0
    assert body["feasible"] is True and body["assessment"] == "需更换滑轮和密封条"
    assert deadline(pk, "assess").state == DeadlineState.MET

    # Before the customer's consent the work is not dispatched (R05).
    early = post(tech, pk, "accept", {"technician": world.technician.pk})
    assert early.status_code == 409

    consented = post(desk, pk, "consent", {"agreed": True, "at": iso(start + timedelta(minutes=20))})
    assert consented.status_code == 200, consented.json()
    assert consented.json()["status"] == "consented"
    assert parse(consented.json()["consent_at"]) == start + timedelta(minutes=20)

    # Then R03 applies.
    accepted = post(tech, pk, "accept", {"technician": world.technician.pk, "at": iso(start + timedelta(minutes=25))})
    assert accepted.status_code == 200, accepted.json()
    assert parse(accepted.json()["arrive_due_at"]) == start + timedelta(minutes=40)
    assert post(tech, pk, "arrive", {"at": iso(start + timedelta(minutes=35))}).json()["status"] == "arrived"
    done = post(
        tech,
        pk,
        "complete",
        {
            "actual_items": [{"name": "更换推拉门滑轮", "fee_yuan": "120", "quantity": 1}],
            "fee_yuan": "120.00",
            "customer_signed": True,
            "payment_method": "cash",
            "completed_at": iso(start + timedelta(minutes=60)),
        },
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed" and done.json()["fee_yuan"] == 120.0

    verbs = list(
        Event.objects.filter(subject_type=ContentType.objects.get_for_model(Repair), subject_id=pk).values_list(
            "verb", flat=True
        )
    )
    for verb in (
        "repair.logged",
        "repair.ordered",
        "repair.notified",
        "repair.dispatched",
        "repair.quoted",
        "repair.consented",
        "repair.accepted",
        "repair.arrived",
        "repair.completed",
    ):
        assert verb in verbs, verb


def test_r05_assess_due_at_is_fifteen_minutes_after_notify_department(world, api_as, non_standard, start):
    pk = non_standard["id"]
    notified = start + timedelta(minutes=4, seconds=30)
    body = post(api_as(world.front_desk), pk, "notify-department", {"at": iso(notified)}).json()
    assert parse(body["assess_due_at"]) == notified + timedelta(minutes=15)
    assert deadline(pk, "assess").due_at == notified + timedelta(minutes=15)
    # The representation exposes it on read as well.
    read = api_as(world.front_desk).get(f"{URL}{pk}/").json()
    assert parse(read["assess_due_at"]) == notified + timedelta(minutes=15)


def test_r05_assess_due_at_follows_the_policy(world, api_as, non_standard, start):
    from guanjia.policy.services import policy_set

    policy_set(company=world.company, project=world.estate, key="repair.assess_minutes", value=20, actor=None)
    notified = start + timedelta(minutes=2)
    body = post(api_as(world.front_desk), non_standard["id"], "notify-department", {"at": iso(notified)}).json()
    assert parse(body["assess_due_at"]) == notified + timedelta(minutes=20)


def test_r02_a_standard_repair_gets_no_assess_limit(world, api_as, tap, start):
    client = api_as(world.front_desk)
    created = client.post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "水龙头漏水",
            "price_item": tap.pk,
            "received_at": iso(start),
        },
        format="json",
    ).json()
    body = post(client, created["id"], "notify-department", {"at": iso(start + timedelta(minutes=2))}).json()
    assert body["status"] == "notified" and body["assess_due_at"] is None
    assert deadline(created["id"], "notify").state == DeadlineState.MET


def test_r05_missed_assessment_limit_is_recorded_by_the_sweep(
    world, api_as, engineer, non_standard, start, time_machine
):
    pk = non_standard["id"]
    notified = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    post(api_as(world.front_desk), pk, "notify-department", {"at": iso(notified)})
    assert deadline(pk, "assess").state == DeadlineState.PENDING
    assert not sweep(notified + timedelta(minutes=14, seconds=59)).missed  # still within the 15 minutes
    # The sweep runs later than the limit; the assessment comes later still.
    time_machine.move_to(notified + timedelta(minutes=16))
    result = sweep(notified + timedelta(minutes=15, seconds=1))
    assess = deadline(pk, "assess")
    assert assess.pk in result.missed
    assert assess.state == DeadlineState.MISSED and assess.fired
    assert Event.objects.filter(subject_id=pk, verb="deadline.missed", data__kind="assess").exists()
    told = set(Notification.objects.filter(kind="repair.deadline_missed").values_list("recipient__username", flat=True))
    assert "engineer" in told
    # A late assessment is still recorded, and stays late.
    late = post(api_as(engineer), pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"})
    assert late.status_code == 200, late.json()
    assert deadline(pk, "assess").state == DeadlineState.MISSED


def test_r05_an_infeasible_item_is_cancelled_with_the_note(world, api_as, engineer, non_standard, start):
    pk = non_standard["id"]
    post(api_as(world.front_desk), pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    body = post(api_as(engineer), pk, "assess", {"feasible": False, "note": "属开发商保修范围"}).json()
    assert body["status"] == "cancelled" and body["feasible"] is False and body["quoted_fee_yuan"] is None


def test_r05_the_customer_declines_the_fee_with_a_reason(world, api_as, engineer, non_standard, start):
    pk = non_standard["id"]
    desk = api_as(world.front_desk)
    post(desk, pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    post(api_as(engineer), pk, "assess", {"feasible": True, "fee_yuan": "300", "note": "需整体更换"})
    missing = post(desk, pk, "consent", {"agreed": False})
    assert missing.status_code == 400 and "reason" in missing.json()
    declined = post(desk, pk, "consent", {"agreed": False, "reason": "太贵，自行找人修"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("assess", {"fee_yuan": "80", "note": "可修"}, "feasible"),
        ("assess", {"feasible": True, "fee_yuan": "80", "note": ""}, "note"),
        ("assess", {"feasible": True, "fee_yuan": "80"}, "note"),
        ("assess", {"feasible": True, "note": "可修"}, "fee_yuan"),
        ("assess", {"feasible": True, "fee_yuan": "-1", "note": "可修"}, "fee_yuan"),
        ("assess", {"feasible": True, "fee_yuan": "abc", "note": "可修"}, "fee_yuan"),
        ("assess", {"feasible": "maybe", "fee_yuan": "80", "note": "可修"}, "feasible"),
        ("assess", {"feasible": True, "fee_yuan": "80", "note": "可修", "colour": "red"}, "colour"),
        ("assess", {"feasible": True, "fee_yuan": "80", "note": "可修", "version": "x"}, "version"),
    ],
)
def test_r05_bad_assessment_is_400_naming_the_field(world, api_as, engineer, non_standard, start, action, body, field):
    pk = non_standard["id"]
    post(api_as(world.front_desk), pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    response = post(api_as(engineer), pk, action, body)
    assert response.status_code == 400, response.json()
    errors = response.json()
    assert field in errors and all(isinstance(m, str) for m in errors[field])
    assert Repair.objects.get(pk=pk).status == "notified"


def test_r05_bad_consent_and_times_are_400_naming_the_field(world, api_as, engineer, non_standard, start):
    pk = non_standard["id"]
    desk = api_as(world.front_desk)
    future = post(desk, pk, "notify-department", {"at": iso(timezone.now() + timedelta(minutes=5))})
    assert future.status_code == 400 and "at" in future.json()
    before = post(desk, pk, "notify-department", {"at": iso(start - timedelta(minutes=1))})
    assert before.status_code == 400 and "at" in before.json()
    post(desk, pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    post(api_as(engineer), pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"})
    assert post(desk, pk, "consent", {}).json().keys() == {"agreed"}
    assert "agreed" in post(desk, pk, "consent", {"agreed": "perhaps"}).json()
    assert Repair.objects.get(pk=pk).status == "quoted"


def test_r05_stale_version_is_409(world, api_as, engineer, non_standard, start):
    pk = non_standard["id"]
    desk = api_as(world.front_desk)
    read_version = non_standard["version"]
    told = post(desk, pk, "notify-department", {"at": iso(start + timedelta(minutes=2)), "version": read_version})
    assert told.status_code == 200, told.json()
    stale = post(
        api_as(engineer), pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修", "version": read_version}
    )
    assert stale.status_code == 409 and isinstance(stale.json()["detail"], str)
    assert Repair.objects.get(pk=pk).status == "notified"
    fresh = post(
        api_as(engineer),
        pk,
        "assess",
        {"feasible": True, "fee_yuan": "80", "note": "可修", "version": told.json()["version"]},
    )
    assert fresh.status_code == 200, fresh.json()
    stale_consent = post(desk, pk, "consent", {"agreed": True, "version": told.json()["version"]})
    assert stale_consent.status_code == 409


def test_r05_steps_out_of_order_are_409(world, api_as, engineer, non_standard, start, tap):
    pk = non_standard["id"]
    desk, supervisor = api_as(world.front_desk), api_as(engineer)
    # Not yet told: nothing to assess; nothing quoted: no consent.
    assert post(supervisor, pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"}).status_code == 409
    assert post(desk, pk, "consent", {"agreed": True}).status_code == 409
    post(desk, pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    assert post(desk, pk, "notify-department", {}).status_code == 409  # told twice
    assert post(desk, pk, "consent", {"agreed": False, "reason": "x"}).status_code == 409
    post(supervisor, pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"})
    assert post(supervisor, pk, "assess", {"feasible": True, "fee_yuan": "90", "note": "再评"}).status_code == 409
    # A standard item is not assessed.
    standard = desk.post(
        URL,
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "水龙头漏水",
            "price_item": tap.pk,
        },
        format="json",
    ).json()
    post(desk, standard["id"], "notify-department", {})
    refused = post(supervisor, standard["id"], "assess", {"feasible": True, "fee_yuan": "1", "note": "x"})
    assert refused.status_code == 409


def test_r05_outsider_gets_404_and_wrong_roles_403(world, api_as, engineer, non_standard, start):
    pk = non_standard["id"]
    outsider = api_as(world.outsider)
    for action, body in (
        ("notify-department", {}),
        ("assess", {"feasible": True, "fee_yuan": "80", "note": "可修"}),
        ("consent", {"agreed": True}),
    ):
        response = post(outsider, pk, action, body)
        assert response.status_code == 404 and isinstance(response.json()["detail"], str), action
    # A technician neither tells the department nor assesses; the front desk does not assess.
    tech = api_as(world.technician)
    assert post(tech, pk, "notify-department", {}).status_code == 403
    post(api_as(world.front_desk), pk, "notify-department", {"at": iso(start + timedelta(minutes=2))})
    assert post(tech, pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"}).status_code == 403
    assert (
        post(api_as(world.front_desk), pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "x"}).status_code
        == 403
    )
    post(api_as(engineer), pk, "assess", {"feasible": True, "fee_yuan": "80", "note": "可修"})
    assert post(tech, pk, "consent", {"agreed": True}).status_code == 403
    anonymous = api_as(world.front_desk)
    anonymous.credentials()
    assert post(anonymous, pk, "consent", {"agreed": True}).status_code == 401
    assert Repair.objects.get(pk=pk).status == "quoted"


def test_schema_documents_the_r05_actions_and_their_bodies(world, api_as):
    schema = api_as(world.front_desk).get("/api/schema/", {"format": "json"}).json()
    paths = {p.rstrip("/"): v for p, v in schema["paths"].items()}
    for action in ("notify-department", "assess", "consent"):
        operation = paths[f"/api/v1/repairs/{{id}}/{action}"]["post"]
        assert {"400", "403", "404", "409"} <= set(operation["responses"]), action
    components = schema["components"]["schemas"]
    assert {"feasible", "fee_yuan", "note", "at"} <= set(components["AssessRequest"]["properties"])
    assert {"agreed", "at"} <= set(components["ConsentRequest"]["properties"])
    assert "assess_due_at" in components["Repair"]["properties"]
