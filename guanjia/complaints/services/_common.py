"""What the complaint services share: the limits on input, validation, locking and saving, the time limits of
C13 and C16, the grade alerts (C14) and the regrade (C10–C12). Private to ``guanjia.complaints.services``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role, User
from guanjia.cases.intake import FirstLimit
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.cases.services import (
    deadline_cancel,
    deadline_set,
)
from guanjia.complaints.grading import Grade, GradeThresholds, Injury, compute_grade, rank
from guanjia.complaints.incidents import incident_customer_count
from guanjia.complaints.models import (
    Complaint,
    Incident,
)
from guanjia.core import clean
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.estates.models import Project
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.policy.registry import Kind
from guanjia.policy.selectors import ComplaintLimits, policy_for
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


def _first_limits(complaint: Complaint) -> list[FirstLimit]:
    """C13's limits of a complaint about to be registered (not yet saved), counted from ``received_at``: the
    response, the escalation when its grade has one, the resolution unless it is to be agreed (critical)."""
    limits = _limits(complaint)
    start = complaint.received_at
    first = [FirstLimit("response", after_minutes(start, limits.response_minutes))]
    if limits.escalate_to and limits.escalate_minutes is not None:
        escalate_due = after_minutes(start, limits.escalate_minutes)
        first.append(FirstLimit("escalate", escalate_due, {"escalate_to": limits.escalate_to}))
    resolve_due = _resolve_due(complaint, limits)
    if resolve_due is not None:
        first.append(FirstLimit("resolve", resolve_due))
    return first


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
