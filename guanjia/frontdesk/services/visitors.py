"""Visitors (F01): a resident's pass, registration at the counter, the host's confirmation, admission and
signing out; the status changes through ``guanjia.core.states.transition``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_keep_ledgers, can_reveal_phone
from guanjia.accounts.models import User
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.core.states import transition
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.services import id_number_keys
from guanjia.frontdesk.models import ConfirmMethod, Visitor, VisitorPass, VisitorStatus
from guanjia.frontdesk.services._common import (
    _CODE_ATTEMPTS,
    Issued,
    _check_customer,
    _check_unit,
    _new_code,
    _require,
    _resides,
    code_hash,
)
from guanjia.timeline.services import record

# --- Visitors (F01) --------------------------------------------------------------------------------------------


def visitor_pass_create(
    *,
    project: Project,
    unit: Unit,
    visitor_name: str,
    valid_on: date,
    actor: User | None,
    customer: Customer | None = None,
) -> Issued:
    """A resident announces a visitor (on the phone to the desk, or through the API): a code for that day.
    ``Issued.code`` is the only time the code is seen; the resident passes it on."""
    if actor is not None:
        _require(can_keep_ledgers(actor, project))
    _check_unit(project, unit, "unit")
    _check_customer(project, customer, "customer")
    if customer is not None and not _resides(customer, unit):
        raise ValidationError({"customer": [_("该客户不是被访房屋的住户")]})
    if valid_on < timezone.localdate():
        raise ValidationError({"valid_on": [_("有效日期不能早于今天")]})
    name = clean.text(visitor_name, "visitor_name", required=True, max_length=50)
    for _attempt in range(_CODE_ATTEMPTS):
        code = _new_code()
        try:
            with transaction.atomic():
                visitor_pass = VisitorPass.objects.create(
                    project=project,
                    unit=unit,
                    customer=customer,
                    visitor_name=name,
                    valid_on=valid_on,
                    code_hash=code_hash(project.pk, code),
                    created_by=actor,
                )
                record(
                    subject=visitor_pass,
                    verb="visitor_pass.created",
                    actor=actor,
                    data={"unit": unit.pk, "valid_on": valid_on.isoformat()},
                )
            return Issued(visitor_pass, code)
        except IntegrityError:
            continue
    raise ConflictError(_("通行码生成失败，请重试"))  # pragma: no cover


def visitor_register(
    *,
    project: Project,
    name: str,
    host_unit: Unit,
    actor: User,
    id_number: str = "",
    phone: str = "",
    purpose: str = "",
    party_size: int = 1,
    host_customer: Customer | None = None,
    pass_code: str = "",
    at: datetime | None = None,
) -> Visitor:
    """Register a visitor at the counter. An ID number is verified and kept as last four + keyed hash.
    A valid pass code of the host unit for today stands for the host's confirmation (the resident announced
    the visit); otherwise the visitor waits until the host confirms (``visitor_confirm_host``)."""
    _require(can_keep_ledgers(actor, project))
    _check_unit(project, host_unit, "host_unit")
    _check_customer(project, host_customer, "host_customer")
    now = timezone.now()
    at = at or now
    if not 1 <= party_size <= 50:
        raise ValidationError({"party_size": [_("人数应在 1 到 50 之间")]})
    last4, digest = "", ""
    if id_number.strip():
        try:
            last4, digest = id_number_keys(id_number)
        except ValidationError:
            raise ValidationError({"id_number": [_("证件号码格式不正确")]}) from None
    visitor = Visitor(
        project=project,
        name=clean.text(name, "name", required=True, max_length=50),
        id_last4=last4,
        id_hash=digest,
        id_verified=bool(digest),
        verified_by=actor if digest else None,
        phone=clean.phone(phone, "phone"),
        party_size=party_size,
        host_unit=host_unit,
        host_customer=host_customer,
        purpose=clean.text(purpose, "purpose", max_length=100),
        arrived_at=at,
        registered_by=actor,
    )
    with transaction.atomic():
        if pass_code.strip():
            visitor_pass = _use_pass(project, host_unit, pass_code, at)
            visitor.visitor_pass = visitor_pass
            visitor.status = VisitorStatus.HOST_CONFIRMED
            visitor.host_confirmed_at = at
            visitor.host_confirm_method = ConfirmMethod.PASS
            visitor.host_confirmed_by = visitor_pass.customer.name if visitor_pass.customer else ""
        visitor.save()
        record(
            subject=visitor,
            verb="visitor.registered",
            actor=actor,
            at=at,
            data={"unit": host_unit.pk, "id_verified": visitor.id_verified, "pass": visitor.visitor_pass_id},
        )
    return visitor


def _use_pass(project: Project, unit: Unit, code: str, at: datetime) -> VisitorPass:
    today = timezone.localdate(at)
    found = VisitorPass.objects.filter(
        project=project, valid_on=today, code_hash=code_hash(project.pk, code), used_at__isnull=True
    ).first()
    if found is None or found.unit_id != unit.pk:
        raise ValidationError({"pass_code": [_("通行码无效、已使用或不是该房屋今天的预约")]})
    if VisitorPass.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=at) != 1:
        raise ValidationError({"pass_code": [_("通行码已使用")]})
    return found


def _visitor_move(
    visitor: Visitor, to: str, *, actor: User, fields: dict[str, Any], data: dict[str, Any] | None = None
) -> Visitor:
    """A visitor's status change, by a ledger keeper (``guanjia.core.states.transition``)."""
    _require(can_keep_ledgers(actor, visitor.project_id))
    transition(visitor, to, actor=actor, verb=f"visitor.{to}", record=record, fields=fields, data=data)
    visitor.refresh_from_db()
    return visitor


def visitor_verify(*, visitor: Visitor, id_number: str, actor: User) -> Visitor:
    """Verify the visitor's ID after registering (kept as last four + keyed hash)."""
    _require(can_keep_ledgers(actor, visitor.project_id))
    try:
        last4, digest = id_number_keys(id_number)
    except ValidationError:
        raise ValidationError({"id_number": [_("证件号码格式不正确")]}) from None
    with transaction.atomic():
        Visitor.objects.filter(pk=visitor.pk).update(
            id_last4=last4, id_hash=digest, id_verified=True, verified_by=actor, version=F("version") + 1
        )
        record(subject=visitor, verb="visitor.verified", actor=actor, data={"last4": last4})
    visitor.refresh_from_db()
    return visitor


def visitor_confirm_host(*, visitor: Visitor, confirmed_by: str, method: str, actor: User) -> Visitor:
    """The host said yes, on the intercom, the phone or in person (F01)."""
    if method not in ConfirmMethod.values or method == ConfirmMethod.PASS:
        raise ValidationError({"method": [_("请选择确认方式")]})
    who = clean.text(confirmed_by, "confirmed_by", required=True, max_length=50)
    return _visitor_move(
        visitor,
        VisitorStatus.HOST_CONFIRMED,
        actor=actor,
        fields={"host_confirmed_at": timezone.now(), "host_confirmed_by": who, "host_confirm_method": method},
        data={"method": method, "by": who},
    )


def visitor_admit(*, visitor: Visitor, actor: User) -> Visitor:
    """Let the visitor in: only after the host confirmed (F01, by the allowed transitions)."""
    return _visitor_move(visitor, VisitorStatus.ADMITTED, actor=actor, fields={"admitted_at": timezone.now()})


def visitor_refuse(*, visitor: Visitor, reason: str, actor: User) -> Visitor:
    text = clean.text(reason, "reason", required=True)
    return _visitor_move(visitor, VisitorStatus.REFUSED, actor=actor, fields={"refused_reason": text})


def visitor_sign_out(*, visitor: Visitor, actor: User, slip_returned: bool = True) -> Visitor:
    """The visitor leaves; the visitor slip comes back (F01)."""
    return _visitor_move(
        visitor,
        VisitorStatus.LEFT,
        actor=actor,
        fields={"left_at": timezone.now(), "slip_returned": slip_returned},
        data={"slip_returned": slip_returned},
    )


def visitor_reveal_phone(*, visitor: Visitor, actor: User) -> str:
    """The visitor's number in full, for a role that calls people (``access.can_reveal_phone``); every reveal is
    on the visitor's timeline, as a customer's is."""
    _require(can_reveal_phone(actor) and can_keep_ledgers(actor, visitor.project_id))
    with transaction.atomic():
        record(subject=visitor, verb="pii.phone_revealed", actor=actor)
    return visitor.phone
