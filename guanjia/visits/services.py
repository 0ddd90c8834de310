"""Writes of return visits (V01–V08), service records, household visits (V09) and visit records (V10).

``return_visit_plan`` is called by a case's completion, in its transaction: complaints and repairs through the
completion hooks registered in ``VisitsConfig.ready`` (``guanjia.cases.completion``), service records directly.
Each other function validates first (a ``ValidationError`` naming the field, in the user's language), checks the
actor's capability (``PermissionError``) and the state (``TransitionError``: a 409), then changes the rows and
appends a timeline event in one transaction.

Time limits (V04): a visit's due time is a ``cases.Deadline`` of kind ``visit``, reminded ``VISIT_REMIND_BEFORE``
ahead and flagged once when missed by the shared sweep; ``visit_followup`` (V07) is a second deadline,
the project's ``visit.door_followup_days`` (policy) after the visit's planned day, that turns a visit still
open into a door-to-door task for the front desk.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_manage_campaigns,
    can_plan_visits,
    can_record_visit,
    can_register_complaint,
    can_review_visit,
    can_visit_households,
)
from guanjia.accounts.models import Role
from guanjia.cases.completion import Completion
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline
from guanjia.cases.services import deadline_cancel, deadline_meet, deadline_set
from guanjia.complaints.models import Channel
from guanjia.complaints.services import complaint_agree_deadline, complaint_register
from guanjia.core import clean
from guanjia.core.errors import TransitionError
from guanjia.core.states import transition
from guanjia.estates.models import Building, Customer, Project, Unit
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.policy.selectors import policy_for
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.timeline.services import record
from guanjia.visits.models import (
    UNSATISFIED_AT_MOST,
    CaseType,
    HouseholdIssue,
    HouseholdVisit,
    HouseholdVisitCampaign,
    Method,
    Outcome,
    ReturnVisit,
    ReviewDecision,
    Satisfaction,
    ServiceKind,
    ServiceRecord,
    VisitAttempt,
    VisitStatus,
)
from guanjia.workdays.calendar import load_calendar
from guanjia.workdays.deadlines import due_day, end_of_days, end_of_workdays, local_day

#: V03: visits of these complaint grades (and of incidents) must be on site.
ON_SITE_GRADES = frozenset({"major", "critical"})
#: The sweep reminds the visitor this long before a visit falls due: the start of its last day.
VISIT_REMIND_BEFORE = timedelta(days=1)
#: A phone call that did not reach the customer is tried again after this long unless a time is given.
RETRY_AFTER = timedelta(hours=2)
#: V10: visit records are kept this many years; only older ones may be purged.
TEXT_MAX = 2000

VISIT_KIND = "visit"
FOLLOWUP_KIND = "visit_followup"


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("not allowed")


def _text(value: Any, field: str, *, required: bool = False, max_length: int = TEXT_MAX) -> str:
    return clean.text(value, field, required=required, max_length=max_length)


def _when(value: Any, field: str, *, now: datetime, not_before: datetime | None = None) -> datetime:
    """A time that has happened: default now, never in the future, never before ``not_before``."""
    value = clean.past_time(value, now=now, field=field)
    if not_before is not None and value < not_before:
        raise _error(field, _("时间不能早于 %(t)s") % {"t": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")})
    return value


def _people(project: Project, roles: Iterable[str]) -> list[Any]:
    return list(staff_with_roles(project, roles))


def _visit_url(visit: ReturnVisit) -> str:
    return reverse("visits:visit", args=[visit.pk])


def _subject(visit: ReturnVisit) -> models.Model:
    """Where a visit's events go: on its case's timeline (the visit itself if the case is gone)."""
    case = visit.case
    return case if isinstance(case, models.Model) else visit


def _record_on_case(*, subject: models.Model, data: dict[str, Any], **event: Any) -> object:
    """The recorder of a visit's status change (``guanjia.core.states.transition``): on its case's timeline,
    without the visit's own "from"/"to", which the case's page would read as the case's statuses."""
    assert isinstance(subject, ReturnVisit)
    kept = {key: value for key, value in data.items() if key not in ("from", "to")}
    return record(subject=_subject(subject), project=subject.project, data=kept, **event)


def _level_label(visit: ReturnVisit) -> str:
    return str(Satisfaction(visit.satisfaction).label) if visit.satisfaction else ""


def _case_label(visit: ReturnVisit) -> str:
    case = visit.case
    number = getattr(case, "number", "") or getattr(case, "title", "") or f"#{visit.object_id}"
    return f"{CaseType(visit.case_type).label} {number}"


# --- planning (V01–V04) -------------------------------------------------------------------------------------


def _special_service_due(
    when: str, agreement_start: date | None, agreement_end: date | None, done: datetime
) -> datetime:
    """V01: a special service is visited at the middle of the agreement's term or after it ends (the policy's
    ``visit.special_service.when``); never sooner than 1 working day after completion. Without a term it is
    visited like another service."""
    cal = load_calendar()
    soonest = end_of_workdays(done, 1, cal)
    if agreement_start is None or agreement_end is None:
        return soonest
    middle = agreement_start + (agreement_end - agreement_start) / 2
    middle_due = _end_of_day(middle)
    after_end = end_of_workdays(timezone.make_aware(datetime.combine(agreement_end, time(12))), 1, cal)
    if when == "midterm" or (when == "midterm_or_end" and middle_due > soonest):
        return max(middle_due, soonest)
    return max(after_end, soonest)


def _end_of_day(day: date) -> datetime:
    return end_of_days(timezone.make_aware(datetime.combine(day, time(12))), 0)


def _followup_due(visit: ReturnVisit) -> datetime:
    """V07: 24:00 of the n-th day after the visit's planned day (its due day), n the project's
    ``visit.door_followup_days``."""
    planned_day = due_day(visit.due_at) if visit.due_at is not None else local_day(visit.planned_at)
    return _end_of_day(planned_day + timedelta(days=policy_for(visit.project).door_followup_days()))


def _set_deadlines(visit: ReturnVisit) -> None:
    now = timezone.now()
    if visit.due_at is not None:
        deadline_set(subject=visit, kind=VISIT_KIND, due_at=visit.due_at, now=now, remind_before=VISIT_REMIND_BEFORE)
    deadline_set(subject=visit, kind=FOLLOWUP_KIND, due_at=_followup_due(visit), now=now)


def return_visit_plan(
    *,
    case: models.Model,
    case_type: str,
    completed_at: datetime,
    actor: Any,
    grade: str | None = None,
    due_at: datetime | None = None,
    customer: Customer | None = None,
) -> ReturnVisit:
    """Plan the return visit of ``case`` completed at ``completed_at`` (V01): due at the end of the policy's
    number of working days after completion (V04; ``due_at`` given for a special service; a critical or major
    complaint, in an incident or not, within 1 working day by default), visited by the policy's role (V02: the
    general manager or office manager for those), on site for a major or critical complaint or an incident
    (V03). Planning again (a case completed twice, e.g. reopened) keeps the first plan and returns it.
    ``customer`` names the participant of an activity (one visit each); otherwise the case's customer is
    visited.

    The caller holds the transaction of the completion."""
    if case_type not in CaseType.values:
        raise ValueError(f"unknown case type {case_type!r}")
    project = case.project  # type: ignore[attr-defined]
    policy = policy_for(project)
    rule = policy.visit_rule(case_type, grade)
    if due_at is None and rule.due is not None:
        due_at = end_of_workdays(completed_at, rule.due.amount, load_calendar())
    content_type = ContentType.objects.get_for_model(case)
    lookup: dict[str, Any] = {"content_type": content_type, "object_id": case.pk}
    if case_type == CaseType.ACTIVITY:
        lookup["customer"] = customer
    with transaction.atomic():
        visit, created = ReturnVisit._default_manager.get_or_create(
            **lookup,
            defaults={
                "project": project,
                "case_type": case_type,
                "grade": grade,
                "due_at": due_at,
                "visitor_role": policy.visitor_role(case_type, grade),
                "on_site_required": case_type == CaseType.INCIDENT or grade in ON_SITE_GRADES,
                "planned_at": completed_at,
                "customer": customer or getattr(case, "customer", None),
                "unit": getattr(case, "unit", None) if customer is None else None,
            },
        )
        if created:
            _set_deadlines(visit)
            data = {"visit": visit.pk, "due_at": due_at.isoformat() if due_at else None, "role": visit.visitor_role}
            record(subject=case, verb="visit.planned", actor=actor, data=data, at=completed_at)
    return visit


def plan_case_visit(completion: Completion) -> None:
    """V01 (the completion hook of every case kind, registered in ``VisitsConfig.ready``): a completed case is
    visited as its kind's visit type (``cases.kinds``), timed by the policy for that type and the case's grade;
    a critical or major complaint that belongs to an incident is visited as the incident (within 1 working day)."""
    case: Any = completion.case
    grade = getattr(case, "grade", None)
    in_incident = getattr(case, "incident_id", None) is not None and grade in ON_SITE_GRADES
    return_visit_plan(
        case=case,
        case_type=CaseType.INCIDENT if in_incident else case_kind(completion.kind).return_visit_type,
        completed_at=completion.completed_at,
        actor=completion.actor,
        grade=grade,
    )


@dataclass(frozen=True)
class ServiceFacts:
    """What the desk writes down about a completed service other than a complaint or a repair."""

    kind: str
    title: str
    completed_at: datetime | None = None
    description: str = ""
    customer: Customer | None = None
    unit: Unit | None = None
    agreement_start: date | None = None
    agreement_end: date | None = None
    participants: Sequence[Customer] = ()


def _sample(participants: Sequence[Customer], percent: int, seed: int) -> list[Customer]:
    """V01: an activity's visits go to ``percent`` % of its participants (at least one), drawn reproducibly."""
    people = sorted(set(participants), key=lambda c: c.pk)
    if not people:
        return []
    size = max(1, math.ceil(len(people) * percent / 100))
    return sorted(random.Random(seed).sample(people, size), key=lambda c: c.pk)


def service_record_complete(*, project: Project, facts: ServiceFacts, actor: Any) -> ServiceRecord:
    """V01: a special service, community activity or other service has been completed; its visits are planned
    (an activity: a 20% sample of its participants; a special service: by the agreement's term)."""
    _require(can_plan_visits(actor, project))
    now = timezone.now()
    if facts.kind not in ServiceKind.values:
        raise _error("kind", _("请选择服务类别"))
    title = _text(facts.title, "title", required=True, max_length=100)
    description = _text(facts.description, "description")
    done = _when(facts.completed_at, "completed_at", now=now)
    for name, value in (("customer", facts.customer), ("unit", facts.unit)):
        if value is not None and value.project_id != project.pk:
            raise _error(name, _("不属于本项目"))
    if any(p.project_id != project.pk for p in facts.participants):
        raise _error("participants", _("参加者须为本项目客户"))
    if facts.kind == ServiceKind.ACTIVITY and not facts.participants:
        raise _error("participants", _("请选择活动参加者"))
    if facts.kind == ServiceKind.SPECIAL_SERVICE and facts.customer is None:
        raise _error("customer", _("请选择客户"))
    if facts.agreement_start and facts.agreement_end and facts.agreement_end < facts.agreement_start:
        raise _error("agreement_end", _("协议结束日期不能早于开始日期"))
    with transaction.atomic():
        service = ServiceRecord.objects.create(
            project=project,
            kind=facts.kind,
            title=title,
            description=description,
            customer=facts.customer,
            unit=facts.unit,
            agreement_start=facts.agreement_start,
            agreement_end=facts.agreement_end,
            completed_at=done,
            completed_by=actor,
        )
        record(subject=service, verb="service.completed", actor=actor, at=done, data={"kind": facts.kind})
        if facts.kind == ServiceKind.ACTIVITY:
            service.participants.set(facts.participants)
            percent = policy_for(project).visit_rule(CaseType.ACTIVITY).sample_percent
            for person in _sample(facts.participants, percent, seed=service.pk):
                return_visit_plan(
                    case=service, case_type=CaseType.ACTIVITY, completed_at=done, actor=actor, customer=person
                )
        elif facts.kind == ServiceKind.SPECIAL_SERVICE:
            when = str(policy_for(project).visit_rule(CaseType.SPECIAL_SERVICE).when or "midterm_or_end")
            due = _special_service_due(when, facts.agreement_start, facts.agreement_end, done)
            return_visit_plan(
                case=service, case_type=CaseType.SPECIAL_SERVICE, completed_at=done, actor=actor, due_at=due
            )
        else:
            percent = policy_for(project).visit_rule(CaseType.OTHER).sample_percent
            if percent >= 100 or random.Random(service.pk).randrange(100) < percent:
                return_visit_plan(case=service, case_type=CaseType.OTHER, completed_at=done, actor=actor)
    return service


# --- doing the visit (V03, V05–V07) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitResult:
    """What the visitor brings back. ``outcome`` is for a phone call (default: reached)."""

    method: str
    satisfaction: Any = None
    outcome: str = Outcome.REACHED
    notes: str = ""
    quality: str = ""
    effect: str = ""
    shortfalls: str = ""
    suggestions: str = ""
    signature: Any = None
    signer_name: str = ""
    at: datetime | None = None
    retry_at: datetime | None = None


def _locked(visit: ReturnVisit) -> ReturnVisit:
    return ReturnVisit.objects.select_for_update().get(pk=visit.pk)


def _check_method(visit: ReturnVisit, method: Any) -> str:
    if method not in Method.values:
        raise _error("method", _("请选择回访方式：电话、上门或其他"))
    if visit.on_site_required and method != Method.ON_SITE:
        raise _error("method", _("重大及以上投诉（及重大事件）须上门回访，不能以电话或其他方式回访 (V03)"))
    return str(method)


def _check_satisfaction(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise _error("satisfaction", _("请选择客户满意度（1–5）"))
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise _error("satisfaction", _("满意度须为 1–5 的整数")) from None
    if str(level) != str(value).strip() or level not in Satisfaction.values:
        raise _error("satisfaction", _("满意度须为 1–5 的整数"))
    return level


def return_visit_record(*, visit: ReturnVisit, result: VisitResult, actor: Any) -> ReturnVisit:
    """V05: record one try at the visit. A phone call that did not reach the customer (no answer, refused,
    wrong number) is kept as an attempt and a retry is scheduled: the visit stays open. A visit made records
    the customer's rating and remarks; on site, the customer signs (V03). An unsatisfied result (V06) is sent
    to the supervisor's review, reported to the general manager and opens a rectification complaint."""
    _require(can_record_visit(actor, visit))
    now = timezone.now()
    method = _check_method(visit, result.method)
    if result.outcome not in Outcome.values:
        raise _error("outcome", _("请选择回访结果：已接通、无人接听、拒绝回访或号码错误"))
    at = _when(result.at, "at", now=now, not_before=visit.planned_at)
    notes = _text(result.notes, "notes")
    if result.outcome != Outcome.REACHED:
        retry = result.retry_at or at + RETRY_AFTER
        if timezone.is_naive(retry) or retry <= at:
            raise _error("retry_at", _("再次回访时间须晚于本次回访时间"))
        return _attempt_failed(
            visit=visit, method=method, outcome=result.outcome, at=at, retry=retry, notes=notes, actor=actor
        )
    level = _check_satisfaction(result.satisfaction)
    texts = {name: _text(getattr(result, name), name) for name in ("quality", "effect", "shortfalls", "suggestions")}
    signature = None
    if method == Method.ON_SITE or result.signature:
        from guanjia.cases.uploads import check_signature

        if not result.signature:
            raise _error("signature", _("上门回访须由客户在回访记录上签名 (V03)"))
        signature = check_signature(result.signature, "signature")
    signer = _text(result.signer_name, "signer_name", max_length=50)
    fields = {
        "method": method,
        "visitor": actor,
        "done_at": at,
        "satisfaction": level,
        "unsatisfied": level <= UNSATISFIED_AT_MOST,
        "notes": notes,
        "retry_at": None,
        **texts,
    }
    data = {
        "visit": visit.pk,
        "method": method,
        "satisfaction": level,
        "on_time": at <= visit.due_at if visit.due_at is not None else None,
        "signed": signature is not None,
    }
    with transaction.atomic():
        current = transition(
            visit,
            VisitStatus.DONE,
            actor=actor,
            verb="visit.done",
            record=_record_on_case,
            fields=fields,
            data=data,
            at=at,
        )
        # Written once the move is allowed, so a refused visit leaves no signature file behind.
        extra = []
        if signature is not None:
            current.signer_name = signer or (current.customer.name if current.customer else "")
            current.signature.save(
                f"{current.pk}-{signature.sha256[:16]}.png", ContentFile(signature.content), save=False
            )
            extra += ["signer_name", "signature"]
        if current.door_followup_at is not None:
            current.door_followup_done_at = at
            extra.append("door_followup_done_at")
        if extra:
            current.save(update_fields=extra)
        VisitAttempt.objects.create(visit=current, at=at, by=actor, method=method, outcome=Outcome.REACHED, notes=notes)
        deadline_meet(subject=current, kind=VISIT_KIND, at=at)
        deadline_cancel(subject=current, kind=FOLLOWUP_KIND, at=now)
        if current.unsatisfied:
            _unsatisfied(current, actor=actor, now=now)
    return current


def _attempt_failed(
    *, visit: ReturnVisit, method: str, outcome: str, at: datetime, retry: datetime, notes: str, actor: Any
) -> ReturnVisit:
    with transaction.atomic():
        current = _locked(visit)
        if not current.is_open:
            raise TransitionError(_("该回访已完成或已取消"))
        VisitAttempt.objects.create(
            visit=current, at=at, by=actor, method=method, outcome=outcome, notes=notes, retry_at=retry
        )
        current.attempts_count += 1
        current.retry_at = retry
        current.save(update_fields=["attempts_count", "retry_at"])
        record(
            subject=_subject(current),
            project=current.project,
            verb="visit.attempt_failed",
            actor=actor,
            at=at,
            data={"visit": current.pk, "outcome": outcome, "retry_at": retry.isoformat()},
        )
    return current


def _rectification_text(visit: ReturnVisit) -> str:
    remarks = visit.shortfalls or visit.notes or visit.suggestions
    text = _("回访不满意整改：原%(case)s 的回访客户评价为“%(level)s”。") % {
        "case": _case_label(visit),
        "level": _level_label(visit),
    }
    return f"{text}{remarks}" if remarks else text


def _unsatisfied(visit: ReturnVisit, *, actor: Any, now: datetime) -> None:
    """V06: report to the general manager, queue the supervisor's review and open the rectification: a new
    complaint naming the old case, timed like any complaint; it is visited again when it is completed."""
    case = visit.case
    customer = visit.customer or getattr(case, "customer", None)
    name = "" if customer else getattr(case, "customer_name", "")
    phone = "" if customer else getattr(case, "contact_phone", "")
    if customer is not None or (name and phone):
        # The visitor registers it when allowed (C02); otherwise the project's supervisor does, on their behalf.
        registrar = actor
        if not can_register_complaint(actor, visit.project):
            registrar = next(iter(_people(visit.project, [Role.CS_SUPERVISOR, Role.OFFICE_MANAGER])), None)
        if registrar is not None:
            complaint = complaint_register(
                project=visit.project,
                actor=registrar,
                first_responder=registrar,
                channel=Channel.OTHER,
                description=_rectification_text(visit),
                customer=customer,
                customer_name=name,
                contact_phone=phone,
                unit=visit.unit or getattr(case, "unit", None),
                against_department=getattr(case, "against_department", "")
                or getattr(case, "department", "")
                or "other",
                now=now,
            )
            resolve = Deadline.objects.filter(
                subject_type=ContentType.objects.get_for_model(complaint),
                subject_id=complaint.pk,
                kind="resolve",
                state="pending",
            ).first()
            visit.rectification = complaint
            visit.rectify_by = resolve.due_at if resolve else None
    visit.reported_to_gm_at = now
    visit.save(update_fields=["rectification", "rectify_by", "reported_to_gm_at"])
    record(
        subject=_subject(visit),
        project=visit.project,
        verb="visit.unsatisfied",
        actor=actor,
        at=now,
        data={"visit": visit.pk, "rectification": visit.rectification_id},
    )
    title = _("不满意回访：%(case)s（%(level)s）") % {
        "case": _case_label(visit),
        "level": _level_label(visit),
    }
    notify(
        recipients=_people(visit.project, [Role.CS_SUPERVISOR, Role.GENERAL_MANAGER]),
        kind="visit.unsatisfied",
        title=title,
        body=visit.shortfalls or visit.notes,
        url=_visit_url(visit),
        project=visit.project,
        level=Level.WARNING,
        dedupe_key=f"visit:{visit.pk}:unsatisfied",
    )


def return_visit_review(
    *,
    visit: ReturnVisit,
    decision: str,
    comment: str,
    actor: Any,
    rectify_by: datetime | None = None,
) -> ReturnVisit:
    """V06: the CS supervisor reviews a visit record and signs the decision with a comment. For an unsatisfied
    visit "rectify" confirms the rectification and may set its deadline (agreed on the new complaint)."""
    _require(can_review_visit(actor, visit.project_id))
    if decision not in ReviewDecision.values:
        raise _error("decision", _("请选择审核结论"))
    comment = _text(comment, "comment", required=True)
    now = timezone.now()
    if rectify_by is not None and (timezone.is_naive(rectify_by) or rectify_by <= now):
        raise _error("rectify_by", _("整改期限须晚于现在"))
    with transaction.atomic():
        current = _locked(visit)
        if current.status != VisitStatus.DONE:
            raise TransitionError(_("回访尚未完成，不能审核"))
        if current.reviewed_at is not None:
            raise TransitionError(_("该回访已审核"))
        if decision == ReviewDecision.RECTIFY and current.rectification_id is None:
            raise TransitionError(_("该回访没有整改投诉（客户无档案和联系电话），请先登记投诉"))
        if decision == ReviewDecision.RECTIFY and rectify_by is not None:
            assert current.rectification is not None
            if case_kind("complaint").is_open(current.rectification.status):
                complaint_agree_deadline(complaint=current.rectification, deadline=rectify_by, actor=actor)
            current.rectify_by = rectify_by
        current.reviewed_by, current.reviewed_at = actor, now
        current.review_comment, current.review_decision = comment, decision
        current.save(update_fields=["reviewed_by", "reviewed_at", "review_comment", "review_decision", "rectify_by"])
        record(
            subject=_subject(current),
            project=current.project,
            verb="visit.reviewed",
            actor=actor,
            at=now,
            data={"visit": current.pk, "decision": decision, "comment": comment},
        )
    return current


def return_visit_cancel(*, visit: ReturnVisit, reason: str, actor: Any) -> ReturnVisit:
    """A visit that will not happen (the customer moved out, the case was merged): kept as cancelled."""
    _require(can_review_visit(actor, visit.project_id))
    reason = _text(reason, "reason", required=True)
    now = timezone.now()
    with transaction.atomic():
        current = transition(
            visit,
            VisitStatus.CANCELLED,
            actor=actor,
            verb="visit.cancelled",
            record=_record_on_case,
            data={"visit": visit.pk},
            reason=reason,
            at=now,
        )
        deadline_cancel(subject=current, at=now)
    return current


# --- the sweep's handlers (V04, V07) -----------------------------------------------------------------------------


def on_visit_remind(deadline: Deadline, visit: ReturnVisit, now: datetime) -> None:
    """The day before a visit falls due: tell the people of its role."""
    if not visit.is_open:
        return
    notify(
        recipients=_people(visit.project, [visit.visitor_role]),
        kind="visit.due_soon",
        title=_("回访即将到期：%(case)s，请于 %(day)s 24:00 前完成")
        % {"case": _case_label(visit), "day": due_day(deadline.due_at).isoformat()},
        url=_visit_url(visit),
        project=visit.project,
        dedupe_key=f"visit:{visit.pk}:remind:{deadline.pk}",
    )


def on_visit_missed(deadline: Deadline, visit: ReturnVisit, now: datetime) -> None:
    """A visit not made by its due time: flagged overdue (once), the role and the supervisor told."""
    if visit.status != VisitStatus.PLANNED:
        return
    try:
        transition(
            visit,
            VisitStatus.MISSED,
            actor=None,
            verb="visit.overdue",
            record=_record_on_case,
            data={"visit": visit.pk},
            at=now,
        )
    except TransitionError:  # made or cancelled since the sweep read it
        return
    notify(
        recipients=_people(visit.project, [visit.visitor_role, Role.CS_SUPERVISOR]),
        kind="visit.overdue",
        title=_("回访已逾期：%(case)s") % {"case": _case_label(visit)},
        url=_visit_url(visit),
        project=visit.project,
        level=Level.WARNING,
        dedupe_key=f"visit:{visit.pk}:overdue",
    )


def on_followup_due(deadline: Deadline, visit: ReturnVisit, now: datetime) -> None:
    """V07: still open 3 days after its planned day: the front desk goes to the door."""
    if not visit.is_open:
        return
    if ReturnVisit.objects.filter(pk=visit.pk, door_followup_at__isnull=True).update(door_followup_at=now) != 1:
        return
    record(
        subject=_subject(visit),
        project=visit.project,
        verb="visit.door_followup",
        actor=None,
        at=now,
        data={"visit": visit.pk},
    )
    notify(
        recipients=_people(visit.project, [Role.FRONT_DESK]),
        kind="visit.door_followup",
        title=_("请上门跟进：%(case)s 计划回访后 3 天仍未完成") % {"case": _case_label(visit)},
        url=_visit_url(visit),
        project=visit.project,
        level=Level.WARNING,
        dedupe_key=f"visit:{visit.pk}:door",
    )


# --- household visits (V09) ---------------------------------------------------------------------------------


def campaign_create(
    *,
    project: Project,
    name: str,
    start: date,
    end: date,
    actor: Any,
    buildings: Sequence[Building] = (),
    target_coverage: int = 98,
) -> HouseholdVisitCampaign:
    """V09: a half-year round of household visits listing every unit of the project (or of ``buildings``)."""
    _require(can_manage_campaigns(actor, project))
    name = _text(name, "name", required=True, max_length=100)
    if not isinstance(start, date) or not isinstance(end, date):
        raise _error("start", _("请填写开始和结束日期"))
    if end < start:
        raise _error("end", _("结束日期不能早于开始日期"))
    if (end - start).days > 366:
        raise _error("end", _("走访周期不能超过一年"))
    if not 1 <= int(target_coverage) <= 100:
        raise _error("target_coverage", _("目标走访率须在 1–100 之间"))
    if any(b.project_id != project.pk for b in buildings):
        raise _error("buildings", _("楼栋不属于本项目"))
    units = Unit.objects.filter(project=project)
    if buildings:
        units = units.filter(building__in=list(buildings))
    unit_ids = list(units.order_by("building_id", "entrance", "room").values_list("pk", flat=True))
    if not unit_ids:
        raise _error("buildings", _("所选范围内没有房屋"))
    now = timezone.now()
    with transaction.atomic():
        campaign = HouseholdVisitCampaign.objects.create(
            project=project,
            name=name,
            start=start,
            end=end,
            target_coverage=int(target_coverage),
            created_by=actor,
            created_at=now,
        )
        campaign.buildings.set(buildings)
        HouseholdVisit.objects.bulk_create([HouseholdVisit(campaign=campaign, unit_id=pk) for pk in unit_ids])
        record(subject=campaign, verb="campaign.created", actor=actor, at=now, data={"households": len(unit_ids)})
    return campaign


def household_visit_record(
    *,
    household: HouseholdVisit,
    actor: Any,
    notes: str = "",
    issues_raised: str = "",
    customer: Customer | None = None,
    at: datetime | None = None,
) -> HouseholdVisit:
    """V09: the household has been visited (again: the latest visit's notes are kept)."""
    campaign = household.campaign
    _require(can_visit_households(actor, campaign.project_id))
    now = timezone.now()
    when = _when(at, "at", now=now)
    notes = _text(notes, "notes")
    issues_raised = _text(issues_raised, "issues_raised")
    if customer is not None and customer.project_id != campaign.project_id:
        raise _error("customer", _("客户不属于本项目"))
    with transaction.atomic():
        current = HouseholdVisit.objects.select_for_update().get(pk=household.pk)
        current.visited_at, current.visitor, current.customer = when, actor, customer
        current.notes, current.issues_raised = notes, issues_raised
        current.save(update_fields=["visited_at", "visitor", "customer", "notes", "issues_raised"])
        record(
            subject=campaign,
            verb="campaign.household_visited",
            actor=actor,
            at=when,
            data={"household": current.pk, "unit": current.unit_id},
        )
    return current


def household_issue_raise(*, household: HouseholdVisit, kind: str, description: str, actor: Any) -> HouseholdIssue:
    """V09: an issue a household raised becomes a complaint or a repair in one step, tracked until handled."""
    campaign = household.campaign
    _require(can_visit_households(actor, campaign.project_id))
    description = _text(description, "description", required=True)
    if kind not in ("complaint", "repair"):
        raise _error("kind", _("请选择登记为投诉或报修"))
    if household.visited_at is None:
        raise _error("household", _("请先记录走访"))
    customer = household.customer or household.unit.customers.order_by("pk").first()
    now = timezone.now()
    with transaction.atomic():
        issue = HouseholdIssue(household=household, description=description, created_at=now, created_by=actor)
        if kind == "complaint":
            if customer is None:
                raise _error("customer", _("该户没有客户档案，请先登记客户"))
            issue.complaint = complaint_register(
                project=campaign.project,
                actor=actor,
                channel="visit",
                description=_("走访提出：%(text)s") % {"text": description},
                customer=customer,
                unit=household.unit,
                now=now,
            )
        else:
            issue.repair = repair_log(
                project=campaign.project,
                request=RepairRequest(
                    description=_("走访提出：%(text)s") % {"text": description},
                    unit=household.unit,
                    customer=customer,
                    customer_name="" if customer else household.unit.number,
                ),
                actor=actor,
            )
        issue.save()
        record(
            subject=campaign,
            verb="campaign.issue_raised",
            actor=actor,
            at=now,
            data={"household": household.pk, "complaint": issue.complaint_id, "repair": issue.repair_id},
        )
    return issue


# --- records (V10) -------------------------------------------------------------------------------------------
