"""Tracked time limits: setting, meeting and cancelling them, each case's stored next limit, and the sweep.

Every change of a limit's state goes through this module, and each one refreshes the stored ``next_due_at`` of
its case (``refresh_next_due``) in the same transaction, so boards sort on an indexed column instead of a
subquery per case.

The sweep (``sweep``) claims due deadlines with a conditional UPDATE (``state`` still ``pending``) and runs the
action registered for each in the SAME transaction as the claim:

- two workers sweeping at once cannot both claim a row: on PostgreSQL the rows are locked with ``skip_locked``
  (the second worker moves on without waiting) and the UPDATE matches only rows still pending; on SQLite writers
  are serialised (IMMEDIATE transactions) and the second sees the rows already claimed;
- a handler that raises rolls the claim back with everything it wrote, so a deadline is never marked fired
  without its action; it is retried at the next sweep, and after ``MAX_ATTEMPTS`` failures it is recorded as
  missed with ``fired=False`` and the error, so one bad row cannot loop for ever;
- messages leave only after the commit (``guanjia.notifications.services.notify`` uses on_commit).

Deadlines are fired in batches of ``SWEEP_CHUNK``: one transaction claims the batch (one locking SELECT, one
UPDATE), loads the subjects per model, writes the timeline events in one INSERT and refreshes the cases'
``next_due_at`` in one UPDATE per model; a handler registered with a batch form (``on_missed_many``, as the
complaints and repairs apps do) then runs once for all its deadlines of the batch, the others per deadline.
If any handler of the batch raises,
the whole batch transaction rolls back and the batch is fired again one deadline per transaction, so the failure
rolls back only that deadline's claim — the same outcome, deadline by deadline, as without batching.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Min, OuterRef, Q, Subquery

from guanjia.cases.models import Case, Deadline, DeadlineState
from guanjia.timeline.services import Entry, record, record_many

logger = logging.getLogger(__name__)

#: Failed attempts after which a deadline's action is given up (recorded missed, not fired, with the error).
MAX_ATTEMPTS = 5
#: Deadlines claimed per sweep call; the next call takes the rest.
SWEEP_BATCH = 500
#: Deadlines fired per transaction within a sweep call.
SWEEP_CHUNK = 100


# --- The stored next limit of a case ---------------------------------------------------------------------


def _case_model(subject_type_id: int) -> type[Case] | None:
    model = ContentType.objects.get_for_id(subject_type_id).model_class()
    return model if model is not None and issubclass(model, Case) else None


def refresh_next_due(subject_type_id: int, subject_ids: Iterable[int]) -> None:
    """Store on each case its earliest pending limit (``Case.next_due_at``; None when it has none): one UPDATE.
    A no-op for subjects that are not cases (a return visit, a parcel). Call it in the transaction that changed
    the limits; every writer of ``Deadline.state`` or ``due_at`` in this module does."""
    ids = sorted(set(subject_ids))
    model = _case_model(subject_type_id) if ids else None
    if model is None:
        return
    earliest = (
        Deadline.objects.filter(subject_type_id=subject_type_id, subject_id=OuterRef("pk"), state=DeadlineState.PENDING)
        .order_by()
        .values("subject_id")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    model._base_manager.filter(pk__in=ids).update(next_due_at=Subquery(earliest))


def _refresh_subject(subject: models.Model) -> None:
    refresh_next_due(ContentType.objects.get_for_model(subject).pk, [subject.pk])
    if isinstance(subject, Case):
        # Deferred on the instance: read again from the row if asked, and never written back stale by save().
        subject.__dict__.pop("next_due_at", None)


def _lower_next_due(subject: models.Model, due_at: datetime) -> None:
    """A pending limit added and none taken away: the case's next limit is the earlier of the two (one UPDATE
    without a subquery; the object keeps the new value, so a just registered case answers it unread)."""
    if not isinstance(subject, Case):
        return
    earlier = Q(next_due_at__isnull=True) | Q(next_due_at__gt=due_at)
    type(subject)._base_manager.filter(earlier, pk=subject.pk).update(next_due_at=due_at)
    if "next_due_at" in subject.__dict__ and (subject.next_due_at is None or subject.next_due_at > due_at):
        subject.next_due_at = due_at


# --- Deadlines ------------------------------------------------------------------------------------------------


def _subject_filter(subject: models.Model) -> dict[str, Any]:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


def deadline_row(
    *,
    project: Any,
    subject_type: ContentType,
    subject_id: int,
    kind: str,
    due_at: datetime,
    now: datetime,
    remind_before: timedelta | None = None,
    data: dict[str, Any] | None = None,
) -> Deadline:
    """The ``kind`` limit of a subject, due at ``due_at`` and set at ``now``, not saved yet: pending (reminded
    ``remind_before`` its due time), or — already past at ``now`` (a case entered after the fact, C11) — missed
    and not fired: it shows as missed and no automatic action runs for it. ``deadline_set`` saves one;
    ``cases.intake.case_register`` writes a new case's first limits in one INSERT."""
    past = due_at <= now
    return Deadline(
        project=project,
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        due_at=due_at,
        remind_at=(due_at - remind_before) if remind_before and not past else None,
        state=DeadlineState.MISSED if past else DeadlineState.PENDING,
        missed_at=now if past else None,
        fired=False,
        created_at=now,
        data=dict(data or {}),
    )


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
        if old:
            Deadline.objects.filter(pk__in=[d.pk for d in old], state=DeadlineState.PENDING).update(
                state=DeadlineState.CANCELLED, cancelled_at=now
            )
        deadline = deadline_row(
            project=project,
            **_subject_filter(subject),
            kind=kind,
            due_at=due_at,
            now=now,
            remind_before=remind_before,
            data=data,
        )
        deadline.save(force_insert=True)
        for replaced in old:
            replaced.data = {**replaced.data, "replaced_by": deadline.pk}
            replaced.save(update_fields=["data"])
        if old:
            _refresh_subject(subject)
        elif deadline.state == DeadlineState.PENDING:
            _lower_next_due(subject, due_at)
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
        was_pending = deadline.state == DeadlineState.PENDING
        if rows.filter(pk=deadline.pk, state=deadline.state, met_at__isnull=True).update(**changes) != 1:
            return None  # settled by someone else meanwhile (the row is locked, so only outside a transaction)
        if was_pending:
            _refresh_subject(subject)
        for name, value in changes.items():
            setattr(deadline, name, value)
        return deadline


def deadline_cancel(*, subject: models.Model, kind: str | None = None, at: datetime) -> int:
    """Cancel the pending limits of ``subject`` (of one ``kind``, or all): e.g. a case withdrawn or closed.
    Returns how many were cancelled."""
    rows = Deadline.objects.filter(**_subject_filter(subject), state=DeadlineState.PENDING)
    if kind is not None:
        rows = rows.filter(kind=kind)
    with transaction.atomic():
        cancelled = rows.update(state=DeadlineState.CANCELLED, cancelled_at=at)
        if cancelled:
            _refresh_subject(subject)
    return cancelled


# --- The sweep -----------------------------------------------------------------------------------------------

#: on_missed(deadline, subject, now) / on_remind(deadline, subject, now); run inside the claim's transaction.
Handler = Callable[[Deadline, Any, datetime], None]
#: on_missed_many(fired, now) / on_remind_many(fired, now), ``fired`` a list of (deadline, subject): what the
#: per-deadline handler does for each, done for a sweep batch at once (one locking read, one bulk write…).
BatchHandler = Callable[[list[tuple[Deadline, Any]], datetime], None]


def batch_of_one(many: BatchHandler) -> Handler:
    """The per-deadline handler of a batch handler (a deadline fired alone, the sweep's retry path): a batch of
    one, named after it without its ``_many``."""

    def handler(deadline: Deadline, subject: Any, now: datetime) -> None:
        many([(deadline, subject)], now)

    handler.__name__ = many.__name__.removesuffix("_many")
    return handler


@dataclass(frozen=True)
class DeadlineHandlers:
    on_missed: Handler | None = None
    on_remind: Handler | None = None
    on_missed_many: BatchHandler | None = None
    on_remind_many: BatchHandler | None = None


_handlers: dict[tuple[str, str], DeadlineHandlers] = {}


def register_deadline_handler(
    model_label: str,
    kind: str,
    *,
    on_missed: Handler | None = None,
    on_remind: Handler | None = None,
    on_missed_many: BatchHandler | None = None,
    on_remind_many: BatchHandler | None = None,
) -> None:
    """Register what happens when a ``kind`` limit of a ``model_label`` ("complaints.complaint") subject
    is missed or reaches its reminder time. Call it from ``AppConfig.ready()``; registering again replaces.

    ``on_missed_many`` / ``on_remind_many`` (optional) do the same for many deadlines of a sweep batch at once;
    a batch uses them when given, a deadline fired alone (the retry path) uses the per-deadline handler."""
    _handlers[(model_label.lower(), kind)] = DeadlineHandlers(on_missed, on_remind, on_missed_many, on_remind_many)


def unregister_deadline_handler(model_label: str, kind: str) -> None:
    _handlers.pop((model_label.lower(), kind), None)


def _handlers_of(deadline: Deadline) -> DeadlineHandlers:
    label = ContentType.objects.get_for_id(deadline.subject_type_id).model_class()._meta.label_lower  # type: ignore[union-attr]
    return _handlers.get((label, deadline.kind), DeadlineHandlers())


def _handler_for(deadline: Deadline, *, missed: bool) -> Handler | None:
    handlers = _handlers_of(deadline)
    return handlers.on_missed if missed else handlers.on_remind


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
    _fire_all(list(due.values_list("pk", flat=True)[:SWEEP_BATCH]), now, result, missed=True)
    reminders = Deadline.objects.filter(
        state=DeadlineState.PENDING, remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now
    ).order_by("remind_at", "id")
    _fire_all(list(reminders.values_list("pk", flat=True)[:SWEEP_BATCH]), now, result, missed=False)
    return result


class _HandlerFailed(Exception):
    """A handler of a batch raised: the batch rolls back and is fired again one deadline at a time."""


def _fire_all(pks: list[int], now: datetime, result: SweepResult, *, missed: bool) -> None:
    done = result.missed if missed else result.reminded
    for start in range(0, len(pks), SWEEP_CHUNK):
        chunk = pks[start : start + SWEEP_CHUNK]
        try:
            done.extend(_fire_batch(chunk, now, missed=missed))
        except _HandlerFailed:
            for pk in chunk:
                _fire(pk, now, result, missed=missed)


def _open_rows(pks: list[int], *, missed: bool) -> models.QuerySet[Deadline]:
    rows = Deadline.objects.filter(pk__in=pks, state=DeadlineState.PENDING)
    return rows if missed else rows.filter(reminded_at__isnull=True)


def _claim_update(rows: models.QuerySet[Deadline], now: datetime, *, missed: bool) -> int:
    if missed:
        return rows.update(state=DeadlineState.MISSED, missed_at=now, fired=True)
    return rows.update(reminded_at=now)


def _fire_batch(pks: list[int], now: datetime, *, missed: bool) -> list[int]:
    """Claim and fire ``pks`` in one transaction; returns the pks this worker fired (those another worker holds
    or already fired are left alone). Raises ``_HandlerFailed`` (after rolling everything back) when a handler
    raises or the claim cannot be trusted row by row."""
    with transaction.atomic():
        # PostgreSQL: skip rows another worker is acting on now instead of queueing behind them.
        locked = list(
            _open_rows(pks, missed=missed)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("project")
            .order_by("due_at" if missed else "remind_at", "id")
        )
        if not locked:
            return []
        claimed_pks = [d.pk for d in locked]
        if _claim_update(_open_rows(claimed_pks, missed=missed), now, missed=missed) != len(locked):
            raise _HandlerFailed("the batch changed under the claim")
        for deadline in locked:
            if missed:
                deadline.state, deadline.missed_at, deadline.fired = DeadlineState.MISSED, now, True
            else:
                deadline.reminded_at = now
        subjects = _subjects_of(locked)
        verb = "deadline.missed" if missed else "deadline.reminded"
        fired = [(d, subjects.get((d.subject_type_id, d.subject_id))) for d in locked]
        record_many([_event(d, subject, verb, now) for d, subject in fired if subject is not None])
        if missed:
            by_type: dict[int, list[int]] = defaultdict(list)
            for deadline in locked:
                by_type[deadline.subject_type_id].append(deadline.subject_id)
            for subject_type_id, ids in by_type.items():
                refresh_next_due(subject_type_id, ids)
        _run_handlers([(d, subject) for d, subject in fired if subject is not None], now, missed=missed)
    return claimed_pks


def _run_handlers(fired: list[tuple[Deadline, Any]], now: datetime, *, missed: bool) -> None:
    """The handlers of a batch: a batch handler once for all its deadlines (in the order of the first of
    them), the per-deadline handler for each of the others."""
    groups: dict[Any, list[tuple[Deadline, Any]]] = {}
    for deadline, subject in fired:
        handlers = _handlers_of(deadline)
        many = handlers.on_missed_many if missed else handlers.on_remind_many
        one = handlers.on_missed if missed else handlers.on_remind
        if many is not None:
            groups.setdefault(many, []).append((deadline, subject))
        elif one is not None:
            groups.setdefault((one, deadline.pk), []).append((deadline, subject))
    for key, items in groups.items():
        try:
            if isinstance(key, tuple):
                key[0](items[0][0], items[0][1], now)
            else:
                key(items, now)
        except Exception as exc:
            raise _HandlerFailed(f"deadlines {[d.pk for d, _s in items]}") from exc


def _subjects_of(deadlines: list[Deadline]) -> dict[tuple[int, int], Any]:
    """The subjects of ``deadlines``, one query per model: {(subject_type_id, subject_id): subject}."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for deadline in deadlines:
        wanted[deadline.subject_type_id].add(deadline.subject_id)
    found: dict[tuple[int, int], Any] = {}
    for subject_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(subject_type_id).model_class()
        if model is None:
            continue
        for pk, subject in model._base_manager.in_bulk(sorted(ids)).items():
            found[(subject_type_id, pk)] = subject
    return found


def _event(deadline: Deadline, subject: Any, verb: str, now: datetime) -> Entry:
    data = {"kind": deadline.kind, "due_at": deadline.due_at.isoformat(), "deadline": deadline.pk}
    return Entry(subject=subject, verb=verb, actor=None, project=deadline.project, data=data, at=now)


def _fire(pk: int, now: datetime, result: SweepResult, *, missed: bool) -> None:
    """One deadline in its own transaction: the path of a batch in which a handler failed."""
    try:
        with transaction.atomic():
            if not _claim(pk, now, missed=missed):
                return  # another worker has it (or had it): exactly once
            deadline = Deadline.objects.select_related("project").get(pk=pk)
            subject = deadline.subject
            handler = _handler_for(deadline, missed=missed)
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
    open_rows = _open_rows([pk], missed=missed)
    # PostgreSQL: skip a row another worker is acting on now instead of queueing behind it.
    if not open_rows.select_for_update(skip_locked=True).exists():
        return False
    if _claim_update(open_rows, now, missed=missed) != 1:
        return False
    if missed:
        _refresh_pk(pk)
    return True


def _refresh_pk(pk: int) -> None:
    subject_type_id, subject_id = Deadline.objects.values_list("subject_type_id", "subject_id").get(pk=pk)
    refresh_next_due(subject_type_id, [subject_id])


def _note_failure(pk: int, now: datetime, exc: Exception, *, missed: bool) -> None:
    with transaction.atomic():
        Deadline.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        if missed:
            # Give up on an action that keeps failing: the limit shows as missed, with the error, not fired.
            given_up = Deadline.objects.filter(pk=pk, state=DeadlineState.PENDING, attempts__gte=MAX_ATTEMPTS)
            if given_up.update(state=DeadlineState.MISSED, missed_at=now, fired=False):
                _refresh_pk(pk)
        else:
            Deadline.objects.filter(pk=pk, reminded_at__isnull=True, attempts__gte=MAX_ATTEMPTS).update(reminded_at=now)
