"""One intake for every case kind (``guanjia.cases.intake``): a complaint and a repair are registered with the
same checks, so what the complaint desk refuses the repair desk refuses too (C01–C03, R01)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.complaints.services import complaint_register
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_unit


def register_complaint(world, **values):
    return complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="楼道灯不亮", **values
    )


def log_repair(world, first_responder=None, **values):
    values.setdefault("location", "厨房")
    request = RepairRequest(description="水龙头漏水", urgent=True, **values)
    return repair_log(project=world.estate, request=request, actor=world.front_desk, first_responder=first_responder)


KINDS = {"complaint": register_complaint, "repair": log_repair}


@pytest.fixture(params=sorted(KINDS))
def register(request):
    return KINDS[request.param]


def refused(register, world, **values) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as err:
        register(world, **values)
    return err.value.message_dict


def test_a_unit_that_is_not_the_customers_is_refused(register, world):
    neighbours = make_unit(world.estate, world.building, entrance="2", room="1202")
    assert "unit" in refused(register, world, customer=world.customer, unit=neighbours)


def test_a_customer_and_a_unit_of_another_project_are_refused(register, world):
    errors = refused(register, world, customer=world.other_customer, unit=world.other_unit)
    assert {"customer", "unit"} <= set(errors)


def test_a_received_time_in_the_future_is_refused(register, world):
    later = timezone.now() + timedelta(minutes=5)
    assert "received_at" in refused(register, world, customer=world.customer, received_at=later)


def test_a_caller_outside_the_archive_gives_a_name_and_a_phone(register, world):
    assert "customer" in refused(register, world, customer_name="王先生")
    case = register(world, customer_name="王先生", contact_phone="139 0000 1111")
    assert (case.customer_name, case.contact_phone) == ("王先生", "13900001111")


def test_c03_a_first_responder_of_another_project_is_refused(register, world):
    errors = refused(register, world, customer=world.customer, first_responder=world.outsider)
    assert "first_responder" in errors


def test_both_kinds_are_numbered_on_the_day_they_were_received(world):
    received = timezone.now() - timedelta(days=3)
    complaint = register_complaint(world, customer=world.customer, received_at=received)
    repair = log_repair(world, customer=world.customer, unit=world.unit, received_at=received)
    day = f"{timezone.localdate(received):%y%m%d}"
    assert complaint.number.startswith(f"TS{day}") and repair.number.startswith(f"BX{day}")
    assert complaint.received_at == repair.received_at == received
