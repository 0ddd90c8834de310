"""Writes of the office's own ledgers (F11–F13): meeting rooms and their bookings, notices, and fees (fee
notices, collection plans, parking spaces)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_approve_office, can_handle_fees
from guanjia.accounts.models import User
from guanjia.core import clean
from guanjia.core.errors import NotPossible
from guanjia.core.states import transition
from guanjia.dutylog.models import (
    Booking,
    BookingStatus,
    CollectionPlan,
    ContactMethod,
    FeeKind,
    FeeNotice,
    FollowUpRecord,
    MeetingRoom,
    Notice,
    NoticeKind,
    NoticeStatus,
    ParkingSpace,
)
from guanjia.dutylog.services._common import _check_actor, _require, _same_project, _staff_of
from guanjia.estates.models import Customer, Project, Unit
from guanjia.timeline.services import record


# --- F11 Meeting rooms ------------------------------------------------------------------------------------
def room_add(
    *, project: Project, name: str, actor: User, location: str = "", capacity: int | None = None
) -> MeetingRoom:
    _check_actor(actor, project)
    if not can_approve_office(actor):
        raise PermissionDenied
    _require(name, "name", _("请填写会议室名称。"))
    if MeetingRoom.objects.filter(project=project, name=name.strip()).exists():
        raise ValidationError({"name": _("已有同名会议室。")})
    with transaction.atomic():
        room = MeetingRoom.objects.create(
            project=project, name=name.strip(), location=location.strip(), capacity=capacity
        )
        record(subject=room, verb="room.added", actor=actor)
    return room


def booking_request(
    *,
    room: MeetingRoom,
    starts_at: datetime,
    ends_at: datetime,
    booked_for: str,
    purpose: str,
    actor: User,
    needs: str = "",
) -> Booking:
    """Register a booking request. The room is locked while the overlap is checked, so two desks booking the
    same hour at once cannot both succeed (no double booking, F11)."""
    _check_actor(actor, room.project)
    _require(booked_for, "booked_for", _("请填写使用人。"))
    _require(purpose, "purpose", _("请填写用途。"))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
    if not room.active:
        raise ValidationError({"room": _("该会议室已停用。")})
    with transaction.atomic():
        MeetingRoom.objects.select_for_update().get(pk=room.pk)
        clash = (
            Booking.objects.filter(room=room, status__in=Booking.HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": _("该时段已被预订（%(start)s–%(end)s %(who)s）。")
                    % {
                        "start": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                        "end": timezone.localtime(clash.ends_at).strftime("%H:%M"),
                        "who": clash.booked_for,
                    }
                }
            )
        booking = Booking.objects.create(
            project=room.project,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            booked_for=booked_for.strip()[:100],
            purpose=purpose.strip()[:200],
            needs=needs.strip()[:200],
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record(subject=booking, verb="booking.requested", actor=actor, data={"room": room.pk})
    return booking


def booking_transition(*, booking: Booking, to: str, actor: User, note: str = "") -> Booking:
    """The one way a booking's status changes. Approving and refusing need a manager; the check after use
    needs a note on the facilities (F11)."""
    _check_actor(actor, booking.project)
    if to not in BookingStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    if to in (BookingStatus.APPROVED, BookingStatus.REFUSED) and not can_approve_office(actor):
        raise PermissionDenied
    if to == BookingStatus.CHECKED:
        _require(note, "check_note", _("请填写会后设施检查情况。"))
    now = timezone.now()
    fields: dict[str, Any] = {}
    if to in (BookingStatus.APPROVED, BookingStatus.REFUSED):
        fields = {"decided_by": actor, "decided_at": now}
    if to == BookingStatus.CHECKED:
        fields = {"check_note": note.strip()[:300], "checked_by": actor, "checked_at": now}
    return transition(booking, to, actor=actor, verb=f"booking.{to}", record=record, fields=fields, reason=note.strip())


# --- F12 Notices ------------------------------------------------------------------------------------------
def notice_draft(*, project: Project, kind: str, title: str, body: str, actor: User) -> Notice:
    _check_actor(actor, project)
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": _("请选择类别（温馨提示、通知、通告）。")})
    _require(title, "title", _("请填写标题。"))
    _require(body, "body", _("请填写正文。"))
    with transaction.atomic():
        notice = Notice.objects.create(
            project=project,
            kind=kind,
            title=title.strip()[:100],
            body=body.strip(),
            drafted_by=actor,
            drafted_at=timezone.now(),
        )
        record(subject=notice, verb="notice.drafted", actor=actor, data={"kind": kind})
    return notice


def notice_transition(
    *,
    notice: Notice,
    to: str,
    actor: User,
    locations: str = "",
    take_down_due: datetime | None = None,
) -> Notice:
    """The one-way flow draft → approved → posted → taken down → archived (F12). Approving needs a manager
    (CS supervisor, office or general manager); posting needs where and until when."""
    _check_actor(actor, notice.project)
    if to not in NoticeStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    now = timezone.now()
    if to == NoticeStatus.APPROVED and not can_approve_office(actor):
        raise PermissionDenied
    if to == NoticeStatus.POSTED:
        _require(locations, "locations", _("请填写张贴位置。"))
        if take_down_due is None:
            raise ValidationError({"take_down_due": _("请填写计划撤下时间。")})
        if take_down_due <= now:
            raise ValidationError({"take_down_due": _("计划撤下时间必须晚于现在。")})
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if to == NoticeStatus.APPROVED:
        fields = {"approved_by": actor, "approved_at": now}
    elif to == NoticeStatus.POSTED:
        fields = {"locations": locations.strip()[:200], "posted_at": now, "take_down_due": take_down_due}
        data = {"locations": fields["locations"], "take_down_due": take_down_due.isoformat() if take_down_due else None}
    elif to == NoticeStatus.TAKEN_DOWN:
        fields = {"taken_down_at": now, "taken_down_by": actor}
    elif to == NoticeStatus.ARCHIVED:
        fields = {"archived_at": now}
    return transition(notice, to, actor=actor, verb=f"notice.{to}", record=record, fields=fields, data=data)


# --- F13 Fees ---------------------------------------------------------------------------------------------
AMOUNT_MAX = Decimal("99999999.99")
PERIOD_RE = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


def parse_amount(raw: Any, field: str = "amount") -> Decimal:
    return clean.money(raw, field, maximum=AMOUNT_MAX, positive=True)


def _check_fee_role(actor: User, project: Project) -> None:
    _check_actor(actor, project)
    if not can_handle_fees(actor):
        raise PermissionDenied


def fee_notice_send(*, unit: Unit, period: str, kind: str, amount: Any, actor: User) -> FeeNotice:
    project = unit.project
    _check_fee_role(actor, project)
    if not PERIOD_RE.match(period.strip()):
        raise ValidationError({"period": _("所属期间格式为 年-月，如 2026-11。")})
    if kind not in FeeKind.values:
        raise ValidationError({"kind": _("请选择费用类别。")})
    value = parse_amount(amount)
    with transaction.atomic():
        if FeeNotice.objects.filter(unit=unit, period=period.strip(), kind=kind).exists():
            raise ValidationError({"period": _("该房屋本期的这项费用已发过通知。")})
        try:
            with transaction.atomic():
                notice = FeeNotice.objects.create(
                    project=project,
                    unit=unit,
                    period=period.strip(),
                    kind=kind,
                    amount=value,
                    sent_at=timezone.now(),
                    sent_by=actor,
                )
        except IntegrityError:
            raise ValidationError({"period": _("该房屋本期的这项费用已发过通知。")}) from None
        record(
            subject=notice,
            verb="fee.notice_sent",
            actor=actor,
            data={"unit": unit.pk, "period": period, "kind": kind, "amount": str(value)},
        )
    return notice


def fee_mark_paid(*, notice: FeeNotice, actor: User, at: datetime | None = None) -> FeeNotice:
    _check_fee_role(actor, notice.project)
    now = timezone.now()
    at = clean.past_time(at, now=now, field="paid_at")
    with transaction.atomic():
        if FeeNotice.objects.filter(pk=notice.pk, paid_at__isnull=True).update(paid_at=at) != 1:
            raise NotPossible(_("该费用已缴清。"))
        notice.refresh_from_db()
        record(subject=notice, verb="fee.paid", actor=actor, data={"amount": str(notice.amount)})
        # A unit with nothing left unpaid needs no collection plan any more.
        if not FeeNotice.objects.filter(unit=notice.unit_id, paid_at__isnull=True).exists():
            for plan in CollectionPlan.objects.filter(unit=notice.unit_id, closed_at__isnull=True):
                plan.closed_at = now
                plan.save(update_fields=["closed_at"])
                record(subject=plan, verb="collection.closed", actor=actor, reason=_("欠费已缴清"))
    return notice


def collection_plan_open(*, unit: Unit, owner: User, plan: str, actor: User) -> CollectionPlan:
    project = unit.project
    _check_fee_role(actor, project)
    _staff_of(project, "owner", owner)
    _require(plan, "plan", _("请填写催缴安排。"))
    if not FeeNotice.objects.filter(unit=unit, paid_at__isnull=True).exists():
        raise NotPossible(_("该房屋没有欠费。"))
    with transaction.atomic():
        if CollectionPlan.objects.filter(unit=unit, closed_at__isnull=True).exists():
            raise NotPossible(_("该房屋已有进行中的催缴计划。"))
        row = CollectionPlan.objects.create(
            project=project, unit=unit, owner=owner, plan=plan.strip(), created_at=timezone.now()
        )
        record(subject=row, verb="collection.opened", actor=actor, data={"unit": unit.pk, "owner": owner.pk})
    return row


def collection_follow_up(
    *, plan: CollectionPlan, method: str, result: str, actor: User, next_step: str = "", next_at: date | None = None
) -> FollowUpRecord:
    _check_fee_role(actor, plan.project)
    if method not in ContactMethod.values:
        raise ValidationError({"method": _("请选择跟进方式。")})
    _require(result, "result", _("请填写跟进结果。"))
    if plan.closed_at is not None:
        raise NotPossible(_("该催缴计划已结束。"))
    now = timezone.now()
    if next_at is not None and next_at < timezone.localdate(now):
        raise ValidationError({"next_at": _("下次跟进日期不能早于今天。")})
    with transaction.atomic():
        row = FollowUpRecord.objects.create(
            plan=plan,
            at=now,
            method=method,
            result=result.strip()[:300],
            next_step=next_step.strip()[:300],
            next_at=next_at,
            by=actor,
        )
        record(subject=plan, verb="collection.followed_up", actor=actor, data={"method": method, "result": row.result})
    return row


def parking_space_save(
    *,
    project: Project,
    number: str,
    actor: User,
    holder: Customer | None = None,
    unit: Unit | None = None,
    plate: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> ParkingSpace:
    """Create the space or update its holder (keyed by number within the project)."""
    _check_fee_role(actor, project)
    _require(number, "number", _("请填写车位号。"))
    _same_project(project, "holder", holder)
    _same_project(project, "unit", unit)
    plate = plate.strip().upper().replace(" ", "")
    if plate and not re.fullmatch(r"[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}", plate):
        raise ValidationError({"plate": _("车牌格式不正确，如 粤B12345。")})
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("到期日期不能早于起始日期。")})
    with transaction.atomic():
        space, created = ParkingSpace.objects.select_for_update().get_or_create(
            project=project, number=number.strip()[:20]
        )
        before = {"holder": space.holder_id, "unit": space.unit_id, "plate": space.plate}
        space.holder, space.unit, space.plate = holder, unit, plate
        space.valid_from, space.valid_to = valid_from, valid_to
        space.save()
        record(
            subject=space,
            verb="parking.added" if created else "parking.holder_changed",
            actor=actor,
            data={
                "before": before,
                "holder": holder.pk if holder else None,
                "unit": unit.pk if unit else None,
                "plate": plate,
            },
        )
    return space
