"""Writes of the case core: numbers, status transitions, dispatch, deadlines and the deadline sweep.

The sweep (``sweep``) claims each due deadline with a conditional UPDATE (``state`` still ``pending``) and
runs the action registered for it in the SAME transaction as the claim:

- two workers sweeping at once cannot both claim a row: on PostgreSQL the second UPDATE waits for the
  first transaction and then matches no row (and ``skip_locked`` lets it move on without waiting); on
  SQLite writers are serialised (IMMEDIATE transactions) and the second sees the row already claimed;
- a handler that raises rolls the claim back with everything it wrote, so a deadline is never marked
  fired without its action; it is retried at the next sweep, and after ``MAX_ATTEMPTS`` failures it is
  recorded as missed with ``fired=False`` and the error, so one bad row cannot loop for ever;
- messages leave only after the commit (``guanjia.notifications.services.notify`` uses on_commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_see_project
from guanjia.cases.models import Case, CaseCounter, Deadline, DeadlineState, Department
from guanjia.core.errors import ConflictError
from guanjia.core.states import transition
from guanjia.timeline.services import record

logger = logging.getLogger(__name__)

C = TypeVar("C", bound=Case)

#: Failed attempts after which a deadline's action is given up (recorded missed, not fired, with the error).
MAX_ATTEMPTS = 5
#: Deadlines claimed per sweep call; the next call takes the rest.
SWEEP_BATCH = 500


# --- Numbers ---------------------------------------------------------------------------------------------


#: One statement, the same on SQLite (3.35+) and PostgreSQL; double-quoted identifiers are standard SQL.
_TAKE_NUMBER = (
    'INSERT INTO "cases_casecounter" ("prefix", "day", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("prefix", "day") DO UPDATE SET "last" = "cases_casecounter"."last" + 1 RETURNING "last"'
)
assert CaseCounter._meta.db_table == "cases_casecounter"


def case_number_next(*, prefix: str, at: datetime) -> str:
    """The next case number for ``prefix`` on the local (Beijing) day of ``at``: "TS2611220001".

    Numbers are unique across the installation (the sequence is per prefix and day, not per project), so
    a number alone identifies a case on the phone or in an export. One statement takes it (INSERT … ON
    CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike), so concurrent callers never get the
    same number: the day's counter row is locked only by that statement.

    Take the number BEFORE opening the registration's transaction (``guanjia.cases.intake.case_number_take``):
    outside a transaction the statement commits at once and no registration waits for another's commit.
    The price: a registration that fails or rolls back after taking its number loses it, so a day's numbers
    may have gaps. Called inside a transaction, the row stays locked until it ends and a rollback gives the
    number back.
    """
    day = timezone.localdate(at)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_NUMBER, [prefix, connection.ops.adapt_datefield_value(day)])
        (number,) = cursor.fetchone()
    return f"{prefix}{day:%y%m%d}{number:04d}"


# --- Status and dispatch -----------------------------------------------------------------------------------


def case_transition(
    *,
    case: C,
    to: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    fields: dict[str, Any] | None = None,
) -> C:
    """Move ``case`` to status ``to``, writing ``fields`` (e.g. ``completed_at``) with it, and record
    ``<case_type>.<to>`` on its timeline, all in one transaction (``guanjia.core.states.transition``).

    Raises ``TransitionError`` when the subclass's ``ALLOWED_TRANSITIONS`` does not allow the move, and
    ``ConflictError`` when the case changed since ``case`` was read (its ``version``). On success ``case``
    holds the new status, fields and version.
    """
    transition(
        case,
        to,
        actor=actor,
        verb=f"{type(case).CASE_TYPE}.{to}",
        record=record,
        fields=fields,
        data=data,
        reason=reason,
        at=at or timezone.now(),
        version=case.version,
    )
    return case


def case_dispatch(
    *, case: C, department: str, actor: Any, assignee: Any | None = None, at: datetime | None = None
) -> C:
    """Hand ``case`` to ``department`` (and, optionally, a person there); recorded as ``<case_type>.dispatched``.

    The status is the subclass's business: call ``case_transition`` in the same transaction if dispatching
    also moves the case on.
    """
    if department not in Department.values:
        raise ValidationError({"department": [_("请选择有效的责任部门")]})
    if assignee is not None and not (assignee.is_active and can_see_project(assignee, case.project_id)):
        raise ValidationError({"assignee": [_("处理人不属于本项目")]})
    model = type(case)
    at = at or timezone.now()
    with transaction.atomic():
        updated = model._default_manager.filter(pk=case.pk, version=case.version).update(
            department=department, assignee=assignee, dispatched_at=at, version=F("version") + 1
        )
        if updated != 1:
            raise ConflictError(_("案件已被他人修改，请刷新后再试。"))
        data = {"department": department, "assignee": getattr(assignee, "pk", None)}
        record(subject=case, verb=f"{model.CASE_TYPE}.dispatched", actor=actor, data=data, at=at)
    case.department, case.assignee, case.dispatched_at = department, assignee, at
    case.version += 1
    return case


# --- Deadlines ------------------------------------------------------------------------------------------------


def _subject_filter(subject: models.Model) -> dict[str, Any]:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


def deadline_set(
    *,
    subject: models.Model,
    kind: str,
    due_at: datetime,
    now: datetime,
    remind_before: timedelta | None = None,
    data: dict[str, Any] | None = None,
) -> Deadline:
    """Set (or replace) the ``kind`` limit of ``subject``. A pending limit of that kind is kept as
    ``cancelled`` with a pointer to its replacement.

    A limit already past at ``now`` (a case entered after the fact, C11) is created missed, not fired:
    it shows as missed and no automatic action runs for it.
    """
    project = getattr(subject, "project", None)
    if project is None:
        raise ValueError("a deadline's subject must belong to a project")
    with transaction.atomic():
        old = list(
            Deadline.objects.select_for_update().filter(
                **_subject_filter(subject), kind=kind, state=DeadlineState.PENDING
            )
        )
        Deadline.objects.filter(pk__in=[d.pk for d in old], state=DeadlineState.PENDING).update(
            state=DeadlineState.CANCELLED, cancelled_at=now
        )
        past = due_at <= now
        deadline = Deadline.objects.create(
            project=project,
            **_subject_filter(subject),
            kind=kind,
            due_at=due_at,
            remind_at=(due_at - remind_before) if remind_before and not past else None,
            state=DeadlineState.MISSED if past else DeadlineState.PENDING,
            missed_at=now if past else None,
            fired=False,
            created_at=now,
            data=data or {},
        )
        for replaced in old:
            replaced.data = {**replaced.data, "replaced_by": deadline.pk}
            replaced.save(update_fields=["data"])
    return deadline


def deadline_meet(*, subject: models.Model, kind: str, at: datetime) -> Deadline | None:
    """Record that the ``kind`` limit of ``subject`` was kept at ``at`` — the one place a limit is settled.

    A limit is judged by the recorded time of its step (C11, S01, S05), never by when the step was typed in:

    - ``at <= due_at``: state ``met`` with ``met_at = at``, even when the limit had already been recorded
      missed — created missed because the case was entered after the fact, or missed by the sweep before the
      paper form reached the desk. What the sweep already did (``fired``) stays recorded.
    - ``at > due_at``: state ``missed`` with ``met_at`` and ``late=True`` (a pending limit the sweep has not
      reached yet runs no missed action: ``fired`` stays False; the thing is done now).

    Returns the deadline, or None when the subject has no open (pending, or missed and not yet kept) limit of
    that kind.
    """
    with transaction.atomic():
        rows = Deadline.objects.select_for_update().filter(**_subject_filter(subject), kind=kind)
        deadline = rows.filter(state=DeadlineState.PENDING).first()
        if deadline is None:
            deadline = rows.filter(state=DeadlineState.MISSED, met_at__isnull=True).order_by("-due_at", "-id").first()
        if deadline is None:
            return None
        if at <= deadline.due_at:
            changes: dict[str, Any] = {"state": DeadlineState.MET, "met_at": at, "late": False}
        elif deadline.state == DeadlineState.PENDING:
            changes = {"state": DeadlineState.MISSED, "met_at": at, "late": True, "missed_at": at}
        else:
            changes = {"met_at": at, "late": True}
        if rows.filter(pk=deadline.pk, state=deadline.state, met_at__isnull=True).update(**changes) != 1:
            return None  # settled by someone else meanwhile (the row is locked, so only outside a transaction)
        for name, value in changes.items():
            setattr(deadline, name, value)
        return deadline


def deadline_cancel(*, subject: models.Model, kind: str | None = None, at: datetime) -> int:
    """Cancel the pending limits of ``subject`` (of one ``kind``, or all): e.g. a case withdrawn or closed.
    Returns how many were cancelled."""
    rows = Deadline.objects.filter(**_subject_filter(subject), state=DeadlineState.PENDING)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.update(state=DeadlineState.CANCELLED, cancelled_at=at)


# --- The sweep -----------------------------------------------------------------------------------------------

#: on_missed(deadline, subject, now) / on_remind(deadline, subject, now); run inside the claim's transaction.
Handler = Callable[[Deadline, Any, datetime], None]


@dataclass(frozen=True)
class DeadlineHandlers:
    on_missed: Handler | None = None
    on_remind: Handler | None = None


_handlers: dict[tuple[str, str], DeadlineHandlers] = {}


def register_deadline_handler(
    model_label: str, kind: str, *, on_missed: Handler | None = None, on_remind: Handler | None = None
) -> None:
    """Register what happens when a ``kind`` limit of a ``model_label`` ("complaints.complaint") subject
    is missed or reaches its reminder time. Call it from ``AppConfig.ready()``; registering again replaces."""
    _handlers[(model_label.lower(), kind)] = DeadlineHandlers(on_missed=on_missed, on_remind=on_remind)


def unregister_deadline_handler(model_label: str, kind: str) -> None:
    _handlers.pop((model_label.lower(), kind), None)


def _handlers_for(deadline: Deadline) -> DeadlineHandlers:
    label = ContentType.objects.get_for_id(deadline.subject_type_id).model_class()._meta.label_lower  # type: ignore[union-attr]
    return _handlers.get((label, deadline.kind), DeadlineHandlers())


@dataclass
class SweepResult:
    missed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"missed": len(self.missed), "reminded": len(self.reminded), "failed": len(self.failed)}


def sweep(now: datetime) -> SweepResult:
    """Fire every due deadline's missed action and every due reminder, each exactly once across workers."""
    result = SweepResult()
    due = Deadline.objects.filter(state=DeadlineState.PENDING, due_at__lte=now).order_by("due_at", "id")
    for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]):
        _fire(pk, now, result, missed=True)
    reminders = Deadline.objects.filter(
        state=DeadlineState.PENDING, remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now
    ).order_by("remind_at", "id")
    for pk in list(reminders.values_list("pk", flat=True)[:SWEEP_BATCH]):
        _fire(pk, now, result, missed=False)
    return result


def _fire(pk: int, now: datetime, result: SweepResult, *, missed: bool) -> None:
    try:
        with transaction.atomic():
            if not _claim(pk, now, missed=missed):
                return  # another worker has it (or had it): exactly once
            deadline = Deadline.objects.select_related("project").get(pk=pk)
            subject = deadline.subject
            handlers = _handlers_for(deadline)
            handler = handlers.on_missed if missed else handlers.on_remind
            if subject is not None:
                verb = "deadline.missed" if missed else "deadline.reminded"
                data = {"kind": deadline.kind, "due_at": deadline.due_at.isoformat(), "deadline": deadline.pk}
                record(subject=subject, verb=verb, actor=None, project=deadline.project, data=data, at=now)
                if handler is not None:
                    handler(deadline, subject, now)
    except Exception as exc:
        logger.exception("deadline %s: %s action failed; it will be retried", pk, "missed" if missed else "remind")
        result.failed.append(pk)
        _note_failure(pk, now, exc, missed=missed)
        return
    (result.missed if missed else result.reminded).append(pk)


def _claim(pk: int, now: datetime, *, missed: bool) -> bool:
    """Take ``pk`` for this worker: True only for the one worker whose conditional UPDATE changed it.
    The row stays locked until the caller's transaction ends."""
    open_rows = Deadline.objects.filter(pk=pk, state=DeadlineState.PENDING)
    if not missed:
        open_rows = open_rows.filter(reminded_at__isnull=True)
    # PostgreSQL: skip a row another worker is acting on now instead of queueing behind it.
    if not open_rows.select_for_update(skip_locked=True).exists():
        return False
    if missed:
        return open_rows.update(state=DeadlineState.MISSED, missed_at=now, fired=True) == 1
    return open_rows.update(reminded_at=now) == 1


def _note_failure(pk: int, now: datetime, exc: Exception, *, missed: bool) -> None:
    with transaction.atomic():
        Deadline.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        if missed:
            # Give up on an action that keeps failing: the limit shows as missed, with the error, not fired.
            Deadline.objects.filter(pk=pk, state=DeadlineState.PENDING, attempts__gte=MAX_ATTEMPTS).update(
                state=DeadlineState.MISSED, missed_at=now, fired=False
            )
        else:
            Deadline.objects.filter(pk=pk, reminded_at__isnull=True, attempts__gte=MAX_ATTEMPTS).update(reminded_at=now)
