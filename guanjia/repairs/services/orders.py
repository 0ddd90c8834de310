"""A work order from the request to the technician's arrival (R01–R05): logging it through the case intake,
the work order and the department, a non-standard item's assessment and consent, accepting and arriving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_desk_repair,
    can_register_repair,
    can_see_project,
    can_supervise_repair,
    can_work_repair,
    works_repairs_on_site,
)
from guanjia.accounts.models import Role
from guanjia.cases.intake import FirstLimit, case_intake, case_number_take, case_register
from guanjia.cases.models import Department
from guanjia.cases.services import (
    case_dispatch,
    case_transition,
    deadline_cancel,
    deadline_meet,
    deadline_set,
)
from guanjia.core import clean
from guanjia.core.errors import TransitionError
from guanjia.estates.models import Customer, Project, Unit
from guanjia.policy.selectors import policy_for
from guanjia.repairs.models import (
    LineKind,
    PriceItem,
    Repair,
    RepairLine,
    RepairSource,
    RepairStatus,
)
from guanjia.repairs.services._common import _clock, _recipients, _require, _tell, check_at
from guanjia.repairs.services.prices import parse_fee
from guanjia.timeline.services import record
from guanjia.workdays.deadlines import after_minutes

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
    now = _clock()
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
    contractor_phone = clean.phone(request.contractor_phone, "contractor_phone")
    first_limits = [
        FirstLimit("order", order_due),
        FirstLimit("notify", after_minutes(received_at, limits.notify_minutes)),
    ]
    if arrive_due is not None:
        first_limits.append(FirstLimit("arrive", arrive_due))
    number = case_number_take(Repair, intake)  # before the transaction: registrations do not queue on it
    with transaction.atomic():
        repair = case_register(
            Repair,
            intake=intake,
            number=number,
            limits=first_limits,
            now=now,
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
            contractor_phone=contractor_phone,
        )
        if request.price_item is not None:
            item = request.price_item
            RepairLine.objects.create(
                repair=repair, kind=LineKind.REPORTED, price_item=item, name=item.name, unit_fee_yuan=item.fee_yuan
            )
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
            deadline_set(subject=repair, kind="assess", due_at=assess_due, now=_clock())
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
            deadline_set(subject=repair, kind="arrive", due_at=arrive_due, now=_clock())
    return repair


def repair_arrive(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R03/R04 (and R06: the technician shows ID and the order at the door): meets the ``arrive`` limit."""
    _require(can_work_repair(actor, repair))
    at = check_at(at, repair=repair, after=repair.accepted_at, after_label=_("接单时间"))
    with transaction.atomic():
        case_transition(case=repair, to=RepairStatus.ARRIVED, actor=actor, at=at, fields={"arrived_at": at})
        deadline_meet(subject=repair, kind="arrive", at=at)
    return repair
