"""A visit made (V03, V05, V06), reviewed or cancelled (the sweep's handlers of its deadlines, V04 and V07, are in
``handlers``). The visit's status changes through ``guanjia.core.states.transition``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_record_visit, can_register_complaint, can_review_visit
from guanjia.accounts.models import Role
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline
from guanjia.cases.services import deadline_cancel, deadline_meet
from guanjia.complaints.models import Channel
from guanjia.complaints.services import complaint_agree_deadline, complaint_register
from guanjia.core.errors import TransitionError
from guanjia.core.states import transition
from guanjia.notifications.models import Level
from guanjia.notifications.services import notify
from guanjia.timeline.services import record
from guanjia.visits.models import (
    UNSATISFIED_AT_MOST,
    Method,
    Outcome,
    ReturnVisit,
    ReviewDecision,
    Satisfaction,
    VisitAttempt,
    VisitSignature,
    VisitStatus,
)
from guanjia.visits.services._common import (
    FOLLOWUP_KIND,
    RETRY_AFTER,
    VISIT_KIND,
    _case_label,
    _error,
    _level_label,
    _people,
    _record_on_case,
    _require,
    _subject,
    _text,
    _visit_url,
    _when,
)

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
        # Kept once the move is allowed, so a refused visit leaves no signature behind.
        if signature is not None:
            VisitSignature.store(
                signature.content,
                visit=current,
                signer_name=(signer or (current.customer.name if current.customer else ""))[:50],
                signed_at=at,
                collected_by=actor,
            )
        extra = []
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
