"""Writes to the estate archive. Every change records a timeline event in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from guanjia.estates.models import Customer, CustomerKind, CustomerPhone, Project, Residency, Unit, UnitStatus
from guanjia.timeline.services import record

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")
ID_NUMBER_RE = re.compile(r"^(\d{17}[\dXx]|[A-Za-z0-9]{6,20})$")


class ConflictError(Exception):
    """The record changed since the caller read it (optimistic lock); the caller must reload and retry."""


def name_search_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case: 李明 → ("lm", "liming")."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return initials[:50], full[:200]


def normalize_phone(raw: str) -> str:
    """Digits (and the dash of a landline) of a phone number; raises ValidationError naming the problem."""
    value = re.sub(r"[\s()（）]", "", str(raw or "")).replace("+86", "")
    if not PHONE_RE.match(value):
        raise ValidationError(_("电话号码“%(phone)s”格式不正确") % {"phone": raw}, code="phone")
    return value


def id_number_keys(raw: str) -> tuple[str, str]:
    """(last four, keyed hash) of an ID number: enough to verify a person, never the number itself."""
    value = str(raw or "").strip().upper()
    if not ID_NUMBER_RE.match(value):
        raise ValidationError(_("证件号码格式不正确"), code="id_number")
    digest = hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return value[-4:], digest


def id_number_matches(customer: Customer, raw: str) -> bool:
    try:
        _last4, digest = id_number_keys(raw)
    except ValidationError:
        return False
    return bool(customer.id_number_hash) and hmac.compare_digest(customer.id_number_hash, digest)


def customer_create(
    *,
    project: Project,
    name: str,
    phones: Iterable[str] = (),
    kind: str = CustomerKind.OWNER,
    units: Iterable[Unit] = (),
    move_in_date: date | None = None,
    id_number: str = "",
    note: str = "",
    actor: Any = None,
) -> Customer:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("请填写客户姓名")]})
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": [_("客户类别无效")]})
    numbers = _clean_phones(phones)
    unit_list = list(units)
    if any(u.project_id != project.pk for u in unit_list):
        raise ValidationError({"units": [_("房屋不属于该项目")]})
    initials, full = name_search_keys(name)
    last4, digest = id_number_keys(id_number) if id_number else ("", "")
    with transaction.atomic():
        customer = Customer.objects.create(
            project=project,
            name=name,
            kind=kind,
            name_initials=initials,
            name_pinyin=full,
            id_number_last4=last4,
            id_number_hash=digest,
            note=note,
        )
        CustomerPhone.objects.bulk_create(
            CustomerPhone(customer=customer, number=n, position=i) for i, n in enumerate(numbers)
        )
        Residency.objects.bulk_create(
            Residency(customer=customer, unit=u, move_in_date=move_in_date) for u in unit_list
        )
        record(subject=customer, verb="customer.created", actor=actor, data={"units": [u.pk for u in unit_list]})
    return customer


#: Fields a customer update may change, with the validation each needs.
CUSTOMER_EDITABLE = ("name", "kind", "note")


def customer_update(
    *, customer: Customer, version: int, changes: dict[str, Any], actor: Any, phones: Iterable[str] | None = None
) -> Customer:
    """Apply ``changes`` if nobody changed the customer since ``version`` was read; else ConflictError."""
    unknown = set(changes) - set(CUSTOMER_EDITABLE)
    if unknown:
        raise ValidationError({f: [_("该字段不可修改")] for f in sorted(unknown)})
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            raise ValidationError({"name": [_("请填写客户姓名")]})
        changes["name_initials"], changes["name_pinyin"] = name_search_keys(changes["name"])
    if "kind" in changes and changes["kind"] not in CustomerKind.values:
        raise ValidationError({"kind": [_("客户类别无效")]})
    numbers = _clean_phones(phones) if phones is not None else None
    with transaction.atomic():
        before = {f: getattr(customer, f) for f in changes if f in CUSTOMER_EDITABLE}
        updated = Customer.objects.filter(pk=customer.pk, version=version).update(**changes, version=version + 1)
        if updated != 1:
            raise ConflictError(_("客户资料已被他人修改，请刷新后再试。"))
        if numbers is not None:
            old = list(customer.phones.values_list("number", flat=True))
            if old != numbers:
                customer.phones.all().delete()
                CustomerPhone.objects.bulk_create(
                    CustomerPhone(customer=customer, number=n, position=i) for i, n in enumerate(numbers)
                )
                before["phones"] = len(old)
                changes = {**changes, "phones": len(numbers)}
        record(
            subject=customer,
            verb="customer.updated",
            actor=actor,
            data={"before": _plain(before), "after": _plain({k: v for k, v in changes.items() if k in before})},
        )
    customer.refresh_from_db()
    return customer


def unit_set_status(*, unit: Unit, status: str, version: int, actor: Any, reason: str = "") -> Unit:
    if status not in UnitStatus.values:
        raise ValidationError({"status": [_("房屋状态无效")]})
    with transaction.atomic():
        before = Unit.objects.filter(pk=unit.pk).values_list("status", flat=True).first()
        if Unit.objects.filter(pk=unit.pk, version=version).update(status=status, version=version + 1) != 1:
            raise ConflictError(_("房屋资料已被他人修改，请刷新后再试。"))
        record(
            subject=unit, verb="unit.status_changed", actor=actor, data={"from": before, "to": status}, reason=reason
        )
    unit.refresh_from_db()
    return unit


def _clean_phones(phones: Iterable[str]) -> list[str]:
    numbers: list[str] = []
    errors: list[str] = []
    for raw in phones:
        if not str(raw or "").strip():
            continue
        try:
            number = normalize_phone(raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if number not in numbers:
            numbers.append(number)
    if errors:
        raise ValidationError({"phones": errors})
    return numbers


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in values.items()}
