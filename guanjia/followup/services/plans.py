"""T02: plan templates and the follow-up calls a plan generates, each due in its window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_manage_master_data
from guanjia.accounts.models import User
from guanjia.cases.services import deadline_set
from guanjia.core import clean
from guanjia.core.periods import add_months
from guanjia.estates.models import Company, Customer
from guanjia.followup.models import CallPurpose, FollowUpCall, FollowUpPlan, PlanStep, PlanTemplate
from guanjia.followup.services._common import (
    check_worker,
    end_of,
    require_follow_up,
    required_text,
    start_of,
    today,
)
from guanjia.followup.services.archive import profile_ensure
from guanjia.timeline.services import record

CALL_KIND = "call"
MAX_STEPS = 24


@dataclass(frozen=True)
class StepSpec:
    label: str
    offset_days: int = 0
    offset_months: int = 0
    window_days: int = 0


def step_window(step: PlanStep | StepSpec, service_at: datetime) -> tuple[date, datetime]:
    """(first day the call may be made, 24:00 of its last day) for a step, counted from the service's local
    day (V04: the day of the service does not count). Month offsets are calendar months."""
    base = today(service_at)
    first = add_months(base, step.offset_months) + timedelta(days=step.offset_days)
    return first, end_of(first + timedelta(days=step.window_days))


def _int_field(value: Any, field: str, maximum: int) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("请填写整数")]}) from None
    if not 0 <= number <= maximum:
        raise ValidationError({field: [_("应在 0–%(n)s 之间") % {"n": maximum}]})
    return number


def clean_steps(raw: Sequence[dict[str, Any] | StepSpec]) -> list[StepSpec]:
    """Validate an administrator's steps: a label each, offsets in days or months (not both), in order."""
    steps = []
    for item in raw:
        data = item.__dict__ if isinstance(item, StepSpec) else item
        if not any(str(data.get(k) or "").strip() for k in ("label", "offset_days", "offset_months")):
            continue  # an empty row of the form
        label = required_text(data.get("label"), "steps", _("每一步都要有名称"), 100)
        days = _int_field(data.get("offset_days"), "steps", 3660)
        months = _int_field(data.get("offset_months"), "steps", 120)
        window = _int_field(data.get("window_days"), "steps", 366)
        if days and months:
            raise ValidationError({"steps": [_("“%(label)s”：请只按天或只按月设定") % {"label": label}]})
        steps.append(StepSpec(label=label, offset_days=days, offset_months=months, window_days=window))
    if not steps:
        raise ValidationError({"steps": [_("请至少设定一步")]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [_("最多 %(n)s 步") % {"n": MAX_STEPS}]})
    reference = start_of(date(2001, 1, 1))
    firsts = [step_window(s, reference)[0] for s in steps]
    if firsts != sorted(firsts):
        raise ValidationError({"steps": [_("步骤请按时间先后排列")]})
    return steps


def template_create(
    *, company: Company, name: str, steps: Sequence[dict[str, Any] | StepSpec], actor: User, description: str = ""
) -> PlanTemplate:
    """An administrator-defined schedule for ``company`` (T02: "any schedule an administrator defines")."""
    if not can_manage_master_data(actor) or (not actor.is_superuser and actor.company_id != company.pk):
        raise PermissionDenied(_("只有管理人员可以定义跟踪计划模板。"))
    name = required_text(name, "name", _("请填写模板名称"), 100)
    cleaned = clean_steps(steps)
    with transaction.atomic():
        template = PlanTemplate._default_manager.create(
            company=company, name=name, description=(description or "").strip()[:300], created_by=actor
        )
        PlanStep._default_manager.bulk_create(
            PlanStep(template=template, position=i, **s.__dict__) for i, s in enumerate(cleaned, start=1)
        )
        record(
            subject=template,
            verb="followup.template_created",
            actor=actor,
            data={"name": name, "steps": [s.__dict__ for s in cleaned]},
        )
    return template


def template_usable(template: PlanTemplate, user: Any) -> bool:
    return template.is_active and (
        template.company_id is None or user.is_superuser or template.company_id == user.company_id
    )


def plan_apply(
    *,
    customer: Customer,
    template: PlanTemplate,
    serviced: str,
    service_at: datetime,
    assignee: User,
    actor: User,
    now: datetime | None = None,
) -> FollowUpPlan:
    """Apply ``template`` to a customer after a service: one ``FollowUpCall`` per step, each with a ``call``
    deadline (reminded when its window opens, missed at 24:00 of its last day). A first-time customer gets
    an archive and its 2-day task at the same time (T01)."""
    require_follow_up(actor, customer.project_id)
    now = now or timezone.now()
    if not template_usable(template, actor):
        raise ValidationError({"template": [_("请选择可用的跟踪计划模板")]})
    serviced = required_text(serviced, "serviced", _("请填写服务项目"), 200)
    service_at = clean.past_time(service_at, now=now, field="service_at")
    check_worker(assignee, customer.project, "assignee")
    steps = list(template.steps.order_by("position"))
    if not steps:
        raise ValidationError({"template": [_("该模板没有步骤")]})
    with transaction.atomic():
        profile_ensure(customer=customer, actor=actor, first_service_at=service_at, owner=assignee, now=now)
        plan = FollowUpPlan._default_manager.create(
            project=customer.project,
            customer=customer,
            template=template,
            serviced=serviced,
            service_at=service_at,
            assignee=assignee,
            created_by=actor,
            created_at=now,
        )
        calls = []
        for step in steps:
            first, due = step_window(step, service_at)
            calls.append(
                FollowUpCall(
                    project=customer.project,
                    customer=customer,
                    purpose=CallPurpose.PLAN,
                    plan=plan,
                    position=step.position,
                    label=step.label,
                    not_before=first,
                    due_at=due,
                    assignee=assignee,
                )
            )
        FollowUpCall._default_manager.bulk_create(calls)
        for call in FollowUpCall._default_manager.filter(plan=plan):
            call_deadline(call, now)
        record(
            subject=plan,
            verb="followup.plan_applied",
            actor=actor,
            at=now,
            data={"template": template.pk, "calls": len(calls), "serviced": serviced},
        )
    return plan


def call_deadline(call: FollowUpCall, now: datetime) -> None:
    """The call's limit; the sweep reminds the assignee when its window opens and reports it when missed."""
    opens = start_of(call.not_before)
    remind = call.due_at - opens if opens > now else None
    deadline_set(subject=call, kind=CALL_KIND, due_at=call.due_at, now=now, remind_before=remind)
