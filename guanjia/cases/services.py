"""Writes of the case core: numbers, status transitions and dispatch.

Deadlines (set, met, cancelled), each case's stored next limit and the deadline sweep live in
``guanjia.cases.deadlines``; they are imported here, so ``guanjia.cases.services.sweep`` etc. keep working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_see_project
from guanjia.cases.deadlines import (  # noqa: F401  (re-exported: callers import them from this module)
    MAX_ATTEMPTS,
    SWEEP_BATCH,
    DeadlineHandlers,
    Handler,
    SweepResult,
    _handlers,
    deadline_cancel,
    deadline_meet,
    deadline_set,
    refresh_next_due,
    register_deadline_handler,
    sweep,
    unregister_deadline_handler,
)
from guanjia.cases.models import Case, CaseCounter, Department
from guanjia.core.errors import ConflictError
from guanjia.core.states import transition
from guanjia.timeline.services import record

C = TypeVar("C", bound=Case)


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


# --- Deadlines and the sweep: ``guanjia.cases.deadlines`` (imported here for the callers of this module) -------
