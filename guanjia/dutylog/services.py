"""Writes of the counter's daily work (F08–F14). Each function validates, then changes the rows and appends
a timeline event in one transaction. Bad input raises ``ValidationError({field: message})``; a move that
the record's state refuses raises ``NotPossible`` (HTTP 409 in spirit); a role that may not act raises
``PermissionDenied``. Callers have looked the objects up through ``guanjia.accounts.access``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_approve_office, can_handle_fees, can_see_project
from guanjia.accounts.models import Role, User
from guanjia.core import clean
from guanjia.core.errors import NotPossible
from guanjia.core.states import transition
from guanjia.dutylog.models import (
    Booking,
    BookingStatus,
    CallOutcome,
    CallRecord,
    CheckArea,
    ChecklistItem,
    CheckResult,
    CollectionPlan,
    ContactMethod,
    DutyLogEntry,
    FeeKind,
    FeeNotice,
    FollowUpRecord,
    FollowUpTask,
    Handover,
    HandoverSnapshot,
    HandoverStatus,
    MeetingRoom,
    Notice,
    NoticeKind,
    NoticeStatus,
    ParkingSpace,
    Phrase,
    PhraseCategory,
    Relay,
    RelayStatus,
    Shift,
    ShiftKind,
)
from guanjia.estates.models import Customer, Project, Unit
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.timeline.services import record


def _require(value: Any, field: str, message: str | None = None) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message or _("请填写此项。")})


def _same_project(project: Project, field: str, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "project_id", project.pk) != project.pk:
            raise ValidationError({field: _("不属于本项目。")})


def _staff_of(project: Project, field: str, *users: User | None) -> None:
    for user in users:
        if user is not None and not can_see_project(user, project):
            raise ValidationError({field: _("该员工不在本项目。")})


def _check_actor(actor: User, project: Project) -> None:
    if not can_see_project(actor, project):
        raise PermissionDenied


# --- F08 Shifts, checklist, log ------------------------------------------------------------------------
def shift_open(
    *,
    project: Project,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    on_duty: Iterable[User],
    actor: User,
    name: str = "",
) -> Shift:
    _check_actor(actor, project)
    if kind not in ShiftKind.values:
        raise ValidationError({"kind": _("请选择班次。")})
    if kind == ShiftKind.OTHER and not name.strip():
        raise ValidationError({"name": _("其他班次请填写班次名称。")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
    people = list(on_duty) or [actor]
    _staff_of(project, "on_duty", *people)
    with transaction.atomic():
        shift = Shift.objects.create(
            project=project, kind=kind, name=name.strip(), starts_at=starts_at, ends_at=ends_at, opened_by=actor
        )
        shift.on_duty.set(people)
        record(
            subject=shift,
            verb="shift.opened",
            actor=actor,
            data={"kind": kind, "name": shift.name, "on_duty": [u.pk for u in people]},
        )
    return shift


def checklist_record(*, shift: Shift, area: str, result: str, note: str = "", actor: User) -> ChecklistItem:
    """Record (or re-record) one area's check. An anomaly needs a note saying what is wrong."""
    _check_actor(actor, shift.project)
    if area not in CheckArea.values:
        raise ValidationError({"area": _("未知的检查区域。")})
    if result not in CheckResult.values:
        raise ValidationError({"result": _("请选择正常或异常。")})
    note = note.strip()
    if result == CheckResult.ANOMALY and not note:
        raise ValidationError({"note": _("异常请写明情况。")})
    if _handover_signed(shift):
        raise NotPossible(_("该班次已交接签名，不能再修改。"))
    now = timezone.now()
    with transaction.atomic():
        item, _created = ChecklistItem.objects.update_or_create(
            shift=shift,
            area=area,
            defaults={"result": result, "note": note, "checked_by": actor, "checked_at": now},
        )
        record(subject=shift, verb="shift.checked", actor=actor, data={"area": area, "result": result, "note": note})
    return item


def checklist_request_repair(*, item: ChecklistItem, actor: User) -> ChecklistItem:
    """An anomaly becomes a repair order in one step (F08, R12): a public-area work order logged through
    ``guanjia.repairs.services.repair_log`` with source "duty_log", in the same transaction, its number kept
    on the check. A role that may not log repairs records the anomaly as "needs repair" (待开维修单); it
    shows on the handover sheet until someone fills in the order number (``checklist_link_repair``).
    """
    shift = item.shift
    _check_actor(actor, shift.project)
    if item.result != CheckResult.ANOMALY:
        raise NotPossible(_("只有异常项才能转报修。"))
    if item.repair_requested_at is not None:
        raise NotPossible(_("该异常已转报修。"))
    now = timezone.now()
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if item.repair_requested_at is not None:
            raise NotPossible(_("该异常已转报修。"))
        item.repair_ref = _register_repair(item=item, actor=actor, at=now)
        item.repair_requested_at = now
        item.save(update_fields=["repair_ref", "repair_requested_at"])
        record(
            subject=shift,
            verb="shift.anomaly_to_repair",
            actor=actor,
            data={"area": item.area, "note": item.note, "repair": item.repair_ref},
        )
    return item


def _register_repair(*, item: ChecklistItem, actor: User, at: datetime) -> str:
    """Log a public-area work order for the anomaly (R12, source "duty_log") and return its number; "" when
    the actor's role may not log repairs (the anomaly then waits on the sheet as "needs repair")."""
    from guanjia.repairs.models import RepairSource
    from guanjia.repairs.services import RepairRequest, repair_log

    area = str(item.get_area_display())
    request = RepairRequest(
        description=f"{area}：{item.note}",
        location=_("%(area)s（值班检查）") % {"area": area},
        received_at=at,
        source=RepairSource.DUTY_LOG,
    )
    try:
        repair = repair_log(project=item.shift.project, request=request, actor=actor)
    except (PermissionError, PermissionDenied):
        return ""
    return repair.number


def checklist_link_repair(*, item: ChecklistItem, repair_ref: str, actor: User) -> ChecklistItem:
    """Fill in the repair order number of an anomaly recorded as needing repair."""
    _check_actor(actor, item.shift.project)
    _require(repair_ref, "repair_ref")
    if item.repair_requested_at is None:
        raise NotPossible(_("该异常尚未转报修。"))
    with transaction.atomic():
        item.repair_ref = repair_ref.strip()[:40]
        item.save(update_fields=["repair_ref"])
        record(
            subject=item.shift,
            verb="shift.repair_linked",
            actor=actor,
            data={"area": item.area, "repair": item.repair_ref},
        )
    return item


def log_entry_add(
    *, shift: Shift, text: str, actor: User, is_open: bool = False, at: datetime | None = None
) -> DutyLogEntry:
    _check_actor(actor, shift.project)
    _require(text, "text", _("请填写值班记录内容。"))
    at = clean.past_time(at, now=timezone.now(), field="at")
    if _handover_signed(shift):
        raise NotPossible(_("该班次已交接签名，请在当前班次记录。"))
    with transaction.atomic():
        entry = DutyLogEntry.objects.create(
            project=shift.project, shift=shift, at=at, author=actor, text=text.strip(), is_open=is_open
        )
        record(subject=entry, verb="dutylog.entry_added", actor=actor, data={"open": is_open, "shift": shift.pk})
    return entry


def log_entry_close(*, entry: DutyLogEntry, actor: User, note: str = "") -> DutyLogEntry:
    """Close an open matter; until then it carries over from handover to handover (F09)."""
    _check_actor(actor, entry.project)
    if not entry.is_open:
        raise NotPossible(_("这条记录不是待跟进事项。"))
    with transaction.atomic():
        locked = DutyLogEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.closed_at is not None:
            raise NotPossible(_("该事项已关闭。"))
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.closing_note = note.strip()[:200]
        locked.save(update_fields=["closed_at", "closed_by", "closing_note"])
        record(subject=locked, verb="dutylog.entry_closed", actor=actor, data={"note": locked.closing_note})
    return locked


# --- F09 Handover -----------------------------------------------------------------------------------------
def _handover_signed(shift: Shift) -> bool:
    return Handover.objects.filter(shift=shift, status=HandoverStatus.SIGNED).exists()


def handover_submit(
    *, shift: Shift, actor: User, open_matters: str = "", custody_note: str = "", hours: int | None = None
) -> Handover:
    """The outgoing shift hands over: the live sheet is frozen into a snapshot with their notes (F09)."""
    from guanjia.dutylog.selectors import DEFAULT_HANDOVER_HOURS, handover_sheet

    _check_actor(actor, shift.project)
    now = timezone.now()
    sheet = handover_sheet(project=shift.project, shift=shift, now=now, hours=hours or DEFAULT_HANDOVER_HOURS)
    with transaction.atomic():
        Shift.objects.select_for_update().get(pk=shift.pk)
        if Handover.objects.filter(shift=shift).exists():
            raise NotPossible(_("该班次已经交班。"))
        handover = Handover.objects.create(
            project=shift.project,
            shift=shift,
            status=HandoverStatus.SUBMITTED,
            open_matters=open_matters.strip(),
            custody_note=custody_note.strip(),
            submitted_by=actor,
            submitted_at=now,
        )
        data = sheet.as_json()
        data["open_matters_note"] = handover.open_matters
        data["custody_note"] = handover.custody_note
        data["submitted_by"] = actor.display_name
        HandoverSnapshot.objects.create(handover=handover, taken_at=now, data=data)
        record(
            subject=handover, verb="handover.submitted", actor=actor, data={"shift": shift.pk, "counts": sheet.counts()}
        )
    return handover


def handover_sign(*, handover: Handover, actor: User) -> Handover:
    """The incoming shift signs on (who, when); the handover is then frozen."""
    _check_actor(actor, handover.project)
    if handover.submitted_by_id == actor.pk:
        raise NotPossible(_("交班人不能为自己接班签名，请由接班人员签名。"))
    now = timezone.now()
    with transaction.atomic():
        updated = Handover.objects.filter(pk=handover.pk, status=HandoverStatus.SUBMITTED).update(
            status=HandoverStatus.SIGNED, signed_by=actor, signed_at=now
        )
        if updated != 1:
            raise NotPossible(_("该交接班已有人签名。"))
        handover.refresh_from_db()
        record(subject=handover, verb="handover.signed", actor=actor, data={"shift": handover.shift_id})
    return handover


def handover_flag_unsigned(*, now: datetime | None = None) -> int:
    """Tell each project's CS supervisors about shifts that ended more than 30 minutes ago
    (``selectors.UNSIGNED_GRACE``) without a signed handover, once per shift (the notification's dedupe
    key). Returns how many shifts were flagged. Run by the periodic sweep (``dutylog.tasks``,
    ``manage.py dutylog_sweep``)."""
    from guanjia.dutylog.selectors import unsigned_shifts

    now = now or timezone.now()
    flagged = 0
    for shift in unsigned_shifts(now=now, limit=500):
        supervisors = staff_with_roles(shift.project, [Role.CS_SUPERVISOR])
        with transaction.atomic():
            created = notify(
                recipients=supervisors,
                kind="dutylog.handover_unsigned",
                title=_("%(project)s %(shift)s 交接班未签名") % {"project": shift.project, "shift": shift},
                body=_("班次结束已超过 30 分钟，交接班尚未签名确认。"),
                url=reverse("dutylog:handover", args=[shift.pk]),
                project=shift.project,
                level="warning",
                dedupe_key=f"dutylog.handover_unsigned.{shift.pk}",
            )
            if created:
                record(subject=shift, verb="handover.flagged_unsigned", actor=None, data={"notified": len(created)})
                flagged += 1
    return flagged


# --- F10 Calls, relays, answer-later tasks -------------------------------------------------------------
def call_record(
    *,
    project: Project,
    caller: str,
    about: str,
    actor: User,
    phone: str = "",
    customer: Customer | None = None,
    at: datetime | None = None,
    outcome: str = CallOutcome.ANSWERED,
) -> CallRecord:
    _check_actor(actor, project)
    _require(caller, "caller", _("请填写来电人。"))
    _require(about, "about", _("请填写来电事由。"))
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("请选择处理结果。")})
    phone = clean.phone(phone)
    _same_project(project, "customer", customer)
    at = clean.past_time(at, now=timezone.now(), field="at")
    with transaction.atomic():
        call = CallRecord.objects.create(
            project=project,
            at=at,
            caller=caller.strip()[:50],
            phone=phone,
            customer=customer,
            about=about.strip()[:300],
            answered_by=actor,
            outcome=outcome,
        )
        record(subject=call, verb="call.recorded", actor=actor, data={"outcome": outcome})
    return call


def relay_send(*, project: Project, to_user: User, message: str, actor: User, call: CallRecord | None = None) -> Relay:
    """Relay a message to an absent colleague: an in-app notification, tracked until read (F10)."""
    _check_actor(actor, project)
    _require(message, "message", _("请填写转告内容。"))
    _staff_of(project, "to_user", to_user)
    _same_project(project, "call", call)
    now = timezone.now()
    with transaction.atomic():
        relay = Relay.objects.create(
            project=project, call=call, to_user=to_user, message=message.strip(), sent_by=actor, sent_at=now
        )
        if call is not None and call.outcome == CallOutcome.ANSWERED:
            CallRecord.objects.filter(pk=call.pk).update(outcome=CallOutcome.RELAYED)
        notify(
            recipients=[to_user],
            kind="dutylog.relay",
            title=_("转告：%(from)s 留言") % {"from": (call.caller if call else actor.display_name)},
            body=relay.message,
            url=reverse("dutylog:calls") + "#relays",
            project=project,
        )
        record(
            subject=relay, verb="relay.sent", actor=actor, data={"to": to_user.pk, "call": call.pk if call else None}
        )
    return relay


def relay_mark_read(*, relay: Relay, actor: User) -> Relay:
    """Only the recipient marks a relay read; reading twice changes nothing."""
    if relay.to_user_id != actor.pk:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        updated = Relay.objects.filter(pk=relay.pk, status=RelayStatus.SENT).update(
            status=RelayStatus.READ, read_at=now
        )
        if updated:
            relay.refresh_from_db()
            record(subject=relay, verb="relay.read", actor=actor)
    return relay


def task_create(
    *,
    project: Project,
    question: str,
    assignee: User,
    due_at: datetime,
    actor: User,
    call: CallRecord | None = None,
) -> FollowUpTask:
    """A question to answer later (F10): listed until done."""
    _check_actor(actor, project)
    _require(question, "question", _("请填写待答复的问题。"))
    _staff_of(project, "assignee", assignee)
    _same_project(project, "call", call)
    now = timezone.now()
    if due_at <= now:
        raise ValidationError({"due_at": _("答复期限必须晚于现在。")})
    with transaction.atomic():
        task = FollowUpTask.objects.create(
            project=project,
            call=call,
            question=question.strip(),
            assignee=assignee,
            due_at=due_at,
            created_by=actor,
            created_at=now,
        )
        if call is not None:
            CallRecord.objects.filter(pk=call.pk).update(outcome=CallOutcome.LATER)
        if assignee.pk != actor.pk:
            notify(
                recipients=[assignee],
                kind="dutylog.task",
                title=_("待答复：%(q)s") % {"q": task.question[:40]},
                url=reverse("dutylog:calls") + "#tasks",
                project=project,
            )
        record(
            subject=task, verb="task.created", actor=actor, data={"assignee": assignee.pk, "due_at": due_at.isoformat()}
        )
    return task


def task_done(*, task: FollowUpTask, answer: str, actor: User) -> FollowUpTask:
    _check_actor(actor, task.project)
    _require(answer, "answer", _("请填写答复内容。"))
    now = timezone.now()
    with transaction.atomic():
        updated = FollowUpTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, answer=answer.strip()
        )
        if updated != 1:
            raise NotPossible(_("该事项已答复。"))
        task.refresh_from_db()
        record(subject=task, verb="task.done", actor=actor, data={"late": task.due_at < now})
    return task


def call_reveal_phone(*, call: CallRecord, actor: User) -> str:
    """The caller's number in full, for a role that calls customers back; the reveal is recorded."""
    from guanjia.accounts.access import can_reveal_phone

    if not can_reveal_phone(actor):
        raise PermissionDenied
    with transaction.atomic():
        record(subject=call, verb="pii.phone_revealed", actor=actor)
    return call.phone


# --- F14 Phrases ------------------------------------------------------------------------------------------
def phrase_add(*, project: Project, category: str, text: str, actor: User, note: str = "") -> Phrase:
    _check_actor(actor, project)
    if not can_approve_office(actor):
        raise PermissionDenied
    if category not in PhraseCategory.values:
        raise ValidationError({"category": _("请选择用语类别。")})
    _require(text, "text", _("请填写用语。"))
    with transaction.atomic():
        phrase = Phrase.objects.create(
            project=project, category=category, text=text.strip()[:200], note=note.strip()[:200], position=100
        )
        record(subject=phrase, verb="phrase.added", actor=actor, project=project, data={"text": phrase.text})
    return phrase


def phrase_set_active(*, phrase: Phrase, project: Project, active: bool, actor: User) -> Phrase:
    """Hide or show a phrase. A manual phrase (no project) can only be hidden by a company role."""
    _check_actor(actor, project)
    if not can_approve_office(actor):
        raise PermissionDenied
    if phrase.project_id is None and not (actor.is_superuser or actor.company_wide):
        raise NotPossible(_("手册标准用语由公司统一维护，可新增本项目用语。"))
    with transaction.atomic():
        phrase.active = active
        phrase.save(update_fields=["active"])
        record(subject=phrase, verb="phrase.shown" if active else "phrase.hidden", actor=actor, project=project)
    return phrase


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
