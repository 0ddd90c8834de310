"""Writes of return visits. ``return_visit_plan`` is called by a case's completion, in its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from guanjia.policy.selectors import policy_for
from guanjia.timeline.services import record
from guanjia.visits.models import CaseType, ReturnVisit
from guanjia.workdays.calendar import load_calendar
from guanjia.workdays.deadlines import end_of_workdays

#: V03: visits of these complaint grades must be on site.
ON_SITE_GRADES = frozenset({"major", "critical"})


def return_visit_plan(
    *, case: models.Model, case_type: str, completed_at: datetime, actor: Any, grade: str | None = None
) -> ReturnVisit:
    """Plan the return visit of ``case`` completed at ``completed_at`` (V01): due at the end of the policy's
    number of working days after completion (V04), visited by the policy's role (V02). Planning again (a
    case completed twice, e.g. reopened) keeps the first plan and returns it."""
    if case_type not in CaseType.values:
        raise ValueError(f"unknown case type {case_type!r}")
    project = case.project  # type: ignore[attr-defined]
    policy = policy_for(project)
    rule = policy.visit_rule(case_type)
    due_at = end_of_workdays(completed_at, rule.due.amount, load_calendar()) if rule.due is not None else None
    content_type = ContentType.objects.get_for_model(case)
    with transaction.atomic():
        visit, created = ReturnVisit._default_manager.get_or_create(
            content_type=content_type,
            object_id=case.pk,
            defaults={
                "project": project,
                "case_type": case_type,
                "due_at": due_at,
                "visitor_role": policy.visitor_role(case_type, grade),
                "on_site_required": grade in ON_SITE_GRADES,
                "planned_at": completed_at,
            },
        )
        if created:
            data = {"visit": visit.pk, "due_at": due_at.isoformat() if due_at else None, "role": visit.visitor_role}
            record(subject=case, verb="visit.planned", actor=actor, data=data, at=completed_at)
    return visit
