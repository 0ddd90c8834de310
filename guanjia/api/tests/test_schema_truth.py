"""The schema and the answers agree: unset choices are null (and nullable), unknown API paths answer JSON 404,
and every operation documents the errors it can give, with their real shape."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from guanjia.complaints import services as complaints
from guanjia.frontdesk import services as frontdesk
from guanjia.frontdesk.models import CustodyKind


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return generated


def _nullable_enum(schema: dict[str, Any], component: str, field: str) -> bool:
    prop = schema["components"]["schemas"][component]["properties"][field]
    refs = [item.get("$ref", "") for item in prop.get("oneOf", [])]
    return "#/components/schemas/NullEnum" in refs and any(r.endswith("Enum") and "Null" not in r for r in refs)


def test_a_choice_not_yet_made_is_null_and_the_schema_allows_null(world, api_as, schema):
    complaint = complaints.complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="电梯异响", customer=world.customer
    )
    item = frontdesk.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="快递",
        owner_unit=world.unit,
        owner_customer=world.customer,
        actor=world.front_desk,
    ).obj
    api = api_as(world.office_manager)
    body = api.get(f"/api/v1/complaints/{complaint.pk}/").json()
    # Not dispatched, customer not told, no group measure: null, never "" (which no enum allows).
    assert body["department"] is None
    assert body["customer_informed_method"] is None
    assert body["group_measure"] is None
    assert body["against_department"] == "other"  # the contract's value when the desk names no department
    assert api.get(f"/api/v1/custody-items/{item.pk}/").json()["proof_kind"] is None
    for component, field in (
        ("Complaint", "department"),
        ("Complaint", "customer_informed_method"),
        ("Complaint", "group_measure"),
        ("Repair", "payment_method"),
        ("ReturnVisit", "review_decision"),
        ("ReturnVisit", "method"),
        ("CustodyItem", "proof_kind"),
    ):
        assert _nullable_enum(schema, component, field), (component, field)
    # Once set, the value is the plain choice.
    dispatched = api.post(
        f"/api/v1/complaints/{complaint.pk}/dispatch/", {"department": "engineering"}, format="json"
    ).json()
    assert dispatched["department"] == "engineering"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/complaints/abc/",
        "/api/v1/complaints/abc",
        "/api/v1/nothing-here/",
        "/api/v1/complaints/1/no-such-action/",
        "/api/nothing",
    ],
)
def test_an_unknown_api_path_answers_json_404(world, api_as, path):
    response = api_as(world.office_manager).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "未找到。"


def test_an_unknown_page_outside_the_api_is_still_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_answers_json(rf):
    from guanjia.api.errors import server_error

    response = server_error(rf.get("/api/v1/complaints/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.content.decode()


def _responses(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    answers: dict[str, Any] = schema["paths"][path][method]["responses"]
    return answers


def test_every_operation_documents_its_errors_with_their_shape(schema):
    # {"detail": "…"} (``Error`` is the same shape, declared by some views) or {"field": ["message"]}.
    shapes = [{"$ref": f"#/components/schemas/{name}"} for name in ("ErrorDetail", "Error", "FieldErrors")]
    fields = shapes[-1]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            if path not in {"/api/v1/auth/token", "/api/v1/resident/auth/code", "/api/v1/resident/auth/token"}:
                assert {"401", "403"} <= set(responses), (method, path)
            if method in {"post", "put", "patch"}:
                assert "400" in responses, (method, path)
            if "{id}" in path:
                assert "404" in responses, (method, path)
            for code, answer in responses.items():
                if code.startswith("4"):
                    assert answer["content"]["application/json"]["schema"] in shapes, (method, path, code)
    # A write that can meet a stale version or a state that forbids it: 409.
    assert "409" in _responses(schema, "/api/v1/complaints/{id}/", "patch")
    assert "409" in _responses(schema, "/api/v1/complaints/{id}/dispatch/", "post")
    assert "409" in _responses(schema, "/api/v1/repairs/{id}/arrive/", "post")
    assert "409" not in _responses(schema, "/api/v1/complaints/", "get")
    # Field errors: the documented 400 is {"field": ["message"]}.
    complaint_400 = _responses(schema, "/api/v1/complaints/", "post")["400"]
    assert complaint_400["content"]["application/json"]["schema"] == fields
    # Login is locked out after repeated failures: 429 is documented there.
    assert "429" in _responses(schema, "/api/v1/auth/token", "post")
    # A page past the end of a list answers 404.
    assert "404" in _responses(schema, "/api/v1/complaints/", "get")


def test_documented_error_shapes_are_what_the_api_answers(world, api_as):
    api = api_as(world.office_manager)
    bad = api.post("/api/v1/complaints/", {"project": world.estate.pk}, format="json")
    assert bad.status_code == 400 and isinstance(bad.json()["channel"], list)
    missing = api.get("/api/v1/complaints/999999/")
    assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)
    anonymous = api_as(world.office_manager)
    anonymous.credentials()
    unauthenticated = anonymous.get("/api/v1/complaints/")
    assert unauthenticated.status_code == 401 and isinstance(unauthenticated.json()["detail"], str)
