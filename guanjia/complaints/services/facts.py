"""A complaint's facts, grade, nature and incident (C04–C12): every change regrades with the one calculator;
only a supervisor lowers a grade or decides a missed limit's proposal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_handle_complaint,
    can_register_complaint,
    can_supervise_complaint,
)
from guanjia.accounts.models import Role
from guanjia.cases.models import DeadlineState
from guanjia.cases.services import (
    deadline_cancel,
)
from guanjia.complaints.grading import Grade, rank, step_up
from guanjia.complaints.models import (
    Complaint,
    Incident,
    Nature,
)
from guanjia.complaints.proposals import ACCEPTED, DISMISSED, PROPOSAL_KINDS, open_proposals
from guanjia.complaints.services._common import (
    EDITABLE,
    GRADE_FACTS,
    _check_version,
    _choice,
    _clean_fact,
    _error,
    _json,
    _limits,
    _locked,
    _now,
    _past_time,
    _people,
    _regrade,
    _require,
    _save,
    _set_resolve,
    _text,
    _url,
)
from guanjia.core import clean
from guanjia.core.errors import TransitionError
from guanjia.estates.models import Building, Project
from guanjia.notifications.services import notify
from guanjia.timeline.services import record

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
