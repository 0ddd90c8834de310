"""Writes to the estate archive. Every change records a timeline event in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Customer, CustomerKind, CustomerPhone, Project, Residency, Unit, UnitStatus
from guanjia.timeline.services import record


def name_search_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case: 李明 → ("lm", "liming")."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return initials[:50], full[:200]


def id_number_keys(raw: str) -> tuple[str, str]:
    """(last four, keyed hash) of an ID number: enough to verify a person, never the number itself."""
    value = clean.id_number(raw)
    digest = hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return value[-4:], digest


def id_number_matches(customer: Customer, raw: str) -> bool:
    try:
        _last4, digest = id_number_keys(raw)
    except ValidationError:
        return False
    return bool(customer.id_number_hash) and hmac.compare_digest(customer.id_number_hash, digest)


class DuplicateCustomerError(ValidationError):
    """A phone being saved is already on another customer of the project. ``existing`` is that customer: the
    desk opens it, or confirms that this is truly a different person (``allow_duplicate``)."""

    def __init__(self, existing: Customer, number: str) -> None:
        from guanjia.accounts.access import mask_phone

        self.existing = existing
        message = _(
            "电话 %(phone)s 已登记在客户“%(name)s”名下。如是同一人，请打开该客户；如确是另一人，请确认后再保存。"
        ) % {
            "phone": mask_phone(number),
            "name": existing.name,
        }
        super().__init__({"phones": [message]})


def find_phone_owner(
    *, project: Project, numbers: Iterable[str], exclude: Customer | None = None
) -> tuple[Customer, str] | None:
    """The first other customer of ``project`` who already has one of ``numbers``, with that number."""
    rows = CustomerPhone.objects.filter(customer__project=project, number__in=list(numbers)).select_related("customer")
    if exclude is not None:
        rows = rows.exclude(customer=exclude)
    found = rows.order_by("customer_id", "position").first()
    return (found.customer, found.number) if found else None


def _check_duplicates(project: Project, numbers: list[str], exclude: Customer | None, allow: bool) -> int | None:
    """Raise DuplicateCustomerError unless ``allow``; return the id of the customer knowingly duplicated."""
    owner = find_phone_owner(project=project, numbers=numbers, exclude=exclude) if numbers else None
    if owner is None:
        return None
    if not allow:
        raise DuplicateCustomerError(*owner)
    return owner[0].pk


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
    now: datetime | None = None,
    allow_duplicate: bool = False,
) -> Customer:
    """A new customer of ``project``, tied to ``units`` as ``kind``. A phone already on another customer of
    the project is refused (DuplicateCustomerError) unless the desk confirms a different person."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("请填写客户姓名")]})
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": [_("客户类别无效")]})
    numbers = _clean_phones(phones)
    unit_list = list(units)
    if any(u.project_id != project.pk for u in unit_list):
        raise ValidationError({"units": [_("房屋不属于该项目")]})
    if any(u.is_retired for u in unit_list):
        raise ValidationError({"units": [_("房屋已停用")]})
    initials, full = name_search_keys(name)
    last4, digest = _id_keys_field(id_number)
    with transaction.atomic():
        duplicate_of = _check_duplicates(project, numbers, None, allow_duplicate)
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
            Residency(customer=customer, unit=u, kind=kind, move_in_date=move_in_date) for u in unit_list
        )
        data: dict[str, Any] = {"units": [u.pk for u in unit_list]}
        if duplicate_of is not None:
            data["duplicate_of"] = duplicate_of  # the desk confirmed a different person with the same phone
        record(subject=customer, verb="customer.created", actor=actor, data=data, at=now)
    return customer


#: Fields a customer update may change, with the validation each needs.
CUSTOMER_EDITABLE = ("name", "kind", "note")


def customer_update(
    *,
    customer: Customer,
    version: int,
    changes: dict[str, Any],
    actor: Any,
    phones: Iterable[str] | None = None,
    id_number: str | None = None,
    now: datetime | None = None,
    allow_duplicate: bool = False,
) -> Customer:
    """Apply ``changes`` if nobody changed the customer since ``version`` was read; else ConflictError.

    ``kind`` is the main kind: it changes the kind of the customer's first current residency too, so the
    two never disagree. ``id_number`` replaces the stored last four and keyed hash ("" clears them).
    """
    clean.only_fields(changes, CUSTOMER_EDITABLE)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            raise ValidationError({"name": [_("请填写客户姓名")]})
        changes["name_initials"], changes["name_pinyin"] = name_search_keys(changes["name"])
    if "kind" in changes and changes["kind"] not in CustomerKind.values:
        raise ValidationError({"kind": [_("客户类别无效")]})
    numbers = _clean_phones(phones) if phones is not None else None
    if id_number is not None:
        changes["id_number_last4"], changes["id_number_hash"] = _id_keys_field(id_number)
    with transaction.atomic():
        before = {f: getattr(customer, f) for f in changes if f in CUSTOMER_EDITABLE}
        updated = Customer.objects.filter(pk=customer.pk, version=version).update(**changes, version=version + 1)
        if updated != 1:
            raise ConflictError(_("客户资料已被他人修改，请刷新后再试。"))
        if "kind" in changes:
            main = _current_residencies(customer).first()
            if main is not None:
                Residency.objects.filter(pk=main.pk).update(kind=changes["kind"])
        if numbers is not None:
            old = list(customer.phones.values_list("number", flat=True))
            if old != numbers:
                added = [n for n in numbers if n not in old]
                duplicate_of = _check_duplicates(customer.project, added, customer, allow_duplicate)
                customer.phones.all().delete()
                CustomerPhone.objects.bulk_create(
                    CustomerPhone(customer=customer, number=n, position=i) for i, n in enumerate(numbers)
                )
                before["phones"] = len(old)
                changes = {**changes, "phones": len(numbers)}
                if duplicate_of is not None:
                    changes["duplicate_of"] = duplicate_of
                    before["duplicate_of"] = None
        if id_number is not None:
            before["id_number"] = "****" + customer.id_number_last4 if customer.id_number_last4 else ""
            changes["id_number"] = "****" + changes["id_number_last4"] if changes["id_number_last4"] else ""
        record(
            subject=customer,
            verb="customer.updated",
            actor=actor,
            data={"before": plain(before), "after": plain({k: v for k, v in changes.items() if k in before})},
            at=now,
        )
    customer.refresh_from_db()
    return customer


def _id_keys_field(id_number: str) -> tuple[str, str]:
    if not str(id_number or "").strip():
        return "", ""
    try:
        return id_number_keys(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None


# --- Move-in and move-out (O01, F07) -------------------------------------------------------------------


@dataclass(frozen=True)
class ResidencyChange:
    """What a move-in or move-out hook receives, inside the transaction of the change."""

    kind: str  # "move_in" or "move_out"
    customer: Customer
    unit: Unit
    residency: Residency
    on: date
    actor: Any
    now: datetime
    details: str = ""
    documents_note: str = ""


ResidencyHook = Callable[[ResidencyChange], None]
_residency_hooks: list[ResidencyHook] = []


def register_residency_hook(hook: ResidencyHook) -> None:
    """Apps above estates (the front desk's F07 archive) act on every move-in and move-out, in its transaction."""
    if hook not in _residency_hooks:
        _residency_hooks.append(hook)


def _current_residencies(customer: Customer) -> Any:
    return Residency.objects.filter(customer=customer, move_out_date__isnull=True).order_by("id")


def _sync_main_kind(customer: Customer) -> None:
    """The customer's main kind follows their first current residency (unchanged when they have none)."""
    main = _current_residencies(customer).values_list("kind", flat=True).first()
    if main is not None:
        Customer.objects.filter(pk=customer.pk).exclude(kind=main).update(kind=main)


def _check_day(on: Any, now: datetime, field: str = "date") -> date:
    if not isinstance(on, date):
        raise ValidationError({field: [_("请填写日期")]})
    if on > timezone.localdate(now):
        raise ValidationError({field: [_("日期不能晚于今天")]})
    return on


def _set_unit_status(unit: Unit, status: str, *, actor: Any, now: datetime, reason: str) -> None:
    current = Unit.objects.select_for_update().get(pk=unit.pk)
    if current.status == status:
        return
    Unit.objects.filter(pk=unit.pk).update(status=status, version=current.version + 1)
    record(
        subject=unit,
        verb="unit.status_changed",
        actor=actor,
        data={"from": current.status, "to": status},
        reason=reason,
        at=now,
    )


def customer_move_in(
    *,
    customer: Customer,
    unit: Unit,
    kind: str,
    on: date,
    actor: Any,
    now: datetime,
    details: str = "",
    documents_note: str = "",
) -> Residency:
    """The customer moves into ``unit`` as ``kind`` on ``on``; the move-in handover goes into the archive (F07).

    A vacant unit becomes occupied. Moving back into a unit left earlier reopens that residency.
    """
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": [_("请选择客户类别（业主、租户或家庭成员）")]})
    if unit.project_id != customer.project_id:
        raise ValidationError({"unit": [_("房屋不属于该客户所在项目")]})
    if unit.is_retired:
        raise ValidationError({"unit": [_("该房屋已停用")]})
    _check_day(on, now)
    with transaction.atomic():
        residency = Residency.objects.select_for_update().filter(customer=customer, unit=unit).first()
        if residency is not None and residency.move_out_date is None:
            raise ValidationError({"unit": [_("该客户已是 %(unit)s 的住户") % {"unit": unit.number}]})
        if residency is None:
            residency = Residency.objects.create(customer=customer, unit=unit, kind=kind, move_in_date=on)
        else:
            residency.kind, residency.move_in_date, residency.move_out_date = kind, on, None
            residency.save(update_fields=["kind", "move_in_date", "move_out_date"])
        _sync_main_kind(customer)
        Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1)
        record(
            subject=customer,
            verb="customer.moved_in",
            actor=actor,
            data={"unit": unit.pk, "unit_number": unit.number, "kind": kind, "date": on.isoformat()},
            at=now,
        )
        if unit.status == UnitStatus.VACANT:
            _set_unit_status(unit, UnitStatus.OCCUPIED, actor=actor, now=now, reason=_("客户入住"))
        change = ResidencyChange("move_in", customer, unit, residency, on, actor, now, details, documents_note)
        for hook in _residency_hooks:
            hook(change)
    customer.refresh_from_db()
    unit.refresh_from_db()
    return residency


def customer_move_out(
    *,
    customer: Customer,
    unit: Unit,
    on: date,
    actor: Any,
    now: datetime,
    details: str = "",
    documents_note: str = "",
) -> Residency:
    """The customer leaves ``unit`` on ``on`` (recorded in the archive, F07). The residency stays as history;
    an occupied unit nobody lives in any more becomes vacant."""
    _check_day(on, now)
    with transaction.atomic():
        residency = (
            Residency.objects.select_for_update()
            .filter(customer=customer, unit=unit, move_out_date__isnull=True)
            .first()
        )
        if residency is None:
            raise ValidationError({"unit": [_("该客户目前不是 %(unit)s 的住户") % {"unit": unit.number}]})
        if residency.move_in_date and on < residency.move_in_date:
            raise ValidationError(
                {"date": [_("迁出日期不能早于入住日期 %(d)s") % {"d": residency.move_in_date.isoformat()}]}
            )
        residency.move_out_date = on
        residency.save(update_fields=["move_out_date"])
        _sync_main_kind(customer)
        Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1)
        record(
            subject=customer,
            verb="customer.moved_out",
            actor=actor,
            data={"unit": unit.pk, "unit_number": unit.number, "date": on.isoformat()},
            at=now,
        )
        nobody_left = not Residency.objects.filter(unit=unit, move_out_date__isnull=True).exists()
        if nobody_left and unit.status == UnitStatus.OCCUPIED:
            _set_unit_status(unit, UnitStatus.VACANT, actor=actor, now=now, reason=_("住户均已迁出"))
        change = ResidencyChange("move_out", customer, unit, residency, on, actor, now, details, documents_note)
        for hook in _residency_hooks:
            hook(change)
    customer.refresh_from_db()
    unit.refresh_from_db()
    return residency


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
            number = clean.phone(raw, "phones")
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if number not in numbers:
            numbers.append(number)
    if errors:
        raise ValidationError({"phones": errors})
    return numbers


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values a timeline event can store as JSON (model instances and decimals as text)."""
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in values.items()}
