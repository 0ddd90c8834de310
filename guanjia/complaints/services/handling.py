"""Handling a complaint (C13–C19): dispatch, acknowledgements, notes, agreed deadlines and replies, completion
with its same-day reply (C16), group measures, written replies and the customer's signature."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_handle_complaint,
    can_see_project,
    can_supervise_complaint,
    has_role,
)
from guanjia.accounts.models import Role
from guanjia.cases.completion import case_completed
from guanjia.cases.models import Department
from guanjia.cases.services import (
    case_dispatch,
    case_transition,
    deadline_cancel,
    deadline_meet,
    deadline_set,
)
from guanjia.cases.uploads import check_signature
from guanjia.complaints.models import (
    Complaint,
    ComplaintSignature,
    ComplaintStatus,
    GroupMeasure,
    InformMethod,
    MailEntry,
    Nature,
)
from guanjia.complaints.services._common import (
    DESCRIPTION_MAX,
    _aware,
    _choice,
    _error,
    _flag,
    _json,
    _locked,
    _past_time,
    _require,
    _require_open,
    _save,
    _text,
)
from guanjia.core.errors import TransitionError
from guanjia.policy.selectors import policy_for
from guanjia.timeline.models import Event
from guanjia.timeline.services import record
from guanjia.workdays.deadlines import end_of_days

# --- handling (C13–C19) ----------------------------------------------------------------------------------------


def complaint_dispatch(
    *, complaint: Complaint, department: str, actor: Any, assignee: Any | None = None, at: datetime | None = None
) -> Complaint:
    """Send the handling form to ``department`` (and a person there). Signing for it is ``complaint_acknowledge``."""
    _require(can_handle_complaint(actor, complaint))
    now = timezone.now()
    at = _past_time(at, "at", now=now, not_before=complaint.received_at)
    department = _choice(department, "department", Department.values, _("请选择有效的责任部门"))
    if assignee is not None and not (assignee.is_active and can_see_project(assignee, complaint.project_id)):
        raise _error("assignee", _("处理人不属于本项目"))
    with transaction.atomic():
        current = _locked(complaint)
        if current.status == ComplaintStatus.REGISTERED:
            return case_transition(
                case=current,
                to=ComplaintStatus.DISPATCHED,
                actor=actor,
                at=at,
                data={"department": department, "assignee": getattr(assignee, "pk", None)},
                fields={"department": department, "assignee": assignee, "dispatched_at": at},
            )
        if current.status == ComplaintStatus.DISPATCHED:
            # Sent to the wrong place: re-dispatch; the response limit keeps running.
            return case_dispatch(case=current, department=department, actor=actor, assignee=assignee, at=at)
        raise TransitionError(_("投诉已签收或已完成，不能再派单"))


def complaint_acknowledge(*, complaint: Complaint, actor: Any, at: datetime | None = None) -> Complaint:
    """The department signs for the handling form: the "response" limit is met (C13), with who and when."""
    _require(can_handle_complaint(actor, complaint))
    now = timezone.now()
    with transaction.atomic():
        current = _locked(complaint)
        if current.status != ComplaintStatus.DISPATCHED:
            raise TransitionError(_("须先派单，才能签收"))
        at = _past_time(at, "at", now=now, not_before=current.dispatched_at or current.received_at)
        deadline = deadline_meet(subject=current, kind="response", at=at)
        current = case_transition(
            case=current,
            to=ComplaintStatus.ACKNOWLEDGED,
            actor=actor,
            at=at,
            data={"late": bool(deadline and deadline.late)},
            fields={"acknowledged_at": at, "acknowledged_by": actor},
        )
    return current


def complaint_acknowledge_escalation(*, complaint: Complaint, actor: Any, at: datetime | None = None) -> Complaint:
    """The escalation reached its role (C13): the "escalate" limit is met. The actor holds that role or is the
    general manager."""
    now = timezone.now()
    with transaction.atomic():
        current = _locked(complaint)
        if not current.escalate_to:
            raise TransitionError(_("该投诉无需上报"))
        roles = frozenset({current.escalate_to, Role.GENERAL_MANAGER})
        _require(can_see_project(actor, current.project_id) and has_role(actor, roles))
        at = _past_time(at, "at", now=now, not_before=current.received_at)
        deadline = deadline_meet(subject=current, kind="escalate", at=at)
        if deadline is None:
            raise TransitionError(_("没有待确认的上报"))
        _save(current)
        record(
            subject=current,
            verb="complaint.escalation_acknowledged",
            actor=actor,
            at=at,
            data={"role": current.escalate_to, "late": deadline.late},
        )
    return current


def complaint_add_note(*, complaint: Complaint, text: str, actor: Any, at: datetime | None = None) -> Event:
    """C15: a line of the process record on the handling form."""
    _require(can_handle_complaint(actor, complaint))
    text = _text(text, "text", required=True)
    at = _past_time(at, "at", now=timezone.now(), not_before=complaint.received_at)
    with transaction.atomic():
        return record(subject=complaint, verb="complaint.note", actor=actor, at=at, data={"text": text})


def complaint_agree_deadline(
    *, complaint: Complaint, deadline: datetime, actor: Any, at: datetime | None = None
) -> Complaint:
    """C13: the resolution deadline agreed with the customer (major, critical; or any grade on request)."""
    _require(can_handle_complaint(actor, complaint))
    now = timezone.now()
    at = _past_time(at, "at", now=now, not_before=complaint.received_at)
    due = _aware(deadline, "deadline")
    if due <= at:
        raise _error("deadline", _("约定期限须晚于约定时间"))
    with transaction.atomic():
        current = _locked(complaint)
        _require_open(current)
        deadline_set(
            subject=current, kind="resolve", due_at=due, now=now, data={"agreed": True, "agreed_at": _json(at)}
        )
        _save(current)
        record(
            subject=current, verb="complaint.deadline_agreed", actor=actor, at=at, data={"deadline": due.isoformat()}
        )
    return current


def complaint_set_next_reply(*, complaint: Complaint, reply_at: datetime, actor: Any, note: str = "") -> Complaint:
    """C16: a next-reply time agreed with the customer; the sweep reminds before it."""
    _require(can_handle_complaint(actor, complaint))
    now = timezone.now()
    reply_at = _aware(reply_at, "reply_at")
    if reply_at <= now:
        raise _error("reply_at", _("下次回复时间须晚于当前时间"))
    note = _text(note, "note")
    with transaction.atomic():
        current = _locked(complaint)
        _require_open(current)
        minutes = int(policy_for(current.project).get("complaint.reply_reminder_minutes") or 0)
        deadline_set(
            subject=current,
            kind="next_reply",
            due_at=reply_at,
            now=now,
            remind_before=timedelta(minutes=minutes) if minutes else None,
        )
        current.next_reply_at = reply_at
        _save(current, "next_reply_at")
        record(
            subject=current,
            verb="complaint.next_reply_set",
            actor=actor,
            at=now,
            data={"reply_at": reply_at.isoformat(), "note": note},
        )
    return current


def complaint_inform_customer(
    *, complaint: Complaint, method: str, note: str, actor: Any, at: datetime | None = None
) -> Complaint:
    """C16: the customer was told of the progress or result (and how). Keeps an agreed next-reply promise."""
    _require(can_handle_complaint(actor, complaint))
    method = _choice(method, "method", InformMethod.values, _("请选择告知方式"))
    note = _text(note, "note", required=True)
    with transaction.atomic():
        current = _locked(complaint)
        at = _past_time(at, "at", now=timezone.now(), not_before=current.received_at)
        deadline_meet(subject=current, kind="next_reply", at=at)
        if current.completed_at is not None and at >= current.completed_at:
            deadline_meet(subject=current, kind="inform", at=at)  # C16: the result told (the same day, or late)
        current.customer_informed_at, current.customer_informed_method = at, method
        _save(current, "customer_informed_at", "customer_informed_method")
        record(
            subject=current,
            verb="complaint.customer_informed",
            actor=actor,
            at=at,
            data={"method": method, "note": note},
        )
    return current


#: C16: the same-day reply is reminded at this local hour, or this long before 24:00 when completed later.
INFORM_REMIND_HOUR = 17
INFORM_REMIND_LATE = timedelta(hours=2)


def _set_inform(complaint: Complaint, *, completed_at: datetime, now: datetime) -> None:
    """C16: completion starts the "inform" limit — the customer told the result by 24:00 of the completion day
    (Asia/Shanghai), reminded at 17:00 (2 h before 24:00 when completed after 17:00). Met by
    ``complaint_inform_customer``; counted in the monthly report (S01, S05)."""
    due = end_of_days(completed_at, 0)
    remind_at = timezone.localtime(completed_at).replace(hour=INFORM_REMIND_HOUR, minute=0, second=0, microsecond=0)
    if remind_at <= completed_at:
        remind_at = due - INFORM_REMIND_LATE
    deadline_set(subject=complaint, kind="inform", due_at=due, now=now, remind_before=due - remind_at)


def complaint_complete(
    *,
    complaint: Complaint,
    result: str,
    actor: Any,
    completed_at: datetime | None = None,
    on_the_spot: bool = False,
) -> Complaint:
    """C15: the department's result is logged; the resolution limit is met (late is recorded as late) and every
    other open limit ends. The nature (C04) must be recorded first (``nature``, so the month's summary counts valid
    complaints). An invalid complaint may be completed straight from registration; ``on_the_spot`` is the first
    responder (or a supervisor) settling it at once at the desk, without dispatch: recorded on the complaint
    (``settled_on_the_spot``) and on the completion event, and the response limit is met at that moment."""
    _require(can_handle_complaint(actor, complaint))
    result = _text(result, "result", required=True, max_length=DESCRIPTION_MAX)
    on_the_spot = _flag(on_the_spot, "on_the_spot")
    now = timezone.now()
    with transaction.atomic():
        current = _locked(complaint)
        at = _past_time(completed_at, "completed_at", now=now, not_before=current.received_at)
        if not current.can_become(ComplaintStatus.COMPLETED):
            raise TransitionError(_("投诉已完成"))
        if on_the_spot:
            responder = getattr(actor, "pk", None) == current.first_responder_id
            if not (responder or can_supervise_complaint(actor, current)):
                raise PermissionError("only the first responder settles a complaint on the spot")
            if current.status != ComplaintStatus.REGISTERED:
                raise TransitionError(_("已派单的投诉不能再当场解决"))
        elif current.status == ComplaintStatus.REGISTERED and current.nature != Nature.INVALID:
            raise TransitionError(_("须先派单处理；当场解决请勾选“当场解决”，无效投诉可直接完成"))
        if current.nature == Nature.UNDETERMINED:
            raise _error("nature", _("须先认定投诉性质（有效或无效）才能完成 (C04)"))
        if on_the_spot:
            deadline_meet(subject=current, kind="response", at=at)
        resolve = deadline_meet(subject=current, kind="resolve", at=at)
        deadline_cancel(subject=current, at=now)
        _set_inform(current, completed_at=at, now=now)
        current = case_transition(
            case=current,
            to=ComplaintStatus.COMPLETED,
            actor=actor,
            at=at,
            data={"late": bool(resolve and resolve.late), "nature": current.nature, "on_the_spot": on_the_spot},
            fields={"completed_at": at, "result": result, "settled_on_the_spot": on_the_spot},
        )
        # V01: the return visit is planned in the completion's transaction (a hook of guanjia.visits).
        case_completed(case=current, completed_at=at, actor=actor)
    return current


def complaint_record_group_measure(
    *, complaint: Complaint, measure: str, at: datetime, note: str, actor: Any
) -> Complaint:
    """C19: a meeting with the complainants or a public notice of the outcome."""
    _require(can_handle_complaint(actor, complaint))
    measure = _choice(measure, "measure", GroupMeasure.values, _("请选择座谈会或公告"))
    note = _text(note, "note", required=True)
    with transaction.atomic():
        current = _locked(complaint)
        when = _past_time(at, "at", now=timezone.now(), not_before=current.received_at)
        current.group_measure, current.group_measure_at, current.group_measure_note = measure, when, note
        _save(current, "group_measure", "group_measure_at", "group_measure_note")
        record(
            subject=current,
            verb="complaint.group_measure",
            actor=actor,
            at=when,
            data={"measure": measure, "note": note},
        )
    return current


def complaint_reply_in_writing(*, complaint: Complaint, text: str, actor: Any, at: datetime | None = None) -> MailEntry:
    """C17: the written reply to a written complaint, recorded in the incoming-mail register."""
    _require(can_handle_complaint(actor, complaint))
    text = _text(text, "text", required=True, max_length=DESCRIPTION_MAX)
    with transaction.atomic():
        current = _locked(complaint)
        entry = MailEntry.objects.select_for_update().filter(complaint=current).first()
        if entry is None:
            raise TransitionError(_("非书面投诉，没有收文登记"))
        if entry.replied_at is not None:
            raise TransitionError(_("已书面回复"))
        when = _past_time(at, "at", now=timezone.now(), not_before=current.received_at)
        entry.reply_text, entry.replied_at, entry.replied_by = text, when, actor
        entry.save(update_fields=["reply_text", "replied_at", "replied_by"])
        _save(current)
        record(subject=current, verb="complaint.replied_in_writing", actor=actor, at=when, data={"mail": entry.pk})
    return entry


def complaint_sign(
    *,
    complaint: Complaint,
    image: bytes | str,
    signer_name: str,
    actor: Any,
    opinion: str = "",
    at: datetime | None = None,
) -> ComplaintSignature:
    """C20: the customer signs the opinion form; the image is kept and never replaced (signing again adds one)."""
    _require(can_handle_complaint(actor, complaint))
    png = check_signature(image, field="image").content
    signer_name = _text(signer_name, "signer_name", required=True, max_length=50)
    opinion = _text(opinion, "opinion")
    at = _past_time(at, "at", now=timezone.now(), not_before=complaint.received_at)
    with transaction.atomic():
        current = _locked(complaint)
        signature = ComplaintSignature.store(
            png, complaint=current, signer_name=signer_name, opinion=opinion, signed_at=at, collected_by=actor
        )
        _save(current)
        record(
            subject=current,
            verb="complaint.signed",
            actor=actor,
            at=at,
            data={"signature": signature.pk, "signer_name": signer_name, "sha256": signature.sha256},
        )
    return signature
