"""Writes of the duty log (F08–F10, F14): shifts with their checklist and log, the handover between shifts,
calls with relays and answer-later tasks, and the standard phrases of the counter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_approve_office
from guanjia.accounts.models import Role, User
from guanjia.core import clean
from guanjia.core.errors import NotPossible
from guanjia.dutylog.models import (
    CallOutcome,
    CallRecord,
    CheckArea,
    ChecklistItem,
    CheckResult,
    DutyLogEntry,
    FollowUpTask,
    Handover,
    HandoverSnapshot,
    HandoverStatus,
    Phrase,
    PhraseCategory,
    Relay,
    RelayStatus,
    Shift,
    ShiftKind,
)
from guanjia.dutylog.services._common import _check_actor, _require, _same_project, _staff_of
from guanjia.estates.models import Customer, Project
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.timeline.services import record


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
                url=reverse("duty:handover", args=[shift.pk]),
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
            url=reverse("duty:calls") + "#relays",
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
                url=reverse("duty:calls") + "#tasks",
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
