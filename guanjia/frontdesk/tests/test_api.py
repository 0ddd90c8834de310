"""The API of the ledgers: custody items scoped by project, hand-over exactly once, visitor passes (F01, F02)."""

from django.utils import timezone

from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyKind


def parcel(world):
    return services.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="",
        owner_unit=world.unit,
        owner_customer=world.customer,
        actor=world.front_desk,
    )


def test_f02_api_lists_open_items_and_hands_over_once(world, api_as, django_assert_max_num_queries):
    issued = parcel(world)
    for _ in range(10):
        parcel(world)
    api = api_as(world.front_desk)
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/custody-items/", {"status": "open", "kind": "parcel"})
    assert response.status_code == 200 and response.json()["count"] == 11
    url = f"/api/v1/custody-items/{issued.obj.pk}/hand-over"
    wrong = api.post(url, {"proof_kind": "pickup_code", "proof_value": "12345x"}, format="json")
    assert wrong.status_code == 400 and "proof" in wrong.json()
    ok = api.post(url, {"proof_kind": "pickup_code", "proof_value": issued.code}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "handed_over"
    again = api.post(url, {"proof_kind": "pickup_code", "proof_value": issued.code}, format="json")
    assert again.status_code == 409 and "不能重复交付" in again.json()["detail"]


def test_f02_api_outsider_sees_no_item_and_cannot_hand_over(world, api_as):
    issued = parcel(world)
    api = api_as(world.outsider)
    assert api.get("/api/v1/custody-items/").json()["count"] == 0
    response = api.post(
        f"/api/v1/custody-items/{issued.obj.pk}/hand-over",
        {"proof_kind": "pickup_code", "proof_value": issued.code},
        format="json",
    )
    assert response.status_code == 404
    assert (
        api_as(world.technician)
        .post(
            f"/api/v1/custody-items/{issued.obj.pk}/hand-over",
            {"proof_kind": "pickup_code", "proof_value": issued.code},
            format="json",
        )
        .status_code
        == 403
    )


def test_f01_api_creates_a_visitor_pass_and_returns_the_code_once(world, api_as):
    api = api_as(world.front_desk)
    body = {
        "project": world.estate.pk,
        "unit": world.unit.pk,
        "customer": world.customer.pk,
        "visitor_name": "钱朋友",
        "valid_on": timezone.localdate().isoformat(),
    }
    created = api.post("/api/v1/visitor-passes/", body, format="json")
    assert created.status_code == 201 and len(created.json()["code"]) == 6
    listed = api.get("/api/v1/visitor-passes/").json()["results"]
    assert listed[0]["code"] is None
    outsider = api_as(world.outsider).post("/api/v1/visitor-passes/", body, format="json")
    assert outsider.status_code == 400 and "project" in outsider.json()
