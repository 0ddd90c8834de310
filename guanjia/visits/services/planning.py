"""Planning return visits (V01–V04): a completed case's visit and its deadlines, and the service records whose
participants are sampled for a visit."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_plan_visits
from guanjia.cases.completion import Completion
from guanjia.cases.kinds import case_kind
from guanjia.cases.services import deadline_set
from guanjia.estates.models import Customer, Project, Unit
from guanjia.policy.selectors import policy_for
from guanjia.timeline.services import record
from guanjia.visits.models import CaseType, ReturnVisit, ServiceKind, ServiceRecord
from guanjia.visits.services._common import (
    FOLLOWUP_KIND,
    ON_SITE_GRADES,
    VISIT_KIND,
    VISIT_REMIND_BEFORE,
    _error,
    _require,
    _text,
    _when,
)
from guanjia.workdays.calendar import load_calendar
from guanjia.workdays.deadlines import due_day, end_of_days, end_of_workdays, local_day

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
