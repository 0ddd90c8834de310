"""Logging a repair through the API asks a fixed number of queries, however many orders, customers and limits the
database already holds (issue 14); its limits are written in one INSERT."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline
from guanjia.repairs.models import Repair
from guanjia.repairs.tests.test_api import URL
from guanjia.testing.factories import make_customer

#: token, visible projects, project, unit, customer, price item, the customer's unit check, their phone, policy,
#: number, savepoint, order, its limits (one INSERT), reported line, timeline event, release, and the answer read
#: back (the order and its lines).
LOGGED = 18


def _body(world, tap, customer=None, **kw):
    data = {
        "project": world.estate.pk,
        "unit": world.unit.pk,
        "customer": (customer or world.customer).pk,
        "description": "厨房水龙头漏水",
        "price_item": tap.pk,
        "urgent": True,
    }
    data.update(kw)
    return data


def _post(api, data) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = api.post(URL, data, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], [q["sql"] for q in captured.captured_queries]


def test_logging_queries_are_fixed_and_do_not_grow_with_data(world, api_as, tap):
    api = api_as(world.front_desk)
    _post(api, _body(world, tap))  # warm: content types, first use of the day's number
    _, few = _post(api, _body(world, tap))
    for i in range(10):
        _post(api, _body(world, tap, customer=make_customer(world.estate, name=f"客户{i}", units=(world.unit,))))
    pk, many = _post(api, _body(world, tap))
    assert len(few) == LOGGED, "\n".join(few)
    assert len(many) == len(few), "\n".join(many)
    repair = Repair.objects.get(pk=pk)
    assert sorted(repair.deadlines.values_list("kind", flat=True)) == ["notify", "order"]
    assert Deadline.objects.count() == 13 * 2
    taken = next(i for i, s in enumerate(few) if "cases_casecounter" in s)
    assert taken < next(i for i, s in enumerate(few) if s.startswith("SAVEPOINT"))
    assert repair.number.startswith("BX")
