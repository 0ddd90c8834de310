"""C11, S01, S05: a month of paper forms typed in after the fact is timed by the recorded times of its steps.

Every case of May 2026 is entered on 2 June, when all its limits have long passed: a step recorded before its
due counts on time, a step recorded after it counts late, in the monthly report (reports/monthly API) as in
the deadlines themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from guanjia.cases.models import DeadlineState
from guanjia.complaints import services as complaints
from guanjia.repairs import services as repairs
from guanjia.repairs.models import PriceItem
from guanjia.reports.tests.conftest import MONTH, local

#: When the paper forms are typed in: long after every limit of May.
ENTRY = local(2026, 6, 2, 10, 0)
MIN = timedelta(minutes=1)


def _complaint(world, *, received: datetime, acknowledged: datetime, completed: datetime):
    complaint = complaints.complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="phone",
        description="楼道灯不亮",
        customer=world.customer,
        received_at=received,
        now=ENTRY,
    )
    complaint = complaints.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    complaint = complaints.complaint_dispatch(
        complaint=complaint, department="engineering", actor=world.front_desk, at=received + MIN
    )
    complaint = complaints.complaint_acknowledge(complaint=complaint, actor=world.front_desk, at=acknowledged)
    return complaints.complaint_complete(
        complaint=complaint, result="已修好", actor=world.front_desk, completed_at=completed
    )


def _repair(world, tap, *, received: datetime, ordered: datetime, arrived: datetime):
    repair = repairs.repair_log(
        project=world.estate,
        request=repairs.RepairRequest(
            description="水龙头漏水",
            unit=world.unit,
            customer=world.customer,
            received_at=received,
            price_item=tap,
            urgent=True,
        ),
        actor=world.front_desk,
    )
    repairs.repair_order_and_notify(repair=repair, actor=world.front_desk, at=ordered)
    repairs.repair_accept(repair=repair, actor=world.technician, technician=world.technician, at=ordered + MIN)
    repairs.repair_arrive(repair=repair, actor=world.technician, at=arrived)
    repairs.repair_complete(
        repair=repair, actor=world.technician, customer_signed=True, fee_yuan="30", completed_at=arrived + 30 * MIN
    )
    return repair


@pytest.mark.django_db
def test_c11_s01_s05_a_month_entered_after_the_fact_is_timed_by_its_recorded_steps(world, api_as):
    tap = PriceItem.objects.create(project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30.00"))
    with time_machine.travel(ENTRY, tick=False):
        # A general complaint: respond within 10 minutes, resolve within 12 hours (C13).
        on_time = _complaint(
            world,
            received=local(2026, 5, 10, 9, 0),
            acknowledged=local(2026, 5, 10, 9, 5),
            completed=local(2026, 5, 10, 15, 0),
        )
        _complaint(  # late on both counts
            world,
            received=local(2026, 5, 11, 9, 0),
            acknowledged=local(2026, 5, 11, 9, 15),
            completed=local(2026, 5, 11, 22, 0),
        )
        _complaint(  # responded in time, resolved late
            world,
            received=local(2026, 5, 12, 9, 0),
            acknowledged=local(2026, 5, 12, 9, 10),
            completed=local(2026, 5, 13, 10, 0),
        )
        # Repairs (R02, R03): the order written and the department told within 5 minutes, reached within 15.
        in_time = _repair(
            world,
            tap,
            received=local(2026, 5, 14, 8, 0),
            ordered=local(2026, 5, 14, 8, 3),
            arrived=local(2026, 5, 14, 8, 15),
        )
        _repair(
            world,
            tap,
            received=local(2026, 5, 15, 8, 0),
            ordered=local(2026, 5, 15, 8, 20),
            arrived=local(2026, 5, 15, 8, 30),
        )
        _repair(
            world,
            tap,
            received=local(2026, 5, 16, 8, 0),
            ordered=local(2026, 5, 16, 8, 2),
            arrived=local(2026, 5, 16, 8, 40),
        )

    # The deadlines themselves agree: met at the step's time, though entered after the due.
    response = on_time.deadlines.get(kind="response")
    assert (response.state, response.met_at, response.late) == (DeadlineState.MET, local(2026, 5, 10, 9, 5), False)
    assert set(in_time.deadlines.values_list("state", flat=True)) == {DeadlineState.MET}

    body = (
        api_as(world.supervisor)
        .get("/api/v1/reports/monthly", {"project": world.estate.pk, "month": f"{MONTH:%Y-%m}"})
        .json()
    )

    assert (body["complaints"]["total"], body["complaints"]["responded_in_time"]) == (3, 2)
    assert body["complaints"]["resolved_in_time"] == 1
    assert (body["repairs"]["total"], body["repairs"]["completed"], body["repairs"]["on_time"]) == (3, 3, 1)
