"""Completing, paying and closing a work order (R10, R05, R11), cancelling it, and the missed limits of the
sweep (registered in ``RepairsConfig.ready``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_desk_repair,
    can_follow_warranty,
    can_see_project,
    can_supervise_repair,
    can_work_repair,
)
from guanjia.accounts.models import Role
from guanjia.cases.completion import case_completed
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline
from guanjia.cases.services import (
    case_transition,
    deadline_cancel,
)
from guanjia.core.errors import TransitionError
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import StaffOfProjects
from guanjia.notifications.services import Notice, notify_many
from guanjia.repairs.models import (
    COLLECTED_PAYMENT_METHODS,
    LineKind,
    PaymentMethod,
    Repair,
    RepairStatus,
    SignerRole,
)
from guanjia.repairs.services._common import _recipients, _require, _save, _tell, check_at
from guanjia.repairs.services.on_site import Line, _differs, _replace_actual_lines, parse_lines
from guanjia.repairs.services.prices import parse_fee
from guanjia.timeline.services import record

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
    """R05: who of the desk collected the fee, and how (cash, card, WeChat Pay or Alipay)."""
    _require(can_desk_repair(actor, repair.project_id))
    if not case_kind("repair").is_done(repair.status):
        raise TransitionError(_("工单完成后才能登记收费"))
    if payment_method not in COLLECTED_PAYMENT_METHODS:
        raise ValidationError({"payment_method": [_("收费方式须为现金、刷卡、微信支付或支付宝")]})
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
    if not repair.fee_yuan or repair.payment_method not in COLLECTED_PAYMENT_METHODS:
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
    on_deadline_missed_many([(deadline, subject)], now)


def on_deadline_missed_many(fired: list[tuple[Deadline, Any]], now: datetime) -> None:
    """``on_deadline_missed`` for a sweep batch: the projects and assignees read once, the staff of all the
    batch's projects at once (``StaffOfProjects``), the notifications written through ``notify_many``."""
    live = [(d, r) for d, r in fired if r.status not in (RepairStatus.CANCELLED, RepairStatus.CLOSED)]
    prefetch_related_objects([r for _d, r in live], "project", "assignee")
    staff = StaffOfProjects(repair.project for _deadline, repair in live)
    notices = []
    for deadline, repair in live:
        roles = _MISSED_ROLES.get(deadline.kind, (Role.CS_SUPERVISOR,))
        people = staff(repair.project, roles, repair.assignee if deadline.kind == "arrive" else None)
        notices.append(
            Notice(
                recipients=people,
                kind="repair.deadline_missed",
                title=_("报修 %(n)s %(k)s已超时") % {"n": repair.number, "k": deadline.kind_label},
                body=repair.description[:200],
                url=reverse("repairs:detail", args=[repair.pk]),
                project=repair.project,
                level=Level.URGENT,
                dedupe_key=f"repair.missed:{deadline.pk}",
            )
        )
    notify_many(notices)
