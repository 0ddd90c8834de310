"""One registration for every case kind: the checks every case is registered with, made once, and its numbered row.

A kind's registration service (``complaint_register``, ``repair_log``) checks the actor's role for that kind, then
calls ``case_intake`` with what every case is told — who (a customer of the project, or a caller's name and phone),
which unit, when it was received, who first responded — checks its own facts, and creates its row with
``case_register`` inside its transaction. So "the customer belongs to the project", "the unit is the customer's",
"received not in the future" and the case number are written here and nowhere else (C01–C03, R01).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_see_project
from guanjia.cases.models import Case
from guanjia.cases.services import case_number_next
from guanjia.core import clean
from guanjia.estates.models import Customer, Project, Unit

C = TypeVar("C", bound=Case)

#: A caller outside the customer archive gives at most this many characters of name (``Case.customer_name``).
CALLER_NAME_MAX = 50


@dataclass(frozen=True)
class Intake:
    """What every case is registered with, checked by ``case_intake``."""

    project: Project
    registered_by: Any
    first_responder: Any
    received_at: datetime
    customer: Customer | None
    customer_name: str
    contact_phone: str
    unit: Unit | None

    def replace(self, **changes: Any) -> Intake:
        return dataclasses.replace(self, **changes)


def case_intake(
    *,
    project: Project,
    actor: Any,
    now: datetime,
    received_at: Any = None,
    customer: Customer | None = None,
    customer_name: Any = "",
    contact_phone: Any = "",
    unit: Unit | None = None,
    first_responder: Any = None,
    caller_required: bool = True,
) -> Intake:
    """Check what every case is registered with and return it cleaned.

    The actor must see ``project`` (``PermissionError``; the kind checks the role). Every field at fault is named
    in one ``ValidationError``: a customer or unit of another project, a unit that is not the customer's, a
    caller's name or phone that is not one (``core.clean``), no customer and no caller's name and phone (unless
    ``caller_required`` is False: a patrol's or the duty log's own finding), a received time in the future
    (``core.clean.past_time``, None is now), a first responder who is not active in the project (default: the
    actor)."""
    if not can_see_project(actor, project):
        raise PermissionError("actor may not register cases in this project")
    errors: dict[str, list[str]] = {}

    def check(field: str, message: str) -> None:
        errors.setdefault(field, [message])

    def cleaned(rule: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return rule(*args, **kwargs)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, messages)
            return None

    received = cleaned(clean.past_time, received_at, now=now, field="received_at")
    name = cleaned(clean.text, customer_name, "customer_name", max_length=CALLER_NAME_MAX) or ""
    phone = cleaned(clean.phone, contact_phone, "contact_phone") or ""
    if customer is not None and customer.project_id != project.pk:
        check("customer", _("客户不属于本项目"))
    elif customer is None and caller_required and not (name and phone):
        check("customer", _("请选择客户，或填写来电人姓名和联系电话"))
    if unit is not None and unit.project_id != project.pk:
        check("unit", _("房屋不属于本项目"))
    elif unit is not None and customer is not None and not customer.has_unit(unit):
        check("unit", _("所选房屋不属于该客户"))
    responder = first_responder or actor
    if not (responder.is_active and can_see_project(responder, project)):
        check("first_responder", _("首问责任人不属于本项目"))
    if errors:
        raise ValidationError(errors)
    return Intake(
        project=project,
        registered_by=actor,
        first_responder=responder,
        received_at=received,
        customer=customer,
        customer_name=name,
        contact_phone=phone,
        unit=unit,
    )


def case_register(model: type[C], *, intake: Intake, **fields: Any) -> C:
    """Create the case of ``model`` from a checked ``intake`` and the kind's own ``fields``, numbered with the
    kind's prefix on the local day it was received ("TS2611220001").

    Call inside the registration's transaction: a registration that rolls back gives its number back."""
    return model._default_manager.create(
        project=intake.project,
        number=case_number_next(prefix=model.NUMBER_PREFIX, at=intake.received_at),
        customer=intake.customer,
        customer_name=intake.customer_name,
        contact_phone=intake.contact_phone,
        unit=intake.unit,
        received_at=intake.received_at,
        registered_by=intake.registered_by,
        first_responder=intake.first_responder,
        **fields,
    )
