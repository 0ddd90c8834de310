"""cases.kinds: the limit rules give the same answer per row (EXISTS) and for a set of cases at once (LimitFacts),
for every combination of limits a case can have."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from guanjia.cases.kinds import MISSED, LimitFacts, limits_kept, limits_q, per_row
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.testapp.models import Ticket
from guanjia.cases.tests.helpers import make_ticket

#: The limits a ticket may hold of one kind: (state, minutes met after the due time or None when not met).
FATES = {
    "met on time": (DeadlineState.MET, -1),
    "met at the due time": (DeadlineState.MET, 0),
    "met late": (DeadlineState.MISSED, 5),
    "recorded met, after the due time": (DeadlineState.MET, 5),
    "missed": (DeadlineState.MISSED, None),
    "pending": (DeadlineState.PENDING, None),
    "replaced, met on time": (DeadlineState.CANCELLED, -1),
    "replaced, missed": (DeadlineState.CANCELLED, None),
}


def _tickets(world):
    """One ticket per pair of fates (for its "response" limits), plus one with no limit and one with only an
    "arrive" limit missed."""
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Ticket)
    tickets = []
    for pair in itertools.combinations_with_replacement(FATES, 2):
        if pair == ("pending", "pending"):
            continue  # one pending limit of a kind at most
        ticket = make_ticket(world, received_at=now)
        for fate in pair:
            state, late_by = FATES[fate]
            due = now + timedelta(hours=1)
            Deadline.objects.create(
                project=ticket.project,
                subject_type=ct,
                subject_id=ticket.pk,
                kind="response",
                due_at=due,
                state=state,
                met_at=None if late_by is None else due + timedelta(minutes=late_by),
            )
        tickets.append(ticket)
    tickets.append(make_ticket(world, received_at=now))
    other = make_ticket(world, received_at=now)
    Deadline.objects.create(
        project=other.project, subject_type=ct, subject_id=other.pk, kind="arrive", due_at=now, state="missed"
    )
    tickets.append(other)
    return tickets


def test_the_rules_answer_the_same_per_row_and_for_the_set(world):
    tickets = _tickets(world)
    rules = {
        "kept": lambda has: limits_kept(has, "response"),
        "has_response": lambda has: has(limits_q("response")),
        "arrive_kept": lambda has: limits_kept(has, "arrive"),
        "none_missed": lambda has: ~has(MISSED),
        "open_none_missed": lambda has: Q(status="open") & ~has(MISSED),
    }
    rows = Ticket.objects.filter(pk__in=[t.pk for t in tickets])
    facts = LimitFacts(Ticket)
    counted = facts.count(rows, every=None, **{name: rule(facts.has) for name, rule in rules.items()})
    per_case = {name: rows.filter(rule(per_row(Ticket))).count() for name, rule in rules.items()}
    assert counted == {"every": len(tickets), **per_case}
    # Each ticket on its own: the set-wise answer is the per-row answer, case by case.
    for ticket in tickets:
        one = Ticket.objects.filter(pk=ticket.pk)
        facts = LimitFacts(Ticket)
        counted = facts.count(one, **{name: rule(facts.has) for name, rule in rules.items()})
        assert counted == {name: int(one.filter(rule(per_row(Ticket))).exists()) for name, rule in rules.items()}
    # And the answers are not all alike: some kept, some not.
    assert 0 < per_case["kept"] < len(tickets) and 0 < per_case["none_missed"] < len(tickets)


def test_counting_no_rows_gives_zeros(world):
    facts = LimitFacts(Ticket)
    assert facts.count(Ticket.objects.none(), every=None, kept=limits_kept(facts.has, "response")) == {
        "every": 0,
        "kept": 0,
    }
