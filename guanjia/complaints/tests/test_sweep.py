"""The sweep acting on complaint deadlines (C11, C13, C14, C16): each boundary, exactly once, never for a case
entered after the fact, nothing for a completed complaint."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.cases.tests.helpers import skip_unless_concurrent_writers
from guanjia.complaints import services
from guanjia.complaints.grading import step_up
from guanjia.complaints.models import Complaint
from guanjia.complaints.tests.test_services import deadline, register
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event

SECOND = timedelta(seconds=1)


@pytest.fixture
def at():
    """The moment the customer called (a moment ago), without microseconds for exact comparisons."""
    return timezone.now().replace(microsecond=0) - timedelta(seconds=1)


def mishandlings(complaint) -> list[Event]:
    return list(Event.objects.filter(subject_id=complaint.pk, verb="complaint.mishandled").order_by("id"))


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
    # C11: each miss is an automatic "mishandled", one step up, naming the missed limit; above general the
    # escalation falls due with the response (same minutes), so two limits are missed at once
    events = mishandlings(complaint)
    assert len(events) == (1 if before == "general" else 2)
    assert all(e.actor is None for e in events)
    assert {e.data["kind"] for e in events} == ({"response"} if before == "general" else {"response", "escalate"})
    assert any("响应" in e.reason for e in events)
    assert Complaint.objects.get(pk=complaint.pk).grade == step_up(before, len(events))


def test_c13_general_resolve_fires_at_12_hours_not_a_second_before(world, at):
    complaint = register(world, received_at=at, now=at)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    due = at + timedelta(hours=12)
    sweep(due - SECOND)
    assert mishandlings(complaint) == []
    sweep(due)
    events = mishandlings(complaint)
    assert len(events) == 1 and events[0].data["kind"] == "resolve"
    assert Complaint.objects.get(pk=complaint.pk).grade == "significant"


def test_c13_missed_escalation_escalates_further_and_alerts_the_role(world, at):
    complaint = register(world, facts={"injury": "minor"}, received_at=at, now=at)  # significant
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    due = at + timedelta(minutes=8)
    sweep(due - SECOND)
    assert Complaint.objects.get(pk=complaint.pk).grade == "significant"
    sweep(due)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.grade == "major" and complaint.escalate_to == "general_manager"
    # C13: the new escalation runs from the moment of the raise
    assert deadline(complaint, "escalate").due_at == due + timedelta(minutes=5)
    assert Notification.objects.filter(recipient=world.office_manager, kind="complaint.escalate_missed").exists()
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.escalate_missed").exists()
    # C14: major now, so the general manager is told
    assert Notification.objects.filter(recipient=world.general_manager, kind="complaint.graded").exists()


def test_c11_each_missed_deadline_raises_exactly_one_step(world, at):
    # Significant: response 8 min and escalation 8 min fall due together — two misses, two steps.
    complaint = register(world, facts={"injury": "minor"}, received_at=at, now=at)
    sweep(at + timedelta(minutes=8))
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert len(mishandlings(complaint)) == 2
    assert complaint.mishandled_count == 2 and complaint.grade == "critical"
    # Sweeping again changes nothing: each limit fired once.
    sweep(at + timedelta(minutes=8))
    assert len(mishandlings(complaint)) == 2


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
    assert sweep(at + timedelta(days=2)).missed == []
    assert mishandlings(complaint) == []


def test_c11_handler_is_idempotent_against_the_complaints_state(world, at):
    # A deadline left pending on a completed complaint (e.g. written by an older version) does nothing.
    complaint = register(world, received_at=at, now=at)
    Complaint.objects.filter(pk=complaint.pk).update(status="completed")
    sweep(at + timedelta(minutes=10))
    assert mishandlings(complaint) == []
    assert Deadline.objects.get(subject_id=complaint.pk, kind="response").fired is True


def test_c11_missed_response_notifies_the_assignee_and_the_supervisor(world, at):
    complaint = register(world, received_at=at, now=at)
    services.complaint_dispatch(
        complaint=complaint, department="engineering", assignee=world.technician, actor=world.front_desk
    )
    sweep(at + timedelta(minutes=10))
    for person in (world.technician, world.supervisor):
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
def test_c11_c13_two_sweep_workers_at_once_mishandle_each_missed_deadline_exactly_once(world):
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
        assert len(mishandlings(fresh)) == 1 and fresh.mishandled_count == 1 and fresh.grade == "significant"
    for complaint in significant:
        fresh = Complaint.objects.get(pk=complaint.pk)
        # two missed limits at +8 min → exactly two steps; the escalations set by the raises (from +10 min)
        # are not yet due
        assert fresh.mishandled_count == 2 and fresh.grade == "critical"
        assert len(mishandlings(fresh)) == 2
    # one alert per missed deadline per person
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.response_missed").count() == 12
