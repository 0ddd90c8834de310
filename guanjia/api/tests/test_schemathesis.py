"""Property-based run of the whole API against its own OpenAPI schema (schemathesis, bounded and repeatable).

The live server answers every operation of ``/api/schema/`` with generated requests (valid and invalid ones), as
the office manager of 滨江花园, who sees that estate's data. Detail routes are aimed at rows that exist as well as
at random ids, and the ids a body or a query refers to (project, unit, customer, …) are often real ones, so the
requests reach the code behind validation. Checks on every answer: no 5xx, the status code is documented for the
operation, and the body is valid under the documented schema.

Bounded and repeatable: a few examples per operation, derandomized (the same requests on every run), no example
database written anywhere, and the clock fixed to a Tuesday morning, so neither the data nor its deadlines depend
on the day the suite runs. Every operation is run; the failures of all of them are reported together.

Find it with ``pytest -m schemathesis``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from guanjia.complaints import services as complaints
from guanjia.frontdesk import services as frontdesk
from guanjia.frontdesk.models import CustodyKind
from guanjia.repairs.models import PriceItem

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True, reset_sequences=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 12, 10, 0, tzinfo=SHANGHAI)
#: Examples per operation: about 70 operations × this stays within a minute or two on two cores.
MAX_EXAMPLES = 10
SEED = 20260512
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _seed(world: Any, api_as: Any) -> dict[str, Any]:
    """Rows of the kinds the API serves; returns the ids a request may refer to, by field name."""
    manager = api_as(world.office_manager)
    complaint = manager.post(
        "/api/v1/complaints/",
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "channel": "phone",
            "description": "楼上漏水到客厅",
        },
        format="json",
    )
    assert complaint.status_code == 201, complaint.content
    settled = complaints.complaint_register(
        project=world.estate, actor=world.front_desk, channel="visit", description="门禁卡失灵", customer=world.customer
    )
    for action, body in (
        ("dispatch", {"department": "security", "assignee": world.butler.pk}),
        ("acknowledge", {}),
        ("nature", {"nature": "valid", "reason": "门禁卡确属故障"}),  # C04: the nature before completion
        ("complete", {"result": "补办门禁卡"}),
    ):
        answer = manager.post(f"/api/v1/complaints/{settled.pk}/{action}/", body, format="json")
        assert answer.status_code == 200, (action, answer.content)
    item = PriceItem.objects.create(project=world.estate, code="S01", name="更换水龙头", fee_yuan=Decimal("30.00"))
    repair = manager.post(
        "/api/v1/repairs/",
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "厨房水龙头漏水",
            "price_item": item.pk,
            "urgent": True,
        },
        format="json",
    )
    assert repair.status_code == 201, repair.content
    incident = complaints.incident_create(project=world.estate, title="3栋停水", actor=world.front_desk)
    frontdesk.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="快递一件",
        owner_unit=world.unit,
        owner_customer=world.customer,
        actor=world.front_desk,
    )
    return {
        "project": world.estate.pk,
        "unit": world.unit.pk,
        "customer": world.customer.pk,
        "incident": incident.pk,
        "price_item": item.pk,
        "assignee": world.butler.pk,
        "technician": world.technician.pk,
        "first_responder": world.front_desk.pk,
        "month": "2026-05",
    }


def _strategy(operation: Any, ids: list[int], refs: dict[str, Any]) -> st.SearchStrategy[Case]:
    """Invalid requests, valid ones, and valid ones that refer to real rows (and, on a detail route, aim at one)."""

    def real_refs(case: Case) -> Case:
        for part in (case.body, case.query):
            if isinstance(part, dict):
                for name, value in refs.items():
                    if name in part:
                        part[name] = value
        return case

    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    generated = [operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), positive, positive.map(real_refs)]
    if "{id}" in operation.path:
        aimed = st.sampled_from(ids).flatmap(lambda pk: operation.as_strategy(path_parameters={"id": pk}))
        generated += [aimed.map(real_refs), aimed.map(real_refs)]
    return st.one_of(*generated)


def test_every_operation_answers_as_its_schema_says(world, api_as, live_server):
    with time_machine.travel(NOW, tick=True):
        refs = _seed(world, api_as)
        ids = sorted({1, 2, 3} | {v for v in refs.values() if isinstance(v, int)})
        token, _ = Token.objects.get_or_create(user=world.office_manager)
        headers = {"Authorization": f"Token {token.key}"}
        schema = schemathesis.openapi.from_url(
            f"{live_server.url}/api/schema/", config=schemathesis.Config.from_dict({"seed": SEED})
        )
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @given(case=_strategy(operation, ids, refs))
            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except (FailureGroup, Failure, AssertionError) as exc:  # run every operation, report all failures
                failures.append(f"{operation.label}: {exc}")
    assert operations > 50
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
