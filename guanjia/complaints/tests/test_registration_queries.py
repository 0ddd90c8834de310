"""Registering a complaint through the API asks a fixed number of queries, however many complaints, customers and
limits the database already holds (issue 14: ≤ 12 per registration, savepoints of the test's transaction
included); its number is taken before the registration's transaction, so registrations do not queue on it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.models import Complaint
from guanjia.complaints.tests.test_api import URL, body
from guanjia.complaints.tests.test_services import register
from guanjia.testing.factories import make_customer

#: token, visible projects, project, customer, the customer's unit, policy, number, savepoint, complaint,
#: its limits (one INSERT), timeline event, release. The answer is written from the new row: no read back.
GENERAL = 12
#: A significant complaint also alerts (C14): who holds the roles, which of them already had this alert (notify's
#: dedupe), and the notifications in one INSERT.
SIGNIFICANT = GENERAL + 3


def _post(api, data) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = api.post(URL, data, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], [q["sql"] for q in captured.captured_queries]


def _grow(world, n: int = 12) -> None:
    for i in range(n):
        customer = make_customer(world.estate, name=f"客户{i}", units=(world.unit,))
        register(world, customer=customer, facts={"economic_loss_yuan": 3000} if i % 2 else None)


@pytest.mark.parametrize(("extra", "expected"), [({}, GENERAL), ({"economic_loss_yuan": "2500"}, SIGNIFICANT)])
def test_registration_queries_are_fixed_and_do_not_grow_with_data(world, api_as, extra, expected):
    api = api_as(world.front_desk)
    _post(api, body(world, **extra))  # warm: content types, first use of the day's number
    _, few = _post(api, body(world, **extra))
    _grow(world)
    pk, many = _post(api, body(world, **extra))
    assert len(few) == expected, "\n".join(few)
    assert len(many) == len(few), "\n".join(many)
    complaint = Complaint.objects.get(pk=pk)
    assert complaint.deadlines.count() == (3 if extra else 2)


def test_the_number_is_taken_before_the_registration_transaction(world, api_as):
    api = api_as(world.front_desk)
    _post(api, body(world))
    _, sql = _post(api, body(world))
    taken = next(i for i, s in enumerate(sql) if "cases_casecounter" in s)
    opened = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
    assert taken < opened


def test_the_stored_next_limit_is_the_earliest_pending_one(world, api_as):
    if "next_due_at" not in {f.name for f in Complaint._meta.concrete_fields}:
        pytest.skip("cases do not store their next limit yet")
    pk, _ = _post(api_as(world.front_desk), body(world, economic_loss_yuan="2500"))
    complaint = Complaint.objects.get(pk=pk)
    pending = complaint.deadlines.filter(state=DeadlineState.PENDING).order_by("due_at")
    assert complaint.next_due_at == pending.first().due_at
    assert Deadline.objects.filter(subject_id=pk, state=DeadlineState.PENDING).count() == 3
