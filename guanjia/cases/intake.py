"""One registration for every case kind: the checks every case is registered with, made once, and its numbered row.

A kind's registration service (``complaint_register``, ``repair_log``) checks the actor's role for that kind, then
calls ``case_intake`` with what every case is told — who (a customer of the project, or a caller's name and phone),
which unit, when it was received, who first responded — checks its own facts, takes the case number with
``case_number_take`` just before its transaction opens, and creates its row with ``case_register`` inside it. So
"the customer belongs to the project", "the unit is the customer's", "received not in the future" and the case
number are written here and nowhere else (C01–C03, R01).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_see_project
from guanjia.cases.deadlines import deadline_row
from guanjia.cases.models import Case, Deadline
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


def case_number_take(model: type[Case], intake: Intake) -> str:
    """Take the number of a case of ``model`` registered from ``intake``: the kind's prefix and the local day it
    was received ("TS2611220001").

    Call it BEFORE the registration's transaction opens, once the input is checked: the number is then taken and
    kept in a statement of its own, and concurrent registrations do not wait for each other's commit. A
    registration that fails after this loses its number (a gap in the day's numbers), never gives it twice."""
    return case_number_next(prefix=model.NUMBER_PREFIX, at=intake.received_at)


@dataclass(frozen=True)
class FirstLimit:
    """A limit a case is registered with: its ``kind``, when it is due and its ``data`` (``cases.Deadline``)."""

    kind: str
    due_at: datetime
    data: dict[str, Any] = dataclasses.field(default_factory=dict)


def case_register(
    model: type[C],
    *,
    intake: Intake,
    number: str | None = None,
    limits: Sequence[FirstLimit] = (),
    now: datetime | None = None,
    **fields: Any,
) -> C:
    """Create the case of ``model`` from a checked ``intake`` and the kind's own ``fields``, numbered ``number``
    (from ``case_number_take``, taken before the transaction; taken here when None), with its first ``limits``.

    A new case has no limit to replace, so its limits are written in one INSERT, each built by ``deadline_row``
    as ``deadline_set`` builds it: pending, or — already past at ``now`` (a paper form typed in later, C11) —
    missed and not fired. The case's stored next limit (``next_due_at``, the earliest pending one) is written with
    the case itself, and the case returned holds its limits (``case.deadlines.all()`` asks no query). Call inside
    the registration's transaction."""
    if limits and now is None:
        raise ValueError("a case registered with limits needs now")
    if "next_due_at" in _field_names(model):
        fields["next_due_at"] = min(
            (lim.due_at for lim in limits if now is not None and lim.due_at > now), default=None
        )
    case = model._default_manager.create(
        project=intake.project,
        number=number or case_number_take(model, intake),
        customer=intake.customer,
        customer_name=intake.customer_name,
        contact_phone=intake.contact_phone,
        unit=intake.unit,
        received_at=intake.received_at,
        registered_by=intake.registered_by,
        first_responder=intake.first_responder,
        **fields,
    )
    if limits:
        assert now is not None
        subject_type = ContentType.objects.get_for_model(model)
        rows = [
            deadline_row(
                project=intake.project,
                subject_type=subject_type,
                subject_id=case.pk,
                kind=limit.kind,
                due_at=limit.due_at,
                now=now,
                data=limit.data,
            )
            for limit in limits
        ]
        Deadline.objects.bulk_create(rows)
        _remember_deadlines(case, rows)
    return case


def _remember_deadlines(case: Case, rows: list[Deadline]) -> None:
    """Keep the limits just written as the case's ``deadlines`` (in their usual order: due, then id), so whoever
    answers with the new case reads them without asking the database again — as ``prefetch_related`` would."""
    cached = case.deadlines.all()
    cached._result_cache = sorted(rows, key=lambda d: (d.due_at, d.pk))
    cached._prefetch_done = True
    case._prefetched_objects_cache = {"deadlines": cached}  # type: ignore[attr-defined]


@functools.cache
def _field_names(model: type[Case]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields)
