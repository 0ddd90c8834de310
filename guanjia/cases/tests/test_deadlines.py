"""Deadlines: set, replace, meet, miss; cases entered after the fact (C11); reminders (C16)."""

from datetime import timedelta

import pytest

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_cancel, deadline_meet, deadline_set, register_deadline_handler, sweep
from guanjia.cases.testapp.models import Ticket
from guanjia.cases.tests.helpers import NOW, make_ticket
from guanjia.timeline.selectors import events_for

MIN = timedelta(minutes=1)


def test_set_creates_a_pending_limit_with_its_reminder(ticket):
    d = deadline_set(subject=ticket, kind="resolve", due_at=NOW + 12 * 60 * MIN, now=NOW, remind_before=30 * MIN)

    assert (d.state, d.fired, d.project_id) == (DeadlineState.PENDING, False, ticket.project_id)
    assert d.remind_at == NOW + 11.5 * 60 * MIN
    assert d.subject == ticket
    assert list(ticket.deadlines.all()) == [d]


def test_c16_agreeing_a_new_reply_time_replaces_the_old_one_and_keeps_it(ticket):
    first = deadline_set(subject=ticket, kind="next_reply", due_at=NOW + 60 * MIN, now=NOW)
    second = deadline_set(subject=ticket, kind="next_reply", due_at=NOW + 120 * MIN, now=NOW + 5 * MIN)

    first.refresh_from_db()
    assert first.state == DeadlineState.CANCELLED
    assert first.cancelled_at == NOW + 5 * MIN
    assert first.data == {"replaced_by": second.pk}
    assert Deadline.objects.filter(subject_id=ticket.pk, kind="next_reply", state="pending").get() == second


def test_met_in_time_is_met(ticket):
    deadline_set(subject=ticket, kind="response", due_at=NOW + 10 * MIN, now=NOW)

    d = deadline_meet(subject=ticket, kind="response", at=NOW + 9 * MIN)

    assert d is not None
    assert (d.state, d.met_at, d.late, d.met_on_time) == (DeadlineState.MET, NOW + 9 * MIN, False, True)


def test_met_after_the_limit_counts_as_missed_but_keeps_when_it_was_done(ticket):
    deadline_set(subject=ticket, kind="response", due_at=NOW + 10 * MIN, now=NOW)

    d = deadline_meet(subject=ticket, kind="response", at=NOW + 12 * MIN)

    d.refresh_from_db()
    assert (d.state, d.met_at, d.late, d.fired) == (DeadlineState.MISSED, NOW + 12 * MIN, True, False)


def test_met_after_the_sweep_fired_keeps_the_miss_and_records_the_time(ticket):
    deadline_set(subject=ticket, kind="response", due_at=NOW + 10 * MIN, now=NOW)
    sweep(NOW + 11 * MIN)

    d = deadline_meet(subject=ticket, kind="response", at=NOW + 20 * MIN)

    d.refresh_from_db()
    assert (d.state, d.fired, d.met_at, d.late) == (DeadlineState.MISSED, True, NOW + 20 * MIN, True)


def test_meeting_a_limit_that_does_not_exist_returns_none(ticket):
    assert deadline_meet(subject=ticket, kind="visit", at=NOW) is None


def test_cancel_closes_pending_limits_only(ticket):
    deadline_set(subject=ticket, kind="response", due_at=NOW + 10 * MIN, now=NOW)
    deadline_set(subject=ticket, kind="resolve", due_at=NOW + 600 * MIN, now=NOW)
    deadline_meet(subject=ticket, kind="response", at=NOW + MIN)

    assert deadline_cancel(subject=ticket, at=NOW + 2 * MIN) == 1
    assert sorted(ticket.deadlines.values_list("kind", "state")) == [("resolve", "cancelled"), ("response", "met")]


def test_c11_limit_already_past_when_entered_after_the_fact_shows_missed_and_escalates_nothing(world):
    # Given a paper form received yesterday and typed in today
    calls = []
    register_deadline_handler("cases_testapp.ticket", "response", on_missed=lambda d, s, now: calls.append(d.pk))
    paper = make_ticket(world, received_at=NOW - timedelta(days=1))

    # When its response limit (received + 10 min) is set now
    d = deadline_set(subject=paper, kind="response", due_at=paper.received_at + 10 * MIN, now=NOW)
    result = sweep(NOW + MIN)

    # Then it shows as missed, was never fired, and no handler ran
    d.refresh_from_db()
    assert (d.state, d.fired, d.missed_at) == (DeadlineState.MISSED, False, NOW)
    assert d.is_overdue(NOW)
    assert result.missed == [] and calls == []
    assert not events_for(paper).filter(verb="deadline.missed").exists()


def test_c13_the_sweep_fires_a_missed_limit_once_and_records_it(ticket, world):
    calls = []
    register_deadline_handler(
        "cases_testapp.ticket", "escalate", on_missed=lambda d, s, now: calls.append((d.pk, s, d.data))
    )
    d = deadline_set(
        subject=ticket, kind="escalate", due_at=NOW + 8 * MIN, now=NOW, data={"escalate_to": "office_manager"}
    )

    assert sweep(NOW + 7 * MIN).missed == []  # not due yet
    first = sweep(NOW + 8 * MIN)
    second = sweep(NOW + 9 * MIN)

    assert first.missed == [d.pk] and second.missed == []
    assert calls == [(d.pk, ticket, {"escalate_to": "office_manager"})]
    d.refresh_from_db()
    assert (d.state, d.fired, d.missed_at) == (DeadlineState.MISSED, True, NOW + 8 * MIN)
    event = events_for(ticket).get(verb="deadline.missed")
    assert event.actor is None and event.data["kind"] == "escalate"


def test_a_missed_limit_without_a_handler_is_still_recorded(ticket):
    d = deadline_set(subject=ticket, kind="resolve", due_at=NOW + MIN, now=NOW)

    assert sweep(NOW + 2 * MIN).missed == [d.pk]
    assert Deadline.objects.get(pk=d.pk).state == DeadlineState.MISSED


def test_a_failing_handler_leaves_the_limit_pending_and_rolls_back_what_it_wrote(ticket, world):
    def broken(deadline, subject, now):
        Ticket.objects.filter(pk=subject.pk).update(description="half-done")
        raise RuntimeError("SMS gateway down")

    register_deadline_handler("cases_testapp.ticket", "response", on_missed=broken)
    d = deadline_set(subject=ticket, kind="response", due_at=NOW + MIN, now=NOW)

    result = sweep(NOW + 2 * MIN)

    assert result.failed == [d.pk] and result.missed == []
    d.refresh_from_db()
    assert (d.state, d.fired, d.attempts) == (DeadlineState.PENDING, False, 1)
    assert "SMS gateway down" in d.last_error
    assert Ticket.objects.get(pk=ticket.pk).description == ""
    assert not events_for(ticket).exists()


def test_a_handler_that_keeps_failing_is_given_up_as_missed_not_fired(ticket):
    def broken(deadline, subject, now):
        raise RuntimeError("still down")

    register_deadline_handler("cases_testapp.ticket", "response", on_missed=broken)
    d = deadline_set(subject=ticket, kind="response", due_at=NOW + MIN, now=NOW)
    for i in range(5):
        sweep(NOW + (2 + i) * MIN)

    d.refresh_from_db()
    assert (d.state, d.fired, d.attempts) == (DeadlineState.MISSED, False, 5)
    assert sweep(NOW + 10 * MIN).failed == []


def test_c16_reminder_before_the_agreed_reply_time_fires_once(ticket):
    reminded = []
    register_deadline_handler("cases_testapp.ticket", "next_reply", on_remind=lambda d, s, now: reminded.append(now))
    d = deadline_set(subject=ticket, kind="next_reply", due_at=NOW + 60 * MIN, now=NOW, remind_before=15 * MIN)

    assert sweep(NOW + 44 * MIN).reminded == []
    assert sweep(NOW + 45 * MIN).reminded == [d.pk]
    assert sweep(NOW + 50 * MIN).reminded == []

    assert reminded == [NOW + 45 * MIN]
    d.refresh_from_db()
    assert (d.state, d.reminded_at) == (DeadlineState.PENDING, NOW + 45 * MIN)
    assert events_for(ticket).get().verb == "deadline.reminded"


def test_no_reminder_for_a_limit_already_due(ticket):
    reminded = []
    register_deadline_handler("cases_testapp.ticket", "next_reply", on_remind=lambda d, s, now: reminded.append(1))
    deadline_set(subject=ticket, kind="next_reply", due_at=NOW + 60 * MIN, now=NOW, remind_before=15 * MIN)

    result = sweep(NOW + 61 * MIN)  # the sweeper was down through the reminder time

    assert (len(result.missed), result.reminded, reminded) == (1, [], [])


@pytest.mark.parametrize("kind", ["order", "notify"])
def test_r02_a_met_or_missed_repair_limit_is_tracked_like_any_other(ticket, kind):
    deadline_set(subject=ticket, kind=kind, due_at=NOW + 5 * MIN, now=NOW)
    sweep(NOW + 6 * MIN)
    assert Deadline.objects.get(kind=kind).state == DeadlineState.MISSED


def test_c11_a_step_recorded_before_its_due_meets_a_limit_entered_after_the_fact(world):
    # Given a paper form received at 09:00 and typed in at 10:00: its 10-minute limit is already past
    paper = make_ticket(world, received_at=NOW - 60 * MIN)
    deadline_set(subject=paper, kind="response", due_at=paper.received_at + 10 * MIN, now=NOW)

    # When the form shows the step was done at 09:05
    d = deadline_meet(subject=paper, kind="response", at=paper.received_at + 5 * MIN)

    # Then the limit is met, at the step's time, whatever the entry time (C11, S05)
    assert d is not None
    d.refresh_from_db()
    assert (d.state, d.met_at, d.late, d.fired) == (DeadlineState.MET, paper.received_at + 5 * MIN, False, False)
    assert d.met_on_time and not d.is_overdue(NOW)


def test_c11_a_step_recorded_after_its_due_on_a_late_entry_stays_missed(world):
    paper = make_ticket(world, received_at=NOW - 60 * MIN)
    deadline_set(subject=paper, kind="response", due_at=paper.received_at + 10 * MIN, now=NOW)

    d = deadline_meet(subject=paper, kind="response", at=paper.received_at + 15 * MIN)

    assert d is not None
    d.refresh_from_db()
    assert (d.state, d.met_at, d.late) == (DeadlineState.MISSED, paper.received_at + 15 * MIN, True)


def test_c11_a_step_typed_in_after_the_sweep_but_done_before_the_due_is_on_time(ticket):
    # The sweep saw no step by the due and alerted; the handling form then arrives showing it was signed in time
    deadline_set(subject=ticket, kind="response", due_at=NOW + 10 * MIN, now=NOW)
    sweep(NOW + 11 * MIN)

    d = deadline_meet(subject=ticket, kind="response", at=NOW + 8 * MIN)

    assert d is not None
    d.refresh_from_db()
    assert (d.state, d.met_at, d.late, d.fired) == (DeadlineState.MET, NOW + 8 * MIN, False, True)
