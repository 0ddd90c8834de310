"""T03: each call recorded; what the customer raised handled, or reported to the supervisor within 2 days, and
answered the day a solution is found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.cases.services import deadline_cancel, deadline_meet, deadline_set
from guanjia.core import clean
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.core.states import can_transition, transition
from guanjia.followup.limits import limits_for
from guanjia.followup.models import (
    CallOutcome,
    CallPurpose,
    CallStatus,
    FollowUpCall,
    FollowUpPlan,
    Issue,
    IssueKind,
    IssueStatus,
    PlanStatus,
)
from guanjia.followup.services._common import (
    SupervisorsOf,
    end_of,
    require_follow_up,
    required_text,
    supervisors,
    today,
    within_days,
)
from guanjia.notifications.services import Notice, notify_many
from guanjia.timeline.services import Entry, record, record_many

ESCALATE_KIND = "escalate"
ANSWER_KIND = "answer"
LETTER_KIND = "letter"


def call_record(
    *,
    call: FollowUpCall,
    actor: User,
    version: int,
    outcome: str,
    notes: str = "",
    raised: str = "",
    raised_kind: str = IssueKind.REQUEST,
    answer: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> FollowUpCall:
    """Record one call (跟踪服务电话记录). Reached: the call is done, with its notes; what the customer raised
    becomes an ``Issue`` — answered on the call when ``answer`` is given, otherwise open with its 2-day limit.
    An invitation that reached the customer gets its letter limit (T04). Not reached: the attempt is recorded
    and the call stays open."""
    require_follow_up(actor, call.project_id)
    now = now or timezone.now()
    at = clean.past_time(at, now=now, field="at")
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": [_("请选择通话结果")]})
    notes, raised, answer = (notes or "").strip(), (raised or "").strip(), (answer or "").strip()
    if raised_kind not in IssueKind.values:
        raise ValidationError({"raised_kind": [_("请选择事项类别")]})
    reached = outcome == CallOutcome.REACHED
    if reached and not notes:
        raise ValidationError({"notes": [_("请记录谈话要点")]})
    if raised and not reached:
        raise ValidationError({"raised": [_("未与客户通话，不能登记客户提出的事项")]})
    if call.status != CallStatus.PENDING:
        raise TransitionError(_("这通电话已经记录过了"))
    with transaction.atomic():
        current = FollowUpCall._default_manager.select_for_update().get(pk=call.pk)
        if current.version != version:
            raise ConflictError(_("记录已被他人修改，请刷新后再试。"))
        if current.status != CallStatus.PENDING:
            raise TransitionError(_("这通电话已经记录过了"))
        changes: dict[str, Any] = {"attempts": F("attempts") + 1, "last_outcome": outcome, "version": F("version") + 1}
        if reached:
            changes.update(status=CallStatus.DONE, called_at=at, recorded_by=actor, notes=notes, raised=raised)
            if current.purpose == CallPurpose.INVITATION:
                changes["letter_due_at"] = within_days(at, limits_for(current.project).letter_days)
        elif notes:
            changes["notes"] = notes
        FollowUpCall._default_manager.filter(pk=call.pk).update(**changes)
        call.refresh_from_db()
        record(
            subject=call,
            verb="followup.call_done" if reached else "followup.call_attempted",
            actor=actor,
            at=at,
            data={"outcome": outcome, "attempt": call.attempts, "notes": notes, "raised": raised},
        )
        if reached:
            deadline_meet(subject=call, kind="call", at=at)
            if call.letter_due_at is not None:
                deadline_set(subject=call, kind=LETTER_KIND, due_at=call.letter_due_at, now=now)
            if raised:
                _issue_open(call=call, kind=raised_kind, text=raised, answer=answer, actor=actor, at=at, now=now)
            if call.plan_id is not None:
                _plan_done_if_finished(call.plan_id, actor, now)
    return call


def _plan_done_if_finished(plan_id: int, actor: Any, now: datetime) -> None:
    if FollowUpCall._default_manager.filter(plan_id=plan_id, status=CallStatus.PENDING).exists():
        return
    if FollowUpPlan._default_manager.filter(pk=plan_id, status=PlanStatus.ACTIVE).update(status=PlanStatus.DONE) == 1:
        plan = FollowUpPlan._default_manager.get(pk=plan_id)
        record(subject=plan, verb="followup.plan_done", actor=actor, at=now)


def _issue_open(
    *, call: FollowUpCall, kind: str, text: str, answer: str, actor: User, at: datetime, now: datetime
) -> Issue:
    answered = bool(answer)
    issue = Issue._default_manager.create(
        project_id=call.project_id,
        customer_id=call.customer_id,
        call=call,
        kind=kind,
        text=text,
        owner=call.assignee,
        status=IssueStatus.ANSWERED if answered else IssueStatus.OPEN,
        raised_at=at,
        handle_due_at=within_days(at, limits_for(call.project).issue_escalate_days),
        solution=answer,
        solved_at=at if answered else None,
        answered_at=at if answered else None,
        answer=answer,
    )
    record(
        subject=issue,
        verb="followup.issue_raised",
        actor=actor,
        at=at,
        data={"kind": kind, "text": text, "answered_on_call": answered},
    )
    if not answered:
        deadline_set(subject=issue, kind=ESCALATE_KIND, due_at=issue.handle_due_at, now=now)
    return issue


def _issue_transition(
    *,
    issue: Issue,
    to: str,
    actor: Any,
    version: int | None,
    fields: dict[str, Any],
    data: dict[str, Any],
    at: datetime,
) -> Issue:
    """An issue's status change (``guanjia.core.states.transition``); ``version``, when given, is the one read."""
    return transition(
        issue,
        to,
        actor=actor,
        verb=f"followup.issue_{to}",
        record=record,
        fields=fields,
        data=data,
        at=at,
        version=version,
    )


def issue_escalate(*, issue: Issue, actor: User, version: int, note: str, now: datetime | None = None) -> Issue:
    """Report an issue still unresolved to the supervisor (T03: within 2 days); the supervisors are told."""
    require_follow_up(actor, issue.project_id)
    now = now or timezone.now()
    note = required_text(note, "note", _("请写明已做的研究和需要主管决定的事"), 1000)
    with transaction.atomic():
        issue = _issue_transition(
            issue=issue,
            to=IssueStatus.ESCALATED,
            actor=actor,
            version=version,
            fields={"escalated_at": now},
            data={"note": note},
            at=now,
        )
        deadline_meet(subject=issue, kind=ESCALATE_KIND, at=now)
        _tell_supervisors(issue, title=_("跟踪服务事项上报：%(text)s") % {"text": issue.text[:60]}, body=note)
    return issue


def issue_solve(
    *,
    issue: Issue,
    actor: User,
    version: int,
    solution: str,
    answered: bool = False,
    answer: str = "",
    now: datetime | None = None,
) -> Issue:
    """A solution is found: the customer must be answered the same day (``answer_due_at``, 24:00 today).
    ``answered`` records the answer at once (the usual case: the solution is phoned through right away)."""
    require_follow_up(actor, issue.project_id)
    now = now or timezone.now()
    solution = required_text(solution, "solution", _("请填写解决办法"), 2000)
    due = end_of(today(now))
    with transaction.atomic():
        issue = _issue_transition(
            issue=issue,
            to=IssueStatus.SOLVED,
            actor=actor,
            version=version,
            fields={"solution": solution, "solved_at": now, "answer_due_at": due},
            data={"solution": solution},
            at=now,
        )
        deadline_meet(subject=issue, kind=ESCALATE_KIND, at=now)
        deadline_set(subject=issue, kind=ANSWER_KIND, due_at=due, now=now)
        if answered:
            issue = issue_answer(issue=issue, actor=actor, version=issue.version, answer=answer or solution, now=now)
    return issue


def issue_answer(*, issue: Issue, actor: User, version: int, answer: str, now: datetime | None = None) -> Issue:
    """The customer was told the solution (T03: the day it was found); ``answered_at`` is recorded."""
    require_follow_up(actor, issue.project_id)
    now = now or timezone.now()
    answer = required_text(answer, "answer", _("请填写答复客户的内容"), 2000)
    if issue.status != IssueStatus.SOLVED:
        raise TransitionError(_("请先填写解决办法"))
    with transaction.atomic():
        issue = _issue_transition(
            issue=issue,
            to=IssueStatus.ANSWERED,
            actor=actor,
            version=version,
            fields={"answered_at": now, "answer": answer},
            data={"answer": answer},
            at=now,
        )
        deadline_meet(subject=issue, kind=ANSWER_KIND, at=now)
        deadline_cancel(subject=issue, at=now)
    return issue


def issue_escalate_missed(issue: Issue, now: datetime) -> None:
    """The sweep's action when 2 days passed with the issue neither solved nor reported: it is reported to the
    supervisor automatically, once (the deadline fires once; the notification is deduplicated)."""
    issues_escalate_missed([issue], now)


def issues_escalate_missed(issues: Sequence[Issue], now: datetime) -> None:
    """``issue_escalate_missed`` for a sweep batch, in a fixed number of queries: the open issues locked in one
    read and moved in one UPDATE, their events in one INSERT, the supervisors told through ``notify_many``
    (looked up once per project). The same status, fields, events and notices as one transition per issue; an
    issue no longer open on the locked row is left alone (as the sweep's retry of a refused transition would)."""
    wanted = [issue for issue in issues if issue.status == IssueStatus.OPEN]
    if not wanted:
        return
    to = IssueStatus.ESCALATED
    with transaction.atomic():
        rows = Issue.objects.select_for_update().filter(pk__in=sorted({i.pk for i in wanted})).order_by("pk")
        locked = {row.pk: row for row in rows.only("pk", "status", "version")}
        moving = [i for i in wanted if i.pk in locked and can_transition(locked[i.pk], to)]
        if not moving:
            return
        fields = {"escalated_at": now, "escalated_automatically": True}
        Issue.objects.filter(pk__in=[i.pk for i in moving]).update(status=to, version=F("version") + 1, **fields)
        prefetch_related_objects(moving, "project", "owner")
        entries = []
        for issue in moving:
            row = locked[issue.pk]
            data = {"from": row.status, "to": to, "automatic": True}
            issue.status, issue.version = to, row.version + 1
            issue.escalated_at, issue.escalated_automatically = now, True
            entries.append(Entry(subject=issue, verb=f"followup.issue_{to}", project=issue.project, data=data, at=now))
        record_many(entries)
        bosses = SupervisorsOf(issue.project for issue in moving)
        notify_many(
            [
                _supervisors_notice(
                    issue,
                    bosses(issue.project),
                    title=_("跟踪服务事项超过 2 天未解决：%(text)s") % {"text": issue.text[:60]},
                    body=_("负责人：%(who)s") % {"who": issue.owner.display_name},
                )
                for issue in moving
            ]
        )


def _tell_supervisors(issue: Issue, *, title: str, body: str = "") -> None:
    notify_many([_supervisors_notice(issue, supervisors(issue.project), title=title, body=body)])


def _supervisors_notice(issue: Issue, people: list[User], *, title: str, body: str = "") -> Notice:
    from guanjia.notifications.models import Level

    return Notice(
        recipients=people,
        kind="followup.issue_escalated",
        title=title,
        body=body,
        url=reverse("followup:issue", args=[issue.pk]),
        project=issue.project,
        level=Level.WARNING,
        dedupe_key=f"followup.issue_escalated:{issue.pk}",
    )
