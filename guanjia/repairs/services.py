"""Writes of repairs: the price list (fee edits) and the work order from request to the desk (R01–R13).

Every status change goes through ``guanjia.cases.services.case_transition``; the limits of R02–R05 are
``cases.Deadline`` rows (kinds "order", "notify", "assess", "arrive") so the sweep and the timeliness report
(维修及时率) serve repairs and complaints alike. Each change records a timeline event in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_desk_repair,
    can_edit_price_list,
    can_follow_warranty,
    can_register_repair,
    can_see_project,
    can_supervise_repair,
    can_work_repair,
    works_repairs_on_site,
)
from guanjia.accounts.models import Role, User
from guanjia.cases.completion import case_completed
from guanjia.cases.intake import case_intake, case_register
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline, Department
from guanjia.cases.services import (
    case_dispatch,
    case_transition,
    deadline_cancel,
    deadline_meet,
    deadline_set,
)
from guanjia.cases.uploads import CheckedImage, check_photo, check_signature
from guanjia.core import clean
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.estates.models import Customer, Project, Unit
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.policy.selectors import policy_for
from guanjia.repairs.models import (
    LineKind,
    MaterialsQuality,
    PaymentMethod,
    PhotoKind,
    PriceItem,
    Repair,
    RepairLine,
    RepairNote,
    RepairPhoto,
    RepairSignature,
    RepairSource,
    RepairStatus,
    SignerRole,
)
from guanjia.timeline.services import record
from guanjia.workdays.deadlines import after_minutes

logger = logging.getLogger(__name__)

FEE_MAX = Decimal("9999999.99")


def parse_fee(raw: Any) -> Decimal:
    """A fee in yuan: a number ≥ 0 with at most two decimals, else ValidationError on ``fee_yuan``."""
    return clean.money(raw, "fee_yuan", maximum=FEE_MAX, label=_("收费"))


def price_item_set_fee(*, item: PriceItem, fee_yuan: Any, version: int, actor: Any) -> PriceItem:
    """Change the fee of ``item`` if nobody changed the item since ``version`` was read, else ConflictError.

    ``actor`` None is the system (imports); a person must manage the item's project (PermissionError).
    """
    if actor is not None and not can_edit_price_list(actor, item.project_id):
        raise PermissionError("actor may not edit this price list")
    fee = parse_fee(fee_yuan)
    with transaction.atomic():
        before = PriceItem.objects.filter(pk=item.pk).values_list("fee_yuan", flat=True).first()
        if PriceItem.objects.filter(pk=item.pk, version=version).update(fee_yuan=fee, version=version + 1) != 1:
            raise ConflictError(_("收费标准已被他人修改，请刷新后再试。"))
        record(
            subject=item,
            verb="price_item.fee_changed",
            actor=actor,
            project=Project(pk=item.project_id),  # the id is all the event needs; no query for the row
            data={"code": item.code, "from": str(before), "to": str(fee)},
        )
    item.refresh_from_db()
    return item


# === Work orders (R01–R13) ================================================================================


def _now() -> datetime:
    return timezone.now()


def check_at(
    at: datetime | None,
    *,
    repair: Repair | None = None,
    field: str = "at",
    after: datetime | None = None,
    after_label: str = "",
) -> datetime:
    """When a step happened: default now; never in the future, never before the request was received nor
    before ``after`` (the previous step). Paper orders are typed in after the fact, so the past is fine."""
    at = clean.past_time(at, now=_now(), field=field)
    if repair is not None and at < repair.received_at:
        raise ValidationError({field: [_("时间不能早于报修受理时间 %(t)s") % {"t": _fmt(repair.received_at)}]})
    if after is not None and at < after:
        raise ValidationError({field: [_("时间不能早于%(label)s %(t)s") % {"label": after_label, "t": _fmt(after)}]})
    return at


def _fmt(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("actor may not do this to the repair")


def _save(repair: Repair, **fields: Any) -> None:
    """Write ``fields`` if nobody changed the order since it was read (its version), else ConflictError."""
    if Repair.objects.filter(pk=repair.pk, version=repair.version).update(version=F("version") + 1, **fields) != 1:
        raise ConflictError(_("报修单已被他人修改，请刷新后再试。"))
    for name, value in fields.items():
        setattr(repair, name, value)
    repair.version += 1


def _recipients(repair: Repair, roles: Iterable[str]) -> list[User]:
    return list(staff_with_roles(repair.project, roles))


def _tell(repair: Repair, *, people: Iterable[User], title: str, kind: str, level: str = Level.INFO) -> None:
    notify(
        recipients=people,
        kind=kind,
        title=title,
        body=repair.description[:200],
        url=reverse("repairs:detail", args=[repair.pk]),
        project=repair.project,
        level=level,
        dedupe_key=f"{kind}:{repair.pk}",
    )


# --- R01: logging a request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepairRequest:
    """What the desk takes down (R01, R02). ``price_item`` None: a non-standard item (R05). ``appointment_at``
    None: the customer wants it done now (R03)."""

    description: str
    unit: Unit | None = None
    customer: Customer | None = None
    customer_name: str = ""
    contact_phone: str = ""
    location: str = ""
    received_at: datetime | None = None
    price_item: PriceItem | None = None
    urgent: bool | None = None
    appointment_at: datetime | None = None
    source: str = RepairSource.RESIDENT
    department: str = Department.ENGINEERING
    warranty: bool = False
    contractor: str = ""
    contractor_phone: str = ""


def _check_request(project: Project, req: RepairRequest, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def check(rule: Callable[[], Any]) -> None:
        try:
            rule()
        except ValidationError as exc:
            errors.update(exc.message_dict)

    if not req.description.strip():
        errors["description"] = [_("请填写报修内容")]
    check(lambda: clean.phone(req.contractor_phone, "contractor_phone"))
    if req.source not in RepairSource.values:
        errors["source"] = [_("请选择有效的来源")]
    elif req.source == RepairSource.RESIDENT:
        if req.unit is None and not req.location.strip():
            errors["unit"] = [_("请选择房屋或填写维修地点")]
    elif req.unit is None and not req.location.strip():
        errors["location"] = [_("公共区域报修请填写维修地点 (R12)")]
    if req.department not in Department.values:
        errors["department"] = [_("请选择有效的责任部门")]
    if req.price_item is not None and (req.price_item.project_id != project.pk or not req.price_item.active):
        errors["price_item"] = [_("收费项目不在本项目的收费标准中")]
    if req.appointment_at is not None:
        if req.urgent:
            errors["appointment_at"] = [_("即时维修不填预约时间；预约维修请取消“即时维修”")]
        elif req.appointment_at <= (req.received_at or now):
            errors["appointment_at"] = [_("预约时间须晚于受理时间")]
    elif req.urgent is False:
        errors["appointment_at"] = [_("请填写预约时间，或选择即时维修")]
    if req.warranty and not req.contractor.strip():
        errors["contractor"] = [_("保修期内维修请填写负责的维保单位 (R13)")]
    return errors


def repair_log(*, project: Project, request: RepairRequest, actor: Any, first_responder: Any = None) -> Repair:
    """R01: log a repair request at once, with its order and notify limits (R02) and, for an appointment, its
    arrival limit (R04). Returns the new order, status ``logged``."""
    _require(can_register_repair(actor, project))
    now = _now()
    # Every field at fault is named at once: the checks of every case and the order's own.
    errors = _check_request(project, request, now)
    try:
        intake = case_intake(
            project=project,
            actor=actor,
            now=now,
            received_at=request.received_at,
            customer=request.customer,
            customer_name=request.customer_name,
            contact_phone=request.contact_phone,
            unit=request.unit,
            first_responder=first_responder,
            # A patrol's or the duty log's own finding has no caller (R12).
            caller_required=request.source == RepairSource.RESIDENT,
        )
    except ValidationError as exc:
        raise ValidationError({**errors, **exc.message_dict}) from None
    if errors:
        raise ValidationError(errors)
    if not intake.contact_phone and request.customer is not None:
        intake = intake.replace(contact_phone=request.customer.primary_phone)
    received_at = intake.received_at
    limits = policy_for(project).repair_limits()
    appointment = request.appointment_at
    order_due = after_minutes(received_at, limits.order_minutes)
    arrive_due = (
        appointment - timedelta(minutes=limits.arrive_before_appointment_minutes)
        if appointment is not None and not request.warranty
        else None
    )
    with transaction.atomic():
        repair = case_register(
            Repair,
            intake=intake,
            department=request.department,
            source=request.source,
            description=request.description.strip(),
            location=request.location.strip(),
            price_item=request.price_item,
            urgent=appointment is None,
            appointment_at=appointment,
            order_due_at=order_due,
            arrive_due_at=arrive_due,
            warranty=request.warranty,
            contractor=request.contractor.strip(),
            contractor_phone=clean.phone(request.contractor_phone, "contractor_phone"),
        )
        if request.price_item is not None:
            item = request.price_item
            RepairLine.objects.create(
                repair=repair, kind=LineKind.REPORTED, price_item=item, name=item.name, unit_fee_yuan=item.fee_yuan
            )
        deadline_set(subject=repair, kind="order", due_at=order_due, now=now)
        deadline_set(subject=repair, kind="notify", due_at=after_minutes(received_at, limits.notify_minutes), now=now)
        if arrive_due is not None:
            deadline_set(subject=repair, kind="arrive", due_at=arrive_due, now=now)
        data = {"number": repair.number, "source": repair.source, "standard": repair.is_standard}
        record(subject=repair, verb="repair.logged", actor=actor, data=data, at=received_at)
    return repair


# --- R02: the work order and the department --------------------------------------------------------------


def repair_write_order(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R02: the work order (派工单) is written; meets the ``order`` limit."""
    _require(can_desk_repair(actor, repair.project_id) or can_supervise_repair(actor, repair.project_id))
    at = check_at(at, repair=repair)
    with transaction.atomic():
        case_transition(case=repair, to=RepairStatus.ORDERED, actor=actor, at=at, fields={"ordered_at": at})
        deadline_meet(subject=repair, kind="order", at=at)
    return repair


def repair_notify_department(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R02: the department is told to collect the order (a warranty order goes to its contractor, R13);
    meets the ``notify`` limit and, for a non-standard item, starts the 15 minutes of assessment (R05)."""
    _require(can_desk_repair(actor, repair.project_id) or can_supervise_repair(actor, repair.project_id))
    at = check_at(at, repair=repair, after=repair.ordered_at, after_label=_("开单时间"))
    to = RepairStatus.WITH_CONTRACTOR if repair.warranty else RepairStatus.NOTIFIED
    fields: dict[str, Any] = {"notified_at": at}
    assess_due = None
    if not repair.warranty and not repair.is_standard:
        assess_due = after_minutes(at, policy_for(repair.project).repair_limits().assess_minutes)
        fields["assess_due_at"] = assess_due
    with transaction.atomic():
        case_transition(case=repair, to=to, actor=actor, at=at, fields=fields)
        case_dispatch(case=repair, department=repair.department or Department.ENGINEERING, actor=actor, at=at)
        deadline_meet(subject=repair, kind="notify", at=at)
        if assess_due is not None:
            deadline_set(subject=repair, kind="assess", due_at=assess_due, now=_now())
        if repair.warranty:
            people = (
                _recipients(repair, [Role.BUTLER]) if repair.unit is None else [u for u in [repair.unit.butler] if u]
            )
            title = _("维保报修 %(n)s 已转 %(c)s，请每日跟进") % {"n": repair.number, "c": repair.contractor}
        else:
            people = _recipients(repair, [Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN])
            title = _("新派工单 %(n)s：%(a)s") % {"n": repair.number, "a": repair.address}
        _tell(repair, people=people, title=title, kind="repair.dispatched")
    return repair


def repair_order_and_notify(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R02 in one step: the work order is written (if the desk has not recorded it yet) and the department
    told, both at ``at``; for a non-standard item this starts the 15 minutes of R05."""
    _require(can_desk_repair(actor, repair.project_id) or can_supervise_repair(actor, repair.project_id))
    at = check_at(at, repair=repair)
    with transaction.atomic():
        if repair.status == RepairStatus.LOGGED:
            repair_write_order(repair=repair, actor=actor, at=at)
        repair_notify_department(repair=repair, actor=actor, at=at)
    return repair


def _ensure_dispatched(repair: Repair, actor: Any, at: datetime) -> None:
    """An order accepted before the desk recorded R02 (a phone call straight to the department, a paper
    order typed in later): the steps are recorded now, at the time of acceptance."""
    if repair.status == RepairStatus.LOGGED:
        case_transition(case=repair, to=RepairStatus.ORDERED, actor=actor, at=at, fields={"ordered_at": at})
        deadline_meet(subject=repair, kind="order", at=at)
    if repair.status == RepairStatus.ORDERED:
        if repair.warranty or not repair.is_standard:
            raise TransitionError(_("请先通知部门领单"))
        case_transition(case=repair, to=RepairStatus.NOTIFIED, actor=actor, at=at, fields={"notified_at": at})
        deadline_meet(subject=repair, kind="notify", at=at)


# --- R05: a non-standard item -------------------------------------------------------------------------------


def repair_assess(
    *, repair: Repair, actor: Any, feasible: bool, assessment: str, quoted_fee_yuan: Any, at: datetime | None = None
) -> Repair:
    """R05: the department supervisor assesses a non-standard item (feasibility and cost) within the limit.
    Not feasible: the order is cancelled with the assessment as the reason (the desk tells the customer)."""
    _require(can_supervise_repair(actor, repair.project_id))
    if repair.is_standard:
        raise TransitionError(_("标准项目按收费标准收费，无需评估"))
    if repair.status != RepairStatus.NOTIFIED:
        raise TransitionError(
            _("只有部门已领单、尚未评估的非标准项目可以评估：%(s)s") % {"s": repair.get_status_display()}
        )
    at = check_at(at, repair=repair, after=repair.notified_at, after_label=_("部门领单时间"))
    if not assessment.strip():
        raise ValidationError({"assessment": [_("请填写评估意见")]})
    fee = parse_fee(quoted_fee_yuan) if feasible else None
    with transaction.atomic():
        fields = {
            "assessed_at": at,
            "assessed_by": actor,
            "feasible": feasible,
            "assessment": assessment.strip(),
            "quoted_fee_yuan": fee,
        }
        if feasible:
            case_transition(
                case=repair, to=RepairStatus.QUOTED, actor=actor, at=at, fields=fields, data={"fee_yuan": str(fee)}
            )
        else:
            case_transition(
                case=repair, to=RepairStatus.CANCELLED, actor=actor, at=at, fields=fields, reason=assessment.strip()
            )
        deadline_meet(subject=repair, kind="assess", at=at)
        if not feasible:
            deadline_cancel(subject=repair, at=at)
    return repair


def repair_record_consent(
    *, repair: Repair, actor: Any, agreed: bool, reason: str = "", at: datetime | None = None
) -> Repair:
    """R05: the customer's answer to the quoted fee. Agreed: the work may be dispatched. Declined: the order
    ends declined with the reason (R08)."""
    _require(can_desk_repair(actor, repair.project_id) or can_supervise_repair(actor, repair.project_id))
    if repair.status != RepairStatus.QUOTED:
        raise TransitionError(_("只有已评估报价的工单需要客户同意收费：%(s)s") % {"s": repair.get_status_display()})
    at = check_at(at, repair=repair, after=repair.assessed_at, after_label=_("评估时间"))
    with transaction.atomic():
        if agreed:
            case_transition(
                case=repair,
                to=RepairStatus.CONSENTED,
                actor=actor,
                at=at,
                fields={"consent_at": at},
                data={"fee_yuan": str(repair.quoted_fee_yuan)},
            )
        else:
            if not reason.strip():
                raise ValidationError({"reason": [_("请填写客户不同意的原因")]})
            case_transition(
                case=repair,
                to=RepairStatus.DECLINED,
                actor=actor,
                at=at,
                reason=reason.strip(),
                fields={"decline_reason": reason.strip()},
            )
            deadline_cancel(subject=repair, at=at)
    return repair


# --- R03, R04: accepting and arriving -------------------------------------------------------------------------


def _check_technician(repair: Repair, technician: Any) -> None:
    ok = (
        technician is not None
        and technician.is_active
        and works_repairs_on_site(technician)
        and can_see_project(technician, repair.project_id)
    )
    if not ok:
        raise ValidationError({"technician": [_("请选择本项目的维修人员")]})


def repair_accept(*, repair: Repair, actor: Any, technician: Any, at: datetime | None = None) -> Repair:
    """The technician accepts the order (the technician themself, or a supervisor assigning it). An urgent
    standard order must then be reached within 15 minutes (R03); an appointment keeps its limit (R04).
    A non-standard item is accepted only after the customer agreed to the fee (R05)."""
    _check_technician(repair, technician)
    _require(
        can_see_project(actor, repair.project_id)
        and (getattr(actor, "pk", None) == technician.pk or can_supervise_repair(actor, repair.project_id))
    )
    if repair.warranty:
        raise TransitionError(_("保修期内的维修由维保单位负责 (R13)"))
    if not repair.is_standard and repair.status in (
        RepairStatus.LOGGED,
        RepairStatus.ORDERED,
        RepairStatus.NOTIFIED,
        RepairStatus.QUOTED,
    ):
        raise TransitionError(_("非标准项目须先评估报价并取得客户同意后才能派工 (R05)"))
    reassigning = repair.status == RepairStatus.ACCEPTED
    if reassigning and repair.assignee_id == technician.pk:
        raise TransitionError(_("该工单已由 %(name)s 接单") % {"name": technician.display_name})
    at = check_at(at, repair=repair, after=repair.consent_at or repair.notified_at, after_label=_("派工时间"))
    limits = policy_for(repair.project).repair_limits()
    with transaction.atomic():
        _ensure_dispatched(repair, actor, at)
        fields: dict[str, Any] = {"accepted_at": at, "assignee": technician}
        arrive_due = repair.arrive_due_at
        # A reassigned order keeps the limit set when it was first accepted: the customer is still waiting.
        if repair.appointment_at is None and not reassigning:
            arrive_due = after_minutes(at, limits.arrive_minutes)
            fields["arrive_due_at"] = arrive_due
        case_transition(
            case=repair, to=RepairStatus.ACCEPTED, actor=actor, at=at, fields=fields, data={"technician": technician.pk}
        )
        if repair.appointment_at is None and not reassigning and arrive_due is not None:
            deadline_set(subject=repair, kind="arrive", due_at=arrive_due, now=_now())
    return repair


def repair_arrive(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R03/R04 (and R06: the technician shows ID and the order at the door): meets the ``arrive`` limit."""
    _require(can_work_repair(actor, repair))
    at = check_at(at, repair=repair, after=repair.accepted_at, after_label=_("接单时间"))
    with transaction.atomic():
        case_transition(case=repair, to=RepairStatus.ARRIVED, actor=actor, at=at, fields={"arrived_at": at})
        deadline_meet(subject=repair, kind="arrive", at=at)
    return repair


# --- R07–R09: on site -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    name: str
    quantity: int
    unit_fee_yuan: Decimal
    price_item: PriceItem | None = None


def _whole_number(raw: Any) -> int | None:
    """An integer as JSON or a form sends it (``3``, ``"3"``), else None (no bools, fractions, lists)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def parse_lines(raw: Any, *, project: Project, field: str = "actual_items") -> list[Line]:
    """Items as the API and the phone send them: a list of price-item ids, or of objects
    ``{"price_item": id, "quantity": n}`` / ``{"name": "…", "fee_yuan": "…", "quantity": n}``.
    Anything else is a ValidationError on ``field``."""
    if not isinstance(raw, list):
        raise ValidationError({field: [_("请提供维修项目列表")]})
    entries: list[dict[str, Any]] = []
    for entry in raw:
        if isinstance(entry, dict):
            entries.append(entry)
        elif _whole_number(entry) is not None:
            entries.append({"price_item": entry})
        else:
            raise ValidationError({field: [_("每一项须为收费项目编号，或含 price_item 或 name 的对象")]})
    wanted: set[int] = set()
    for data in entries:
        if data.get("price_item") in (None, ""):
            continue
        pk = _whole_number(data["price_item"])
        if pk is None:
            raise ValidationError({field: [_("收费项目编号无效")]})
        wanted.add(pk)
    items = {i.pk: i for i in PriceItem.objects.filter(project=project, pk__in=wanted)}
    lines: list[Line] = []
    for data in entries:
        quantity = _whole_number(data.get("quantity", 1))
        if quantity is None or not 1 <= quantity <= 999:
            raise ValidationError({field: [_("数量须为 1–999 的整数")]})
        raw_item: Any = data.get("price_item")
        if raw_item not in (None, ""):
            item = items.get(_whole_number(raw_item) or 0)
            if item is None:
                raise ValidationError({field: [_("收费项目不在本项目的收费标准中")]})
            lines.append(Line(item.name, quantity, item.fee_yuan, item))
        else:
            name = data.get("name", "")
            if not isinstance(name, str) or not name.strip():
                raise ValidationError({field: [_("非标准项目请填写名称")]})
            fee_raw = data.get("fee_yuan", "")
            if not isinstance(fee_raw, (str, int, float)) or isinstance(fee_raw, bool):
                raise ValidationError({field: [_("收费须为数字，例如 35 或 12.50")]})
            try:
                fee = parse_fee(fee_raw)
            except ValidationError as exc:
                raise ValidationError({field: exc.message_dict.get("fee_yuan", exc.messages)}) from None
            lines.append(Line(name.strip()[:100], quantity, fee))
    return lines


def _replace_actual_lines(repair: Repair, lines: list[Line]) -> None:
    RepairLine.objects.filter(repair=repair, kind=LineKind.ACTUAL).delete()
    RepairLine.objects.bulk_create(
        RepairLine(
            repair=repair,
            kind=LineKind.ACTUAL,
            price_item=ln.price_item,
            name=ln.name,
            quantity=ln.quantity,
            unit_fee_yuan=ln.unit_fee_yuan,
        )
        for ln in lines
    )


def _differs(repair: Repair, lines: list[Line]) -> bool:
    reported = sorted((ln.price_item_id, ln.name, ln.quantity) for ln in repair.lines.filter(kind=LineKind.REPORTED))
    actual = sorted((getattr(ln.price_item, "pk", None), ln.name, ln.quantity) for ln in lines)
    return reported != actual


ON_SITE = (RepairStatus.ACCEPTED, RepairStatus.ARRIVED, RepairStatus.IN_PROGRESS)


def repair_set_actual_items(*, repair: Repair, actor: Any, items: Any, difference_note: str = "") -> list[Line]:
    """R07: the items actually needed, with their fees; where they differ from the report the difference is
    explained to the customer (``difference_note``)."""
    _require(can_work_repair(actor, repair))
    if repair.status not in ON_SITE:
        raise TransitionError(_("只有到场维修时才能填写实际项目"))
    lines = parse_lines(items, project=repair.project)
    if not lines:
        raise ValidationError({"actual_items": [_("请至少选择一个实际维修项目")]})
    differs = _differs(repair, lines)
    if differs and not difference_note.strip():
        raise ValidationError({"difference_note": [_("实际项目与报修项目不同，请填写差异说明 (R07)")]})
    with transaction.atomic():
        _save(repair, difference_note=difference_note.strip())
        _replace_actual_lines(repair, lines)
        data = {"items": [[ln.name, ln.quantity, str(ln.unit_fee_yuan)] for ln in lines], "differs": differs}
        record(subject=repair, verb="repair.items_set", actor=actor, data=data)
    return lines


def repair_customer_agrees(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R08: the customer saw the fee schedule and agreed; the work starts."""
    _require(can_work_repair(actor, repair))
    at = check_at(at, repair=repair, after=repair.arrived_at, after_label=_("到场时间"))
    fields = {"customer_agreed_at": at, "started_at": at}
    case_transition(case=repair, to=RepairStatus.IN_PROGRESS, actor=actor, at=at, fields=fields)
    return repair


def repair_decline(
    *, repair: Repair, actor: Any, reason: str, technician_signature: Any, at: datetime | None = None
) -> Repair:
    """R08: the customer declines; the order returns with the reason, signed by the technician now and by the
    department supervisor (``repair_countersign``) before the desk files it."""
    _require(can_work_repair(actor, repair))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写客户拒绝的原因")]})
    checked = check_signature(technician_signature, "technician_signature")
    at = check_at(at, repair=repair, after=repair.arrived_at, after_label=_("到场时间"))
    with transaction.atomic():
        case_transition(
            case=repair,
            to=RepairStatus.DECLINED,
            actor=actor,
            at=at,
            reason=reason.strip(),
            fields={"decline_reason": reason.strip()},
        )
        _store_signature(
            repair, checked, role=SignerRole.TECHNICIAN, signer_name=actor.display_name, actor=actor, at=at
        )
        deadline_cancel(subject=repair, at=at)
        _tell(
            repair,
            people=_recipients(repair, [Role.ENGINEERING_SUPERVISOR]),
            kind="repair.declined",
            title=_("报修 %(n)s 客户拒绝维修，请主管签字") % {"n": repair.number},
        )
    return repair


def repair_countersign(*, repair: Repair, actor: Any, signature: Any) -> RepairSignature:
    """R08: the department supervisor signs a declined order."""
    _require(can_supervise_repair(actor, repair.project_id))
    if repair.status != RepairStatus.DECLINED:
        raise TransitionError(_("只有客户拒绝维修的工单需要主管签字"))
    checked = check_signature(signature, "signature")
    with transaction.atomic():
        return _store_signature(
            repair, checked, role=SignerRole.SUPERVISOR, signer_name=actor.display_name, actor=actor, at=_now()
        )


def repair_check_materials(
    *, repair: Repair, actor: Any, supplied: bool, quality: str = "", warned: bool = False, note: str = ""
) -> Repair:
    """R09: materials the customer supplied are checked; unacceptable or poor material is pointed out to the
    customer (``warned``), whose choice is respected: the work goes on."""
    _require(can_work_repair(actor, repair))
    if repair.status not in ON_SITE:
        raise TransitionError(_("只有到场维修时才能检验材料"))
    if supplied and quality not in MaterialsQuality.values:
        raise ValidationError({"materials_quality": [_("请选择检验结果：合格、不合格或质量差")]})
    bad = supplied and quality in (MaterialsQuality.UNACCEPTABLE, MaterialsQuality.POOR)
    if bad and not warned:
        raise ValidationError({"materials_warned": [_("材料不合格或质量差，须先向客户说明 (R09)")]})
    fields = {
        "materials_supplied": supplied,
        "materials_quality": quality if supplied else "",
        "materials_warned": bad and warned,
        "materials_note": note.strip()[:200],
    }
    with transaction.atomic():
        _save(repair, **fields)
        record(
            subject=repair,
            verb="repair.materials_checked",
            actor=actor,
            data={"supplied": supplied, "quality": fields["materials_quality"], "warned": fields["materials_warned"]},
        )
    return repair


# --- Photos, signatures, warranty notes ----------------------------------------------------------------------


def _store_signature(
    repair: Repair, checked: CheckedImage, *, role: str, signer_name: str, actor: Any, at: datetime
) -> RepairSignature:
    signature = RepairSignature(
        repair=repair, role=role, sha256=checked.sha256, signer_name=signer_name[:50], signed_at=at, collected_by=actor
    )
    signature.image.save(f"{role}.png", ContentFile(checked.content), save=False)
    signature.save()
    record(
        subject=repair,
        verb="repair.signed",
        actor=actor,
        at=at,
        data={"role": role, "signature": signature.pk, "sha256": checked.sha256},
    )
    return signature


def repair_customer_sign(*, repair: Repair, actor: Any, signature: Any, signer_name: str = "") -> RepairSignature:
    """R10: the customer signs the order on the technician's screen (PNG from the canvas). Append-only."""
    _require(can_work_repair(actor, repair) or can_follow_warranty(actor, repair))
    if repair.status not in (*ON_SITE, RepairStatus.WITH_CONTRACTOR):
        raise TransitionError(_("只有维修中的工单可以请客户签名"))
    checked = check_signature(signature, "signature")
    name = signer_name.strip() or repair.display_customer or _("客户")
    with transaction.atomic():
        return _store_signature(repair, checked, role=SignerRole.CUSTOMER, signer_name=name, actor=actor, at=_now())


def repair_add_photo(
    *, repair: Repair, actor: Any, kind: str, upload: Any, note: RepairNote | None = None
) -> RepairPhoto:
    """A photo before or after the work (or of a warranty follow-up, R13), checked by ``check_photo``.
    Photos are kept as taken: never replaced, never deleted."""
    _require(can_work_repair(actor, repair) or can_follow_warranty(actor, repair))
    if kind not in PhotoKind.values:
        raise ValidationError({"kind": [_("请选择照片类别")]})
    if repair.status in (RepairStatus.CLOSED, RepairStatus.CANCELLED):
        raise TransitionError(_("工单已关闭，不能再添加照片"))
    checked = check_photo(upload, "photo")
    now = _now()
    with transaction.atomic():
        photo = RepairPhoto(
            repair=repair,
            kind=kind,
            note=note,
            image_format=checked.image_format,
            width=checked.width,
            height=checked.height,
            size_bytes=checked.size_bytes,
            sha256=checked.sha256,
            uploaded_at=now,
            uploaded_by=actor,
        )
        photo.image.save("photo", ContentFile(checked.content), save=False)
        photo.save()
        record(
            subject=repair,
            verb="repair.photo_added",
            actor=actor,
            at=now,
            data={"photo": photo.pk, "kind": kind, "sha256": checked.sha256},
        )
    return photo


def repair_add_note(
    *, repair: Repair, actor: Any, text: str, photos: Iterable[Any] = (), at: datetime | None = None
) -> RepairNote:
    """R13: the day's follow-up of a warranty repair by the butler, with photos."""
    _require(can_follow_warranty(actor, repair))
    if not repair.warranty:
        raise TransitionError(_("只有保修期内的维保工单需要每日跟进记录"))
    if not text.strip():
        raise ValidationError({"text": [_("请填写跟进情况")]})
    at = check_at(at, repair=repair)
    with transaction.atomic():
        note = RepairNote.objects.create(repair=repair, text=text.strip(), written_at=at, written_by=actor)
        record(subject=repair, verb="repair.note_added", actor=actor, at=at, data={"note": note.pk})
        for upload in photos:
            repair_add_photo(repair=repair, actor=actor, kind=PhotoKind.WARRANTY_NOTE, upload=upload, note=note)
    return note


# --- R10, R05: completion and the fee ------------------------------------------------------------------------


def repair_complete(
    *,
    repair: Repair,
    actor: Any,
    customer_signed: bool,
    fee_yuan: Any,
    actual_items: Any = None,
    payment_method: str = "",
    collected_by: Any = None,
    completed_at: datetime | None = None,
    difference_note: str = "",
) -> Repair:
    """R10: the work is done, the site cleaned and the customer has tested it and signed. Records the actual
    items (R07) and the fee with how it was paid (R05); plans the return visit (V01); tells the desk."""
    _require(can_work_repair(actor, repair) or (repair.warranty and can_follow_warranty(actor, repair)))
    if customer_signed is not True:
        raise ValidationError({"customer_signed": [_("须客户签字确认后才能完成 (R10)")]})
    if repair.status not in (RepairStatus.ARRIVED, RepairStatus.IN_PROGRESS, RepairStatus.WITH_CONTRACTOR):
        raise TransitionError(_("工单当前状态不能完成：%(s)s") % {"s": repair.get_status_display()})
    previous = repair.started_at or repair.arrived_at or repair.notified_at
    completed_at = check_at(
        completed_at, repair=repair, field="completed_at", after=previous, after_label=_("上一步的时间")
    )
    fee = parse_fee(fee_yuan)
    if payment_method and payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("收费方式须为现金、刷卡或无需收费")]})
    if fee == 0:
        payment_method = PaymentMethod.NONE
    elif payment_method == PaymentMethod.NONE:
        raise ValidationError({"payment_method": [_("有收费时请选择现金或刷卡")]})
    if collected_by is not None and not (collected_by.is_active and can_see_project(collected_by, repair.project_id)):
        raise ValidationError({"collected_by": [_("收费人不属于本项目")]})
    lines = parse_lines(actual_items, project=repair.project) if actual_items not in (None, "") else None
    with transaction.atomic():
        if lines is not None:
            if lines and _differs(repair, lines) and not (difference_note.strip() or repair.difference_note):
                difference_note = _("实际项目与报修不同")
            _replace_actual_lines(repair, lines)
        elif not repair.lines.filter(kind=LineKind.ACTUAL).exists():
            reported = [
                Line(ln.name, ln.quantity, ln.unit_fee_yuan, ln.price_item)
                for ln in repair.lines.filter(kind=LineKind.REPORTED).select_related("price_item")
            ]
            _replace_actual_lines(repair, reported)
        if repair.status == RepairStatus.ARRIVED:
            # Signing the completed order with its fee is the customer's agreement (R08), recorded as such.
            case_transition(
                case=repair,
                to=RepairStatus.IN_PROGRESS,
                actor=actor,
                at=completed_at,
                fields={"customer_agreed_at": completed_at, "started_at": completed_at},
                data={"implied_by_signature": True},
            )
        fields: dict[str, Any] = {
            "completed_at": completed_at,
            "customer_signed": True,
            "fee_yuan": fee,
            "payment_method": payment_method,
            "collected_by": collected_by,
        }
        if difference_note.strip():
            fields["difference_note"] = difference_note.strip()
        case_transition(
            case=repair,
            to=RepairStatus.COMPLETED,
            actor=actor,
            at=completed_at,
            fields=fields,
            data={"fee_yuan": str(fee), "payment_method": payment_method},
        )
        deadline_cancel(subject=repair, at=completed_at)
        # V01: the return visit is planned in the completion's transaction (a hook of guanjia.visits).
        case_completed(case=repair, completed_at=completed_at, actor=actor)
        _tell(
            repair,
            people=_recipients(repair, [Role.FRONT_DESK]),
            kind="repair.completed",
            title=_("报修 %(n)s 已完成，请收回部门联 (R11)") % {"n": repair.number},
        )
    return repair


def repair_record_payment(*, repair: Repair, actor: Any, payment_method: str, collected_by: Any) -> Repair:
    """R05: who of the desk collected the fee, and how (cash or card)."""
    _require(can_desk_repair(actor, repair.project_id))
    if not case_kind("repair").is_done(repair.status):
        raise TransitionError(_("工单完成后才能登记收费"))
    if payment_method not in (PaymentMethod.CASH, PaymentMethod.CARD):
        raise ValidationError({"payment_method": [_("收费方式须为现金或刷卡")]})
    if collected_by is None or not can_see_project(collected_by, repair.project_id):
        raise ValidationError({"collected_by": [_("请选择本项目的收费人")]})
    with transaction.atomic():
        _save(repair, payment_method=payment_method, collected_by=collected_by)
        record(
            subject=repair,
            verb="repair.payment_recorded",
            actor=actor,
            data={"method": payment_method, "collected_by": collected_by.pk},
        )
    return repair


def repair_hand_to_finance(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R05: the fee collected has been handed to finance."""
    _require(can_desk_repair(actor, repair.project_id))
    if not repair.fee_yuan or repair.payment_method not in (PaymentMethod.CASH, PaymentMethod.CARD):
        raise TransitionError(_("该工单没有待交财务的收费"))
    if repair.handed_to_finance_at is not None:
        raise TransitionError(_("该工单的收费已交财务"))
    at = check_at(at, repair=repair, after=repair.completed_at, after_label=_("完成时间"))
    with transaction.atomic():
        _save(repair, handed_to_finance_at=at)
        record(
            subject=repair, verb="repair.handed_to_finance", actor=actor, at=at, data={"fee_yuan": str(repair.fee_yuan)}
        )
    return repair


# --- R11: back at the desk; cancelling ---------------------------------------------------------------------


def repair_return_to_desk(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R11: the department copy is back at the desk (monthly statistics, return visit). A declined order is
    filed only with the technician's and the supervisor's signatures (R08)."""
    _require(can_desk_repair(actor, repair.project_id))
    if repair.status == RepairStatus.DECLINED:
        roles = set(repair.signatures.values_list("role", flat=True))
        if SignerRole.SUPERVISOR not in roles:
            raise TransitionError(_("客户拒绝维修的工单须部门主管签字后才能归档 (R08)"))
    at = check_at(at, repair=repair, after=repair.completed_at, after_label=_("完成时间"))
    case_transition(case=repair, to=RepairStatus.RETURNED, actor=actor, at=at, fields={"returned_at": at})
    return repair


def repair_cancel(*, repair: Repair, actor: Any, reason: str, at: datetime | None = None) -> Repair:
    """Cancel an order not yet started (the customer withdrew it, a duplicate); the reason is kept."""
    _require(can_desk_repair(actor, repair.project_id) or can_supervise_repair(actor, repair.project_id))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写取消原因")]})
    at = check_at(at, repair=repair)
    with transaction.atomic():
        case_transition(case=repair, to=RepairStatus.CANCELLED, actor=actor, at=at, reason=reason.strip())
        deadline_cancel(subject=repair, at=at)
    return repair


# --- Missed limits (registered in RepairsConfig.ready) ------------------------------------------------------

_MISSED_ROLES = {
    "order": (Role.FRONT_DESK, Role.CS_SUPERVISOR),
    "notify": (Role.FRONT_DESK, Role.CS_SUPERVISOR),
    "assess": (Role.ENGINEERING_SUPERVISOR, Role.OFFICE_MANAGER),
    "arrive": (Role.ENGINEERING_SUPERVISOR,),
}


def on_deadline_missed(deadline: Deadline, subject: Any, now: datetime) -> None:
    """A repair limit passed: tell who must act now (runs inside the sweep's claim)."""
    repair: Repair = subject
    if repair.status in (RepairStatus.CANCELLED, RepairStatus.CLOSED):
        return
    people = _recipients(repair, _MISSED_ROLES.get(deadline.kind, (Role.CS_SUPERVISOR,)))
    if deadline.kind == "arrive" and repair.assignee is not None:
        people.append(repair.assignee)
    notify(
        recipients=people,
        kind="repair.deadline_missed",
        title=_("报修 %(n)s %(k)s已超时") % {"n": repair.number, "k": deadline.kind_label},
        body=repair.description[:200],
        url=reverse("repairs:detail", args=[repair.pk]),
        project=repair.project,
        level=Level.URGENT,
        dedupe_key=f"repair.missed:{deadline.pk}",
    )
