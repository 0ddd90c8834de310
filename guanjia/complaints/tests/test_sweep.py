"""The sweep acting on complaint deadlines (C11, C13, C14, C16): each boundary, exactly once, never for a case
entered after the fact, nothing for a completed complaint. C11 (as updated): a missed limit is recorded missed,
alerts the people responsible and the next level up and proposes "mishandled"; only a supervisor raises the grade."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.cases.tests.helpers import skip_unless_concurrent_writers
from guanjia.complaints import services
from guanjia.complaints.models import Complaint
from guanjia.complaints.tests.test_services import deadline, register
from guanjia.core.errors import TransitionError
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event

SECOND = timedelta(seconds=1)


@pytest.fixture
def at():
    """The moment the customer called (a moment ago), without microseconds for exact comparisons."""
    return timezone.now().replace(microsecond=0) - timedelta(seconds=1)


def mishandlings(complaint) -> list[Event]:
    return list(Event.objects.filter(subject_id=complaint.pk, verb="complaint.mishandled").order_by("id"))


def proposals(complaint) -> list[Event]:
    return list(Event.objects.filter(subject_id=complaint.pk, verb="complaint.mishandling_proposed").order_by("id"))


@pytest.mark.parametrize(
    ("facts", "minutes"),
    [({}, 10), ({"injury": "minor"}, 8), ({"injury": "serious"}, 5), ({"deaths": 1}, 1)],
)
def test_c13_response_limit_fires_exactly_at_its_boundary(world, at, facts, minutes):
    complaint = register(world, facts=facts, received_at=at, now=at)
    due = at + timedelta(minutes=minutes)
    assert deadline(complaint, "response").due_at == due
    before = Complaint.objects.get(pk=complaint.pk).grade

    assert sweep(due - SECOND).missed == []  # one second before: nothing
    assert deadline(complaint, "response").state == "pending"
    result = sweep(due)
    response = Deadline.objects.get(kind="response", subject_id=complaint.pk, fired=True)
    assert response.pk in result.missed and response.state == "missed"
    # C11: each miss proposes "mishandled" to the supervisor, naming the missed limit; above general the
    # escalation falls due with the response (same minutes), so two limits are missed at once. No grade rises.
    events = proposals(complaint)
    assert len(events) == (1 if before == "general" else 2)
    assert all(e.actor is None for e in events)
    assert {e.data["kind"] for e in events} == ({"response"} if before == "general" else {"response", "escalate"})
    assert response.data["proposal"] == "open"
    assert mishandlings(complaint) == []
    assert Complaint.objects.get(pk=complaint.pk).grade == before


def test_c13_general_resolve_fires_at_12_hours_not_a_second_before(world, at):
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    due = at + timedelta(hours=12)
    sweep(due - SECOND)
    assert proposals(complaint) == []
    sweep(due)
    events = proposals(complaint)
    assert len(events) == 1 and events[0].data["kind"] == "resolve"
    assert Complaint.objects.get(pk=complaint.pk).grade == "general"  # C11: proposed, not raised


def test_c11_c13_missed_escalation_alerts_the_role_and_the_supervisor_decides_the_raise(world, at):
    complaint = register(world, facts={"injury": "minor"}, received_at=at, now=at)  # significant
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    due = at + timedelta(minutes=8)
    sweep(due - SECOND)
    assert Complaint.objects.get(pk=complaint.pk).grade == "significant"
    sweep(due)
    complaint = Complaint.objects.get(pk=complaint.pk)
    # C11: recorded missed and alerted (the responsible supervisor and the escalation role), not raised
    assert complaint.grade == "significant" and complaint.escalate_to == "office_manager"
    assert Notification.objects.filter(recipient=world.office_manager, kind="complaint.escalate_missed").exists()
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.escalate_missed").exists()
    assert not Notification.objects.filter(recipient=world.general_manager, kind="complaint.graded").exists()
    # The supervisor accepts the proposal: one step up, and C13's new escalation runs from the decision
    decided = due + timedelta(minutes=2)
    complaint = services.complaint_mark_mishandled(
        complaint=complaint, reason="未及时上报", actor=world.supervisor, now=decided
    )
    assert complaint.grade == "major" and complaint.escalate_to == "general_manager"
    assert deadline(complaint, "escalate").due_at == decided + timedelta(minutes=5)
    # C14: major now, so the general manager is told
    assert Notification.objects.filter(recipient=world.general_manager, kind="complaint.graded").exists()


def test_c11_each_missed_deadline_is_proposed_once_and_raises_nothing_by_itself(world, at):
    # Significant: response 8 min and escalation 8 min fall due together — two misses, two proposals.
    complaint = register(world, facts={"injury": "minor"}, received_at=at, now=at)
    sweep(at + timedelta(minutes=8))
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert len(proposals(complaint)) == 2 and mishandlings(complaint) == []
    assert complaint.mishandled_count == 0 and complaint.grade == "significant"
    # Sweeping again changes nothing: each limit fired once.
    sweep(at + timedelta(minutes=8))
    assert len(proposals(complaint)) == 2


def test_c11_entered_after_the_fact_shows_missed_but_fires_nothing(world):
    received = timezone.now() - timedelta(hours=13)
    complaint = register(world, received_at=received, facts={"injury": "minor"})
    assert complaint.entered_late is True
    for kind in ("response", "escalate"):
        row = deadline(complaint, kind)
        assert row.state == "missed" and row.fired is False
    assert deadline(complaint, "resolve").state == "pending"  # 48 h from receipt: still ahead
    result = sweep(timezone.now())
    assert result.missed == []
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert mishandlings(fresh) == [] and fresh.grade == "significant" and fresh.mishandled_count == 0
    assert proposals(fresh) == []
    assert not Notification.objects.filter(kind__endswith="_missed").exists()


def test_c11_a_complaint_entered_minutes_late_is_not_late(world):
    complaint = register(world, received_at=timezone.now() - timedelta(minutes=2))
    assert complaint.entered_late is False and deadline(complaint, "response").state == "pending"


def test_c11_a_completed_complaint_gets_nothing_from_the_sweep(world, at):
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_set_nature(
        complaint=complaint, nature="invalid", reason="非物业责任", actor=world.front_desk
    )
    services.complaint_complete(complaint=complaint, result="已解释", actor=world.front_desk)
    # only C16's same-day reply (never told) falls due; no limit of the handling fires or is proposed
    missed = sweep(at + timedelta(days=2)).missed
    assert [Deadline.objects.get(pk=pk).kind for pk in missed] == ["inform"]
    assert mishandlings(complaint) == [] and proposals(complaint) == []


def test_c11_handler_is_idempotent_against_the_complaints_state(world, at):
    # A deadline left pending on a completed complaint (e.g. written by an older version) does nothing.
    complaint = register(world, received_at=at, now=at)
    Complaint.objects.filter(pk=complaint.pk).update(status="completed")
    sweep(at + timedelta(minutes=10))
    assert mishandlings(complaint) == [] and proposals(complaint) == []
    assert Deadline.objects.get(subject_id=complaint.pk, kind="response").fired is True


def test_c11_missed_response_notifies_the_assignee_the_supervisor_and_the_next_level_up(world, at):
    complaint = register(world, received_at=at, now=at)
    services.complaint_dispatch(
        complaint=complaint, department="engineering", assignee=world.technician, actor=world.front_desk
    )
    sweep(at + timedelta(minutes=10))
    # the people responsible (assignee, first responder, CS supervisor) and the next level up (office manager)
    for person in (world.technician, world.front_desk, world.supervisor, world.office_manager):
        assert Notification.objects.filter(recipient=person, kind="complaint.response_missed").count() == 1


def test_c16_next_reply_reminds_before_and_reports_a_miss(world, at):
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_dispatch(
        complaint=complaint, department="engineering", assignee=world.technician, actor=world.front_desk
    )
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    reply_at = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    services.complaint_set_next_reply(complaint=complaint, reply_at=reply_at, actor=world.butler)
    remind = reply_at - timedelta(minutes=30)
    assert sweep(remind - SECOND).reminded == []
    assert len(sweep(remind).reminded) == 1
    for person in (world.technician, world.front_desk):  # the assignee and the clerk who registered it
        assert Notification.objects.filter(recipient=person, kind="complaint.next_reply_reminder").count() == 1
    sweep(reply_at)
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.next_reply_missed").count() == 1
    # A missed reply is reported, not a mishandling by itself.
    assert all(e.data["kind"] != "next_reply" for e in mishandlings(complaint))


def test_c13_a_met_limit_never_fires(world, at):
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    sweep(at + timedelta(minutes=11))
    assert mishandlings(complaint) == []


@pytest.mark.django_db(transaction=True)
def test_c11_c13_two_sweep_workers_at_once_propose_each_missed_deadline_exactly_once(world):
    skip_unless_concurrent_writers()
    at = timezone.now().replace(microsecond=0) - SECOND
    # Given 8 general complaints (response due at +10 min) and 4 significant ones (response and escalation
    # due at +8 min), none acknowledged
    general = [register(world, received_at=at, now=at) for _ in range(8)]
    significant = [register(world, facts={"injury": "minor"}, received_at=at, now=at) for _ in range(4)]
    due_rows = Deadline.objects.filter(state=DeadlineState.PENDING, kind__in=("response", "escalate")).count()
    assert due_rows == 8 + 4 * 2

    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sweep(at + timedelta(minutes=10)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert all(not r.failed for r in results)
    fired = sorted(pk for r in results for pk in r.missed)
    assert len(fired) == len(set(fired))  # no deadline claimed by both workers
    for complaint in general:
        fresh = Complaint.objects.get(pk=complaint.pk)
        assert len(proposals(fresh)) == 1 and fresh.mishandled_count == 0 and fresh.grade == "general"
    for complaint in significant:
        fresh = Complaint.objects.get(pk=complaint.pk)
        # two missed limits at +8 min → exactly two proposals, no raise
        assert fresh.mishandled_count == 0 and fresh.grade == "significant"
        assert len(proposals(fresh)) == 2
    # one alert per missed deadline per person
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.response_missed").count() == 12


# --- C11: the supervisor decides a proposal ------------------------------------------------------------------


def test_c11_the_supervisor_dismisses_a_proposal_with_a_reason_and_the_grade_stays(world, at):
    complaint = register(world, received_at=at, now=at)
    sweep(at + timedelta(minutes=10))
    with pytest.raises(PermissionError):
        services.complaint_dismiss_proposal(complaint=complaint, reason="停电", actor=world.front_desk)
    with pytest.raises(ValidationError) as error:
        services.complaint_dismiss_proposal(complaint=complaint, reason=" ", actor=world.supervisor)
    assert "reason" in error.value.message_dict
    complaint = services.complaint_dismiss_proposal(
        complaint=complaint, reason="全楼停电，无法派单", actor=world.supervisor
    )
    assert complaint.grade == "general" and complaint.mishandled_count == 0
    event = Event.objects.get(subject_id=complaint.pk, verb="complaint.proposal_dismissed")
    assert (event.actor, event.reason) == (world.supervisor, "全楼停电，无法派单")
    response = deadline(complaint, "response")
    assert response.data["proposal"] == "dismissed" and response.state == "missed"  # still counted missed (S05)
    with pytest.raises(TransitionError):  # nothing left to decide
        services.complaint_dismiss_proposal(complaint=complaint, reason="再次", actor=world.supervisor)


def test_c11_accepting_closes_the_proposal_and_raises_one_step(world, at):
    complaint = register(world, received_at=at, now=at)
    sweep(at + timedelta(minutes=10))
    complaint = services.complaint_mark_mishandled(complaint=complaint, reason="推诿", actor=world.supervisor)
    assert complaint.grade == "significant" and complaint.mishandled_count == 1
    assert deadline(complaint, "response").data["proposal"] == "accepted"
    assert mishandlings(complaint)[0].data["proposals"] == [deadline(complaint, "response").pk]


def test_c11_a_step_typed_in_later_with_a_time_before_the_due_withdraws_the_proposal(world):
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_dispatch(
        complaint=complaint, department="engineering", actor=world.front_desk, at=at + timedelta(minutes=2)
    )
    sweep(at + timedelta(minutes=10))
    assert deadline(complaint, "response").data["proposal"] == "open"
    services.complaint_acknowledge(complaint=complaint, actor=world.technician, at=at + timedelta(minutes=5))
    response = deadline(complaint, "response")
    assert response.state == "met" and response.met_at == at + timedelta(minutes=5)
    with pytest.raises(TransitionError):
        services.complaint_dismiss_proposal(complaint=complaint, reason="已按时签收", actor=world.supervisor)
