"""Writes of complaints (C01–C20). Each function validates first (``ValidationError`` naming the field, in
Chinese), then acts in one transaction that also appends the timeline events, and returns the fresh row.

Grading (C10): every fact change and every incident link recomputes the grade with the one calculator
(``grading.compute_grade``). The grade rises when the facts now give more than they gave before; it is never
lowered automatically — only ``complaint_lower_grade`` (supervisor or above, with a reason) lowers it.

Deadlines (C13, C16) are ``cases.Deadline`` rows: "response", "escalate" (``data["escalate_to"]``),
"resolve" (``data["agreed"]`` when agreed with the customer) and "next_reply". They are counted from
``received_at``, so a paper form typed in later gets limits that may already be past: ``deadline_set``
records those missed and not fired, and nothing alerts for them (C11). A step recorded with a time before its
due meets the limit whenever it is typed in. The sweep's handlers (``complaints.handlers``) alert and propose
"mishandled" for a missed response, escalation or resolution; only a supervisor's decision raises the grade.

Times given by callers (``at``, ``received_at``, ``completed_at`` …) may be in the past, never in the
future (beyond ``core.clean.CLOCK_SKEW``) and never before the complaint was received.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_handle_complaint,
    can_register_complaint,
    can_see_project,
    can_supervise_complaint,
    has_role,
)
from guanjia.accounts.models import Role, User
from guanjia.cases.completion import case_completed
from guanjia.cases.intake import case_intake, case_register
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.cases.services import (
    case_dispatch,
    case_transition,
    deadline_cancel,
    deadline_meet,
    deadline_set,
)
from guanjia.cases.uploads import check_signature
from guanjia.complaints.grading import Grade, GradeThresholds, Injury, compute_grade, rank, step_up
from guanjia.complaints.incidents import incident_customer_count
from guanjia.complaints.models import (
    Channel,
    Complaint,
    ComplaintSignature,
    ComplaintStatus,
    GroupMeasure,
    Incident,
    InformMethod,
    MailEntry,
    Nature,
)
from guanjia.complaints.proposals import ACCEPTED, DISMISSED, PROPOSAL_KINDS, open_proposals
from guanjia.core import clean
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.estates.models import Building, Customer, Project, Unit
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.policy.registry import Kind
from guanjia.policy.selectors import ComplaintLimits, policy_for
from guanjia.timeline.models import Event
from guanjia.timeline.services import record
from guanjia.workdays.calendar import load_calendar
from guanjia.workdays.deadlines import after_hours, after_minutes, end_of_days, end_of_workdays

#: A time "now" on a client whose clock runs a little ahead is still accepted (and taken as now).
#: A complaint received more than this before it is registered was entered after the fact (C11).
LATE_ENTRY_AFTER = timedelta(minutes=5)
DESCRIPTION_MAX = 5000
TEXT_MAX = 2000
SMALL_INT_MAX = 32767
LOSS_MAX = Decimal("9999999999.99")

#: Facts of C05–C08 that feed the grade.
GRADE_FACTS = (
    "economic_loss_yuan",
    "injury",
    "deaths",
    "media_days",
    "media_outlets",
    "to_authorities",
    "repeat_count",
)
#: What ``complaint_update_facts`` may change.
EDITABLE = (
    *GRADE_FACTS,
    "location",
    "occurred_at",
    "against_department",
    "against_person",
    "customer_request",
    "requested_deadline",
    "special_service",
)
#: Roles that must act within a minute on a critical complaint: they get an urgent alert (board banner).
URGENT_ROLES = (Role.GENERAL_MANAGER, Role.OFFICE_MANAGER, Role.CS_SUPERVISOR)


# --- validation helpers ------------------------------------------------------------------------------------


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise _error(field, _("请填写有效的日期时间"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _past_time(value: Any, field: str, *, now: datetime, not_before: datetime | None = None) -> datetime:
    """``value`` (default now) when it is not in the future and not before ``not_before``."""
    at = clean.past_time(value, now=now, field=field)
    if not_before is not None and at < not_before:
        raise _error(field, _("不能早于投诉受理时间"))
    return at


def _text(value: Any, field: str, *, required: bool = False, max_length: int = TEXT_MAX) -> str:
    return clean.text(value, field, required=required, max_length=max_length)


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise _error(field, _("请填写不小于 0 的整数"))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _error(field, _("请填写不小于 0 的整数")) from None
    if number != value and not (isinstance(value, str) and value.strip() == str(number)):
        raise _error(field, _("请填写不小于 0 的整数"))
    if number < 0 or number > SMALL_INT_MAX:
        raise _error(field, _("请填写 0 到 %(max)d 之间的整数") % {"max": SMALL_INT_MAX})
    return number


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _error(field, _("请选择是或否"))
    return value


def _choice(value: Any, field: str, choices: Iterable[str], message: str) -> str:
    if value not in set(choices):
        raise _error(field, message)
    return str(value)


def _clean_fact(name: str, value: Any, *, received_at: datetime, now: datetime) -> Any:
    if name == "economic_loss_yuan":
        return clean.money(value, name, maximum=LOSS_MAX)
    if name == "injury":
        return _choice(value, name, Injury.values, _("请选择无、轻伤或重伤"))
    if name in ("deaths", "media_days", "media_outlets", "repeat_count"):
        return _count(value, name)
    if name in ("to_authorities", "special_service"):
        return _flag(value, name)
    if name == "location":
        return _text(value, name, max_length=200)
    if name == "against_person":
        return _text(value, name, max_length=50)
    if name == "customer_request":
        return _text(value, name)
    if name == "against_department":
        return _choice(value, name, Department.values, _("请选择有效的被投诉部门"))
    if name == "occurred_at":
        return None if value is None else _past_time(value, name, now=now)
    if name == "requested_deadline":
        if value is None:
            return None
        deadline = _aware(value, name)
        if deadline <= received_at:
            raise _error(name, _("客户要求期限须晚于受理时间"))
        return deadline
    raise _error(name, _("该字段不可修改"))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("role may not do this")


def _require_open(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise TransitionError(_("投诉已完成，不能再办理此操作"))


def _locked(complaint: Complaint) -> Complaint:
    """The complaint's row, locked until the transaction ends. Caller is inside ``transaction.atomic``."""
    return Complaint.objects.select_for_update().select_related("project").get(pk=complaint.pk)


def _check_version(current: Complaint, version: Any) -> None:
    if version is None or int(version) != current.version:
        raise ConflictError(_("投诉已被他人修改，请刷新后再试。"))


def _save(complaint: Complaint, *fields: str) -> None:
    complaint.version += 1
    complaint.save(update_fields=[*fields, "version"])


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- policy ----------------------------------------------------------------------------------------------------


def _limits(complaint: Complaint, grade: str | None = None) -> ComplaintLimits:
    return policy_for(complaint.project).complaint_limits(grade or complaint.grade)


def _thresholds(project: Project) -> GradeThresholds:
    t = policy_for(project).complaint_thresholds()
    return GradeThresholds(
        critical_loss_yuan=t.critical_loss_yuan,
        critical_customers=t.critical_customers,
        critical_deaths=t.critical_deaths,
        major_loss_yuan=t.major_loss_yuan,
        major_times_raised=t.major_repeats,
        major_media_days=t.major_media_days,
        major_media_outlets=t.major_media_outlets,
        significant_loss_yuan=t.significant_loss_yuan,
        significant_times_raised=t.significant_repeats,
    )


def _resolve_due(complaint: Complaint, limits: ComplaintLimits) -> datetime | None:
    """C13's resolution limit counted from ``received_at`` (V04); None when it is to be agreed (critical)."""
    if complaint.grade == Grade.GENERAL and complaint.requested_deadline is not None:
        return complaint.requested_deadline
    limit = limits.resolve
    if limit is None:
        return None
    start = complaint.received_at
    if limit.unit == Kind.MINUTES:
        return after_minutes(start, limit.amount)
    if limit.unit == Kind.HOURS:
        return after_hours(start, limit.amount)
    if limit.unit == Kind.DAYS:
        return end_of_days(start, limit.amount)
    return end_of_workdays(start, limit.amount, load_calendar())


def _pending(complaint: Complaint, kind: str) -> Deadline | None:
    return complaint.deadlines.filter(kind=kind, state=DeadlineState.PENDING).first()


def _agreed_resolve(complaint: Complaint) -> bool:
    return complaint.deadlines.filter(kind="resolve", data__agreed=True).exclude(state=DeadlineState.CANCELLED).exists()


def _set_resolve(complaint: Complaint, limits: ComplaintLimits, now: datetime) -> None:
    """Set the resolution limit for the current grade, unless agreed with the customer, already kept, or
    overdue and awaiting the sweep (its miss must be recorded first)."""
    if _agreed_resolve(complaint) or complaint.deadlines.filter(kind="resolve", met_at__isnull=False).exists():
        return
    current = _pending(complaint, "resolve")
    if current is not None and current.due_at <= now:
        return
    due = _resolve_due(complaint, limits)
    if due is None:
        deadline_cancel(subject=complaint, kind="resolve", at=now)
    else:
        deadline_set(subject=complaint, kind="resolve", due_at=due, now=now)


def _set_initial_deadlines(complaint: Complaint, now: datetime) -> None:
    limits = _limits(complaint)
    start = complaint.received_at
    deadline_set(subject=complaint, kind="response", due_at=after_minutes(start, limits.response_minutes), now=now)
    if limits.escalate_to and limits.escalate_minutes is not None:
        deadline_set(
            subject=complaint,
            kind="escalate",
            due_at=after_minutes(start, limits.escalate_minutes),
            now=now,
            data={"escalate_to": limits.escalate_to},
        )
    _set_resolve(complaint, limits, now)


def _deadlines_after_raise(complaint: Complaint, now: datetime) -> None:
    """C13 after a grade rise: escalate from the moment of the raise, the response limit tightened if not yet
    met, the resolution limit recomputed for the new grade (unless agreed)."""
    limits = _limits(complaint)
    escalate = _pending(complaint, "escalate")
    if escalate is not None and escalate.due_at <= now:
        # Already overdue and not yet swept: it stays, so the sweep records its miss and proposes it (C11).
        pass
    elif limits.escalate_to and limits.escalate_minutes is not None:
        deadline_set(
            subject=complaint,
            kind="escalate",
            due_at=after_minutes(now, limits.escalate_minutes),
            now=now,
            data={"escalate_to": limits.escalate_to},
        )
    else:
        deadline_cancel(subject=complaint, kind="escalate", at=now)
    response = _pending(complaint, "response")
    if response is not None:
        tighter = after_minutes(now, limits.response_minutes)
        if tighter < response.due_at:
            deadline_set(subject=complaint, kind="response", due_at=tighter, now=now)
    _set_resolve(complaint, limits, now)


# --- notifications -----------------------------------------------------------------------------------------------


def _url(complaint: Complaint) -> str:
    return f"/complaints/{complaint.pk}/"


def _people(complaint: Complaint, roles: Iterable[str]) -> list[User]:
    return list(staff_with_roles(complaint.project, roles))


def _notify_grade(complaint: Complaint, *, raised: bool) -> None:
    """C14: significant and above go to the office manager, major and critical on to the general manager;
    a critical complaint is an urgent alert for everyone who must act within a minute."""
    grade = complaint.grade
    if rank(grade) < rank(Grade.SIGNIFICANT):
        return
    roles = [Role.OFFICE_MANAGER, Role.CS_SUPERVISOR]
    if rank(grade) >= rank(Grade.MAJOR):
        roles.append(Role.GENERAL_MANAGER)
    label = Grade(grade).label
    title = (_("%(number)s 升级为%(grade)s") if raised else _("新%(grade)s %(number)s")) % {
        "number": complaint.number,
        "grade": label,
    }
    urgent = grade == Grade.CRITICAL
    notify(
        recipients=_people(complaint, URGENT_ROLES if urgent else roles),
        kind="complaint.critical" if urgent else "complaint.graded",
        title=title,
        body=complaint.description[:200],
        url=_url(complaint),
        project=complaint.project,
        level=Level.URGENT if urgent else Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:grade:{grade}",
    )


# --- grading (C10, C11, C12) -----------------------------------------------------------------------------------


def _regrade(
    complaint: Complaint,
    *,
    actor: Any,
    now: datetime,
    cause: str,
    floor: str | None = None,
    incident: Incident | None = None,
) -> bool:
    """Recompute the grade of the locked ``complaint`` and store it; raise ``grade`` when the facts now give
    more than before (or ``floor``, a mishandling's one step up, asks for more). Never lowers. Returns
    whether the grade rose. Caller holds the row lock inside a transaction."""
    group = incident if incident is not None else complaint.incident
    customers = incident_customer_count(group) if group is not None else 1
    result = compute_grade(complaint.facts(customers_in_incident=customers), _thresholds(complaint.project))
    before_computed, before_grade = complaint.computed_grade, complaint.grade
    target = Grade(before_grade)
    # A mishandling raises exactly one step from the current grade (``floor``): its step in the computed grade
    # is the same step, not a second one (after a supervisor's lowering they differ).
    if floor is None and rank(result.grade) > rank(before_computed) and rank(result.grade) > rank(target):
        target = result.grade
    if floor is not None and rank(floor) > rank(target):
        target = Grade(floor)
    raised = rank(target) > rank(before_grade)
    reasons = [{"rule": r.rule, "grade": str(r.grade), "text": r.text} for r in result.reasons]
    changed_computed = result.grade != before_computed
    complaint.computed_grade = result.grade
    complaint.grade_reasons = reasons
    fields = ["computed_grade", "grade_reasons"]
    if raised:
        complaint.grade = target
        complaint.escalate_to = _limits(complaint, target).escalate_to or ""
        fields += ["grade", "escalate_to"]
    _save(complaint, *fields)
    if raised or changed_computed:
        record(
            subject=complaint,
            verb="complaint.regraded",
            actor=actor,
            at=now,
            data={
                "cause": cause,
                "computed_from": before_computed,
                "computed": str(result.grade),
                "grade_from": before_grade,
                "grade": str(complaint.grade),
                "raised": raised,
                # C10: a lower computed grade never lowers the grade by itself; the event says it was kept.
                "kept": rank(result.grade) < rank(complaint.grade),
                "customers_in_incident": customers,
                "reasons": reasons,
            },
        )
    if raised:
        if complaint.is_open:
            _deadlines_after_raise(complaint, now)
        _notify_grade(complaint, raised=True)
    return raised


# --- registration (C01–C03, C17) ---------------------------------------------------------------------------------


def complaint_register(
    *,
    project: Project,
    actor: Any,
    channel: str,
    description: str,
    received_at: datetime | None = None,
    customer: Customer | None = None,
    customer_name: str = "",
    contact_phone: str = "",
    unit: Unit | None = None,
    location: str = "",
    occurred_at: datetime | None = None,
    against_department: str = Department.OTHER,
    against_person: str = "",
    customer_request: str = "",
    requested_deadline: datetime | None = None,
    incident: Incident | None = None,
    first_responder: Any | None = None,
    special_service: bool = False,
    facts: Mapping[str, Any] | None = None,
    mail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Register a complaint as the customer tells it (C02), graded (C06–C10) and timed (C13) from
    ``received_at``. ``first_responder`` is whoever first received it (C03; default the actor)."""
    now = _now(now)
    _require(can_register_complaint(actor, project))
    intake = case_intake(
        project=project,
        actor=actor,
        now=now,
        received_at=received_at,
        customer=customer,
        customer_name=customer_name,
        contact_phone=contact_phone,
        unit=unit,
        first_responder=first_responder,
    )
    received = intake.received_at
    values: dict[str, Any] = {
        "channel": _choice(channel, "channel", Channel.values, _("请选择有效的投诉方式")),
        "description": _text(description, "description", required=True, max_length=DESCRIPTION_MAX),
    }
    for name, value in {
        "location": location,
        "occurred_at": occurred_at,
        "against_department": against_department,
        "against_person": against_person,
        "customer_request": customer_request,
        "requested_deadline": requested_deadline,
        "special_service": special_service,
        **(facts or {}),
    }.items():
        if name not in EDITABLE:
            raise _error(name, _("未知字段"))
        values[name] = _clean_fact(name, value, received_at=received, now=now)
    if intake.unit is None and customer is not None:
        # A customer's complaint is about their home unless it names a unit.
        intake = intake.replace(unit=customer.units.order_by("pk").first())
    if incident is not None and incident.project_id != project.pk:
        raise _error("incident", _("事件不属于本项目"))
    mail_values: dict[str, str] = {}
    if values["channel"] == Channel.LETTER:
        mail = mail or {}
        caller = intake.customer_name or (customer.name if customer else "")
        sender = _text(mail.get("sender"), "sender", max_length=100) or caller
        subject = _text(mail.get("subject"), "subject", max_length=200) or values["description"][:200]
        mail_values = {"sender": sender, "subject": subject}

    with transaction.atomic():
        complaint = case_register(
            Complaint,
            intake=intake,
            status=ComplaintStatus.REGISTERED,
            incident=incident,
            entered_late=now - received > LATE_ENTRY_AFTER,
            **values,
        )
        customers = incident_customer_count(incident) if incident is not None else 1
        result = compute_grade(complaint.facts(customers_in_incident=customers), _thresholds(project))
        complaint.computed_grade = complaint.grade = result.grade
        complaint.grade_reasons = [{"rule": r.rule, "grade": str(r.grade), "text": r.text} for r in result.reasons]
        complaint.escalate_to = _limits(complaint).escalate_to or ""
        complaint.save(update_fields=["computed_grade", "grade", "grade_reasons", "escalate_to"])
        record(
            subject=complaint,
            verb="complaint.registered",
            actor=actor,
            at=now,
            data={
                "channel": complaint.channel,
                "received_at": received.isoformat(),
                "first_responder": intake.first_responder.pk,
                "grade": complaint.grade,
                "reasons": complaint.grade_reasons,
                "entered_late": complaint.entered_late,
                "incident": getattr(incident, "pk", None),
            },
        )
        _set_initial_deadlines(complaint, now)
        if mail_values:
            entry = MailEntry.objects.create(
                project=project, complaint=complaint, received_at=received, registered_by=actor, **mail_values
            )
            record(subject=complaint, verb="complaint.mail_registered", actor=actor, at=now, data={"mail": entry.pk})
            notify(
                recipients=_people(complaint, [Role.OFFICE_MANAGER, Role.CS_SUPERVISOR]),
                kind="complaint.letter",
                title=_("书面投诉 %(number)s：%(subject)s") % {"number": complaint.number, "subject": entry.subject},
                url=_url(complaint),
                project=project,
                dedupe_key=f"complaint:{complaint.pk}:letter",
            )
        _notify_grade(complaint, raised=False)
        if incident is not None:
            # C12: one more customer in the incident may lift every complaint already in it.
            for other in Complaint.objects.filter(incident=incident).exclude(pk=complaint.pk).order_by("pk"):
                _regrade(_locked(other), actor=actor, now=now, cause="incident", incident=incident)
    return complaint


# --- facts and grade (C05–C12) --------------------------------------------------------------------------------


def complaint_update_facts(
    *,
    complaint: Complaint,
    version: int,
    changes: Mapping[str, Any],
    actor: Any,
    reason: str = "",
    now: datetime | None = None,
) -> Complaint:
    """Change facts (C10: a loss assessed, media coverage reported, a repeat recorded …) under the optimistic
    lock; records before/after and regrades."""
    now = _now(now)
    _require(can_handle_complaint(actor, complaint))
    clean.only_fields(changes, EDITABLE)
    facts = {
        name: _clean_fact(name, value, received_at=complaint.received_at, now=now) for name, value in changes.items()
    }
    reason = _text(reason, "reason")
    with transaction.atomic():
        current = _locked(complaint)
        _check_version(current, version)
        diff = {
            name: {"from": _json(getattr(current, name)), "to": _json(value)}
            for name, value in facts.items()
            if getattr(current, name) != value
        }
        if not diff:
            return current
        for name in diff:
            setattr(current, name, facts[name])
        _save(current, *diff)
        record(subject=current, verb="complaint.facts_changed", actor=actor, reason=reason, at=now, data=diff)
        if "requested_deadline" in diff and current.is_open:
            _set_resolve(current, _limits(current), now)
        if set(diff) & set(GRADE_FACTS):
            _regrade(current, actor=actor, now=now, cause="facts")
    return current


def complaint_lower_grade(*, complaint: Complaint, grade: str, reason: str, actor: Any) -> Complaint:
    """C10: the only way down — a supervisor's (or manager's) decision with a reason, kept in the history."""
    _require(can_supervise_complaint(actor, complaint))
    grade = _choice(grade, "grade", Grade.values, _("请选择有效的投诉级别"))
    reason = _text(reason, "reason", required=True)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(complaint)
        if rank(grade) >= rank(current.grade):
            raise _error("grade", _("只能选择低于当前级别的级别"))
        before = current.grade
        current.grade = grade
        current.escalate_to = _limits(current, grade).escalate_to or ""
        _save(current, "grade", "escalate_to")
        if not current.escalate_to:
            deadline_cancel(subject=current, kind="escalate", at=now)
        record(
            subject=current,
            verb="complaint.grade_lowered",
            actor=actor,
            reason=reason,
            at=now,
            data={"from": before, "to": grade, "computed": current.computed_grade},
        )
    return current


def _decide_proposals(complaint: Complaint, *, decision: str, actor: Any, reason: str, now: datetime) -> list[int]:
    """Close the open "mishandled" proposals of ``complaint`` (C11) with ``decision``; returns their deadline ids."""
    decided = []
    rows = complaint.deadlines.select_for_update().filter(kind__in=PROPOSAL_KINDS, state=DeadlineState.MISSED)
    for row in open_proposals(rows):
        row.data = {
            **row.data,
            "proposal": decision,
            "decided_by": getattr(actor, "pk", None),
            "decided_at": now.isoformat(),
            "reason": reason,
        }
        row.save(update_fields=["data"])
        decided.append(row.pk)
    return decided


def complaint_mark_mishandled(
    *, complaint: Complaint, reason: str, actor: Any, now: datetime | None = None
) -> Complaint:
    """C11: "mishandled" is a supervisor's (or above) decision with a reason; it raises the grade one step. It
    accepts the complaint's open proposals (missed limits, ``complaints.proposals``), if any."""
    now = _now(now)
    _require(actor is not None and can_supervise_complaint(actor, complaint))
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        current = _locked(complaint)
        before = current.grade
        accepted = _decide_proposals(current, decision=ACCEPTED, actor=actor, reason=reason, now=now)
        current.mishandled_count += 1
        _save(current, "mishandled_count")
        record(
            subject=current,
            verb="complaint.mishandled",
            actor=actor,
            reason=reason,
            at=now,
            data={"proposals": accepted, "grade_from": before, "count": current.mishandled_count},
        )
        _regrade(current, actor=actor, now=now, cause="mishandled", floor=step_up(before))
    return current


def complaint_dismiss_proposal(
    *, complaint: Complaint, reason: str, actor: Any, now: datetime | None = None
) -> Complaint:
    """C11: the supervisor (or above) decides a missed limit was not mishandling, with a reason: the open
    proposals are dismissed and the grade is unchanged."""
    now = _now(now)
    _require(actor is not None and can_supervise_complaint(actor, complaint))
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        current = _locked(complaint)
        dismissed = _decide_proposals(current, decision=DISMISSED, actor=actor, reason=reason, now=now)
        if not dismissed:
            raise TransitionError(_("没有待决定的处理不当提议"))
        _save(current)
        record(
            subject=current,
            verb="complaint.proposal_dismissed",
            actor=actor,
            reason=reason,
            at=now,
            data={"proposals": dismissed},
        )
    return current


def complaint_set_nature(
    *, complaint: Complaint, nature: str, actor: Any, reason: str = "", refer: bool = False
) -> Complaint:
    """C04: the desk records valid or invalid; when it cannot judge it refers the decision (``refer=True``) to
    the CS supervisor / office manager, who then decide."""
    now = timezone.now()
    reason = _text(reason, "reason")
    with transaction.atomic():
        current = _locked(complaint)
        if current.nature_referred or current.nature != Nature.UNDETERMINED:
            # Once referred (or decided), only a supervisor decides (or changes the decision).
            _require(can_supervise_complaint(actor, current))
        else:
            _require(can_handle_complaint(actor, current))
        if refer:
            if current.nature_referred:
                raise TransitionError(_("已提请主管判定"))
            current.nature_referred = True
            _save(current, "nature_referred")
            record(subject=current, verb="complaint.nature_referred", actor=actor, reason=reason, at=now)
            notify(
                recipients=_people(current, [Role.CS_SUPERVISOR, Role.OFFICE_MANAGER]),
                kind="complaint.nature_referred",
                title=_("%(number)s 需判定投诉性质") % {"number": current.number},
                url=_url(current),
                project=current.project,
                dedupe_key=f"complaint:{current.pk}:nature_referred",
            )
            return current
        nature = _choice(nature, "nature", (Nature.VALID, Nature.INVALID), _("请选择有效投诉或无效投诉"))
        if nature == Nature.INVALID and not reason:
            raise _error("reason", _("无效投诉须说明理由（仍须向客户礼貌解释）"))
        before = current.nature
        current.nature = nature
        _save(current, "nature")
        record(
            subject=current,
            verb="complaint.nature_set",
            actor=actor,
            reason=reason,
            at=now,
            data={"from": before, "to": nature, "referred": current.nature_referred},
        )
    return current


# --- incidents (C12) ----------------------------------------------------------------------------------------


def complaint_link_incident(*, complaint: Complaint, incident: Incident | None, actor: Any) -> Complaint:
    """Put ``complaint`` in ``incident`` (None takes it out). Every complaint of the old and the new incident is
    regraded, since the incident's count of customers feeds C06."""
    _require(can_handle_complaint(actor, complaint))
    if incident is not None and incident.project_id != complaint.project_id:
        raise _error("incident", _("事件不属于本项目"))
    now = timezone.now()
    with transaction.atomic():
        current = _locked(complaint)
        old = current.incident
        if getattr(old, "pk", None) == getattr(incident, "pk", None):
            return current
        current.incident = incident
        _save(current, "incident")
        record(
            subject=current,
            verb="complaint.incident_linked" if incident is not None else "complaint.incident_unlinked",
            actor=actor,
            at=now,
            data={"from": getattr(old, "pk", None), "to": getattr(incident, "pk", None)},
        )
        _regrade(current, actor=actor, now=now, cause="incident")
        for group in (old, incident):
            if group is None:
                continue
            for pk in (
                Complaint.objects.filter(incident=group)
                .exclude(pk=current.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            ):
                other = Complaint.objects.select_for_update().select_related("project").get(pk=pk)
                _regrade(other, actor=actor, now=now, cause="incident", incident=group)
    current.refresh_from_db()
    return current


def incident_create(
    *,
    project: Project,
    title: str,
    actor: Any,
    building: Building | None = None,
    location: str = "",
    occurred_at: datetime | None = None,
    complaints: Iterable[Complaint] = (),
) -> Incident:
    """Open an incident (C12) and link ``complaints`` to it (each regraded)."""
    now = timezone.now()
    _require(can_register_complaint(actor, project))
    title = _text(title, "title", required=True, max_length=100)
    location = _text(location, "location", max_length=100)
    if building is not None and building.project_id != project.pk:
        raise _error("building", _("楼栋不属于本项目"))
    occurred = None if occurred_at is None else _past_time(occurred_at, "occurred_at", now=now)
    members = list(complaints)
    if any(c.project_id != project.pk for c in members):
        raise _error("complaints", _("投诉不属于本项目"))
    with transaction.atomic():
        incident = Incident.objects.create(
            project=project,
            title=title,
            building=building,
            location=location,
            occurred_at=occurred,
            created_by=actor,
        )
        record(
            subject=incident,
            verb="incident.created",
            actor=actor,
            at=now,
            data={"title": title, "complaints": [c.pk for c in members]},
        )
        for complaint in members:
            complaint_link_incident(complaint=complaint, incident=incident, actor=actor)
    return incident


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
    digest = hashlib.sha256(png).hexdigest()
    with transaction.atomic():
        current = _locked(complaint)
        signature = ComplaintSignature(
            complaint=current, sha256=digest, signer_name=signer_name, opinion=opinion, signed_at=at, collected_by=actor
        )
        signature.image.save(f"{digest[:16]}.png", ContentFile(png), save=False)
        signature.save()
        _save(current)
        record(
            subject=current,
            verb="complaint.signed",
            actor=actor,
            at=at,
            data={"signature": signature.pk, "signer_name": signer_name, "sha256": digest},
        )
    return signature


__all__ = [
    "complaint_acknowledge",
    "complaint_acknowledge_escalation",
    "complaint_add_note",
    "complaint_agree_deadline",
    "complaint_complete",
    "complaint_dismiss_proposal",
    "complaint_dispatch",
    "complaint_inform_customer",
    "complaint_link_incident",
    "complaint_lower_grade",
    "complaint_mark_mishandled",
    "complaint_record_group_measure",
    "complaint_register",
    "complaint_reply_in_writing",
    "complaint_set_nature",
    "complaint_set_next_reply",
    "complaint_sign",
    "complaint_update_facts",
    "incident_create",
]
