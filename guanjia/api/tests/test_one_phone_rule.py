"""One phone rule (``core.clean.phone``) wherever a phone number is taken in: a number the desk may type for a
customer it may type for a complaint, a repair, a duty-log call, a lead, a visitor, a colleague or a project's
service centre — kept in the same form — and a number refused in one place is refused in all, with 400 naming
the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from guanjia.accounts.models import User
from guanjia.complaints.models import Complaint
from guanjia.core import clean
from guanjia.dutylog.models import CallRecord
from guanjia.dutylog.services import call_record
from guanjia.estates.models import CustomerPhone, Project
from guanjia.followup.models import Lead
from guanjia.frontdesk.models import Visitor
from guanjia.frontdesk.services import visitor_register
from guanjia.repairs.models import Repair

Outcome = tuple[int, Any, str]  # HTTP status, the error body or the stored number, the field


def _api(response: Any, field: str, stored: Callable[[], str]) -> Outcome:
    return response.status_code, (stored() if response.status_code == 201 else response.json()), field


def _service(call: Callable[[], Any], field: str, stored: Callable[[Any], str]) -> Outcome:
    try:
        made = call()
    except ValidationError as exc:
        return 400, exc.message_dict, field
    return 201, stored(made), field


def customer(world, api_as, number: str) -> Outcome:
    body = {"project": world.estate.pk, "name": "王芳", "phones": [number]}
    response = api_as(world.front_desk).post("/api/v1/customers/", body, format="json")
    return _api(response, "phones", lambda: CustomerPhone.objects.get(customer=response.json()["id"]).number)


def complaint(world, api_as, number: str) -> Outcome:
    body = {
        "project": world.estate.pk,
        "customer_name": "路人甲",
        "contact_phone": number,
        "channel": "phone",
        "description": "电梯异响",
    }
    response = api_as(world.front_desk).post("/api/v1/complaints/", body, format="json")
    return _api(response, "contact_phone", lambda: Complaint.objects.get(pk=response.json()["id"]).contact_phone)


def repair(world, api_as, number: str) -> Outcome:
    body = {
        "project": world.estate.pk,
        "unit": world.unit.pk,
        "customer_name": "路人乙",
        "contact_phone": number,
        "description": "厨房水龙头漏水",
        "urgent": True,
    }
    response = api_as(world.front_desk).post("/api/v1/repairs/", body, format="json")
    return _api(response, "contact_phone", lambda: Repair.objects.get(pk=response.json()["id"]).contact_phone)


def lead(world, api_as, number: str) -> Outcome:
    body = {"project": world.estate.pk, "name": "钱先生", "phone": number, "grade": "A"}
    response = api_as(world.butler).post("/api/v1/leads/", body, format="json")
    return _api(response, "phone", lambda: Lead._default_manager.get(pk=response.json()["id"]).phone)


def staff(world, api_as, number: str) -> Outcome:
    body = {"username": "newguard", "name": "钱保安", "role": "security", "projects": [world.estate.pk]}
    response = api_as(world.office_manager).post("/api/v1/staff/", {**body, "phone": number}, format="json")
    return _api(response, "phone", lambda: User.objects.get(username="newguard").phone)


def project(world, api_as, number: str) -> Outcome:
    body = {"name": "东湖湾", "code": "donghu", "phone": number}
    response = api_as(world.general_manager).post("/api/v1/projects/", body, format="json")
    return _api(response, "phone", lambda: Project.objects.get(code="donghu").phone)


def duty_log_call(world, api_as, number: str) -> Outcome:
    def call() -> CallRecord:
        return call_record(project=world.estate, caller="李明", phone=number, about="问停水", actor=world.front_desk)

    return _service(call, "phone", lambda made: made.phone)


def visitor(world, api_as, number: str) -> Outcome:
    def arrive() -> Visitor:
        return visitor_register(
            project=world.estate, name="访客", phone=number, host_unit=world.unit, actor=world.front_desk
        )

    return _service(arrive, "phone", lambda made: made.phone)


PATHS = [customer, complaint, repair, lead, staff, project, duty_log_call, visitor]
GOOD = ["139 8765 4321", "+86 139-8765-4321", "0755-8600 1234", "(010)66001234", "86001234", "400-812-3123"]
BAD = ["12345", "139876543", "abc"]


@pytest.mark.parametrize("number", GOOD)
@pytest.mark.parametrize("register", PATHS, ids=lambda f: f.__name__)
def test_a_number_accepted_in_one_place_is_accepted_in_all_in_one_form(world, api_as, register, number) -> None:
    status, stored, _field = register(world, api_as, number)
    assert status == 201, stored
    assert stored == clean.phone(number)


@pytest.mark.parametrize("number", BAD)
@pytest.mark.parametrize("register", PATHS, ids=lambda f: f.__name__)
def test_a_number_refused_in_one_place_is_refused_in_all_naming_the_field(world, api_as, register, number) -> None:
    status, errors, field = register(world, api_as, number)
    assert status == 400
    assert "格式不正确" in " ".join(errors[field])
