"""The stored next limit of a case (``Case.next_due_at``) is exactly the old per-case subquery, after any mix of
limits set, replaced, met (on time and late), cancelled, missed by the sweep, failed and given up."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Min, OuterRef, QuerySet, Subquery

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import (
    deadline_cancel,
    deadline_meet,
    deadline_set,
    register_deadline_handler,
    sweep,
)
from guanjia.cases.testapp.models import Ticket
from guanjia.cases.tests.helpers import NOW, make_ticket

MIN = timedelta(minutes=1)
KINDS = ("response", "escalate", "resolve", "next_reply")


def old_with_next_due(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The definition the boards used before the column was stored: a subquery per case (the oracle)."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    earliest = (
        Deadline.objects.filter(subject_type=content_type, subject_id=OuterRef("pk"), state=DeadlineState.PENDING)
        .values("subject_id")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    return queryset.annotate(old_next_due=Subquery(earliest))


def assert_stored_equals_old() -> None:
    rows = old_with_next_due(Ticket.objects.all())
    by_stored = rows.order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")
    by_old = rows.order_by(F("old_next_due").asc(nulls_last=True), "received_at", "id")
    stored = [(t.pk, t.next_due_at) for t in by_stored]
    old = [(t.pk, t.old_next_due) for t in by_old]  # type: ignore[attr-defined]
    assert stored == old
    assert any(due is not None for _pk, due in stored) and any(due is None for _pk, due in stored)


def test_stored_next_due_matches_the_old_subquery_on_generated_cases(world):
    rng = random.Random(20261206)
    failing: set[int] = set()

    def flaky(deadline, subject, now):
        if subject.pk in failing:
            raise RuntimeError("gateway down")

    def renews(deadline, subject, now):
        # a handler that sets the next limit of its case, inside the sweep's claim
        deadline_set(subject=subject, kind="next_reply", due_at=now + rng.randint(5, 90) * MIN, now=now)

    register_deadline_handler("cases_testapp.ticket", "response", on_missed=flaky)
    register_deadline_handler("cases_testapp.ticket", "escalate", on_missed=renews)
    tickets = [make_ticket(world, received_at=NOW - rng.randint(0, 600) * MIN) for _ in range(200)]
    failing.update(t.pk for t in rng.sample(tickets, 15))
    clock = NOW
    for _step in range(6):
        for ticket in tickets:
            action = rng.random()
            kind = rng.choice(KINDS)
            if action < 0.45:  # set or replace; some already past when entered (C11: created missed)
                due = clock + rng.randint(-30, 240) * MIN
                deadline_set(subject=ticket, kind=kind, due_at=due, now=clock, remind_before=10 * MIN)
            elif action < 0.65:  # met, on time or late
                deadline_meet(subject=ticket, kind=kind, at=clock + rng.randint(-60, 60) * MIN)
            elif action < 0.75:
                deadline_cancel(subject=ticket, kind=kind if rng.random() < 0.5 else None, at=clock)
        clock += rng.randint(20, 120) * MIN
        sweep(clock)
        assert_stored_equals_old()
    # the flaky ones are given up after the attempts run out: missed, not fired, and no longer next
    for i in range(6):
        sweep(clock + i * MIN)
    assert Deadline.objects.filter(state=DeadlineState.MISSED, fired=False, attempts__gte=5).exists()
    assert_stored_equals_old()


def test_a_case_object_reads_its_new_next_limit_after_a_change(world):
    ticket = make_ticket(world)
    deadline_set(subject=ticket, kind="response", due_at=NOW + 30 * MIN, now=NOW)
    assert ticket.next_due_at == NOW + 30 * MIN
    deadline_meet(subject=ticket, kind="response", at=NOW + MIN)
    assert ticket.next_due_at is None
    ticket.description = "修好了"
    ticket.save()  # a stale in-memory value is never written back over the stored one
    deadline_set(subject=ticket, kind="resolve", due_at=NOW + 60 * MIN, now=NOW)
    ticket.save()
    assert Ticket.objects.get(pk=ticket.pk).next_due_at == NOW + 60 * MIN
