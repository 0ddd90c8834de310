"""The sweep fires due deadlines in batches: its queries do not grow with the number of deadlines it fires (the
handlers' own queries aside, a fixed number per deadline), issue 14 (≥ 300 deadlines/s)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_set, register_deadline_handler, sweep
from guanjia.cases.tests.helpers import NOW, make_ticket
from guanjia.timeline.models import Event

MIN = timedelta(minutes=1)
#: A sweep call firing one batch of missed limits without handlers: the due ids, the locking read, the claim,
#: the subjects, the timeline events, the cases' next limits, then the (empty) reminder ids; and the batch's
#: transaction (a savepoint and its release here, inside the test's transaction).
SWEEP_QUERIES = 9


def due_tickets(world, n: int, at) -> list:
    tickets = [make_ticket(world) for _ in range(n)]
    for ticket in tickets:
        deadline_set(subject=ticket, kind="response", due_at=at, now=NOW)
        deadline_set(subject=ticket, kind="resolve", due_at=at + 600 * MIN, now=NOW)
    return tickets


def fire(at) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = sweep(at)
    return len(captured.captured_queries), result


def test_sweep_queries_do_not_grow_with_the_deadlines_it_fires(world):
    small = due_tickets(world, 5, NOW + MIN)
    large = due_tickets(world, 50, NOW + 3 * MIN)

    n_small, fired_small = fire(NOW + 2 * MIN)
    n_large, fired_large = fire(NOW + 4 * MIN)

    assert (len(fired_small.missed), len(fired_large.missed)) == (5, 50)
    assert n_small == n_large == SWEEP_QUERIES
    # each fired once, recorded once, and its case's next limit is now the later one
    assert Event.objects.filter(verb="deadline.missed").count() == 55
    assert Deadline.objects.filter(state=DeadlineState.MISSED, fired=True).count() == 55
    for ticket in small + large:
        ticket.refresh_from_db()
        assert ticket.next_due_at is not None and ticket.next_due_at > NOW + 500 * MIN


def test_handlers_add_only_their_own_queries(world):
    def handler(deadline, subject, now):
        Deadline.objects.filter(pk=deadline.pk).exists()  # one query of its own per deadline

    register_deadline_handler("cases_testapp.ticket", "response", on_missed=handler)
    due_tickets(world, 5, NOW + MIN)
    due_tickets(world, 50, NOW + 3 * MIN)

    n_small, _ = fire(NOW + 2 * MIN)
    n_large, _ = fire(NOW + 4 * MIN)

    assert (n_small, n_large) == (SWEEP_QUERIES + 5, SWEEP_QUERIES + 50)


def test_a_failing_handler_in_a_batch_rolls_back_only_its_own_deadline(world):
    tickets = due_tickets(world, 10, NOW + MIN)
    bad = tickets[3]

    def handler(deadline, subject, now):
        Event.objects.create(subject_type_id=deadline.subject_type_id, subject_id=subject.pk, verb="test.handled")
        if subject.pk == bad.pk:
            raise RuntimeError("gateway down")

    register_deadline_handler("cases_testapp.ticket", "response", on_missed=handler)
    result = sweep(NOW + 2 * MIN)

    bad_deadline = Deadline.objects.get(subject_id=bad.pk, kind="response")
    assert result.failed == [bad_deadline.pk] and len(result.missed) == 9
    assert (bad_deadline.state, bad_deadline.attempts) == (DeadlineState.PENDING, 1)
    assert Event.objects.filter(verb="test.handled").count() == 9
    assert not Event.objects.filter(verb__in=["test.handled", "deadline.missed"], subject_id=bad.pk).exists()
    assert Event.objects.filter(verb="deadline.missed").count() == 9
    bad.refresh_from_db()
    assert bad.next_due_at == NOW + MIN  # still pending: still its next limit
