"""One way to change a status (``guanjia.core.states.transition``): the move is checked against the model's
``ALLOWED_TRANSITIONS`` on the locked row; a refused move changes nothing and is a 409 in the API; an allowed
one writes the status and exactly one timeline event (who, when, what) in the same transaction (C20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from guanjia.cases.testapp.models import Ticket, TicketStatus
from guanjia.cases.tests.helpers import make_ticket
from guanjia.complaints.models import Complaint
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.core.states import transition
from guanjia.dutylog.models import Booking, Notice
from guanjia.followup.models import Issue
from guanjia.frontdesk.models import Visitor
from guanjia.repairs.models import Repair
from guanjia.timeline.models import Event
from guanjia.timeline.selectors import events_for
from guanjia.timeline.services import record
from guanjia.visits.models import ReturnVisit
from guanjia.visits.services import return_visit_plan
from guanjia.visits.tests.conftest import at


@pytest.fixture
def ticket(world) -> Ticket:
    return make_ticket(world)


def test_c20_refused_transition_changes_nothing_and_names_both_statuses(ticket, world):
    with pytest.raises(TransitionError) as refused:
        transition(ticket, TicketStatus.DONE, actor=world.technician, verb="ticket.done", record=record)

    assert "当前为“待处理”，不能变为“已完成”" in str(refused.value)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.completed_at) == (TicketStatus.OPEN, 1, None)
    assert not events_for(ticket).exists()


def test_c20_allowed_transition_writes_status_fields_and_exactly_one_event(ticket, world):
    when = timezone.now() - timedelta(minutes=5)
    transition(ticket, TicketStatus.DISPATCHED, actor=world.supervisor, verb="ticket.dispatched", record=record)
    moved = transition(
        ticket,
        TicketStatus.DONE,
        actor=world.technician,
        verb="ticket.done",
        record=record,
        fields={"completed_at": when},
        data={"note": "已修复"},
        reason="现场处理",
        at=when,
    )

    # The caller's copy and the returned row both hold what was written.
    assert (ticket.status, ticket.completed_at, ticket.version) == (TicketStatus.DONE, when, 3)
    assert (moved.status, moved.version) == (TicketStatus.DONE, 3)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.completed_at, ticket.version) == (TicketStatus.DONE, when, 3)
    done = events_for(ticket).filter(verb="ticket.done")
    assert done.count() == 1
    event = done.get()
    assert (event.actor, event.at, event.reason) == (world.technician, when, "现场处理")
    assert event.data == {"from": "dispatched", "to": "done", "note": "已修复"}


def test_c20_status_and_event_commit_or_roll_back_together(ticket, world):
    def record_then_fail(**event):
        record(**event)
        raise RuntimeError("the timeline is down")

    with pytest.raises(RuntimeError):
        transition(ticket, TicketStatus.CLOSED, actor=world.supervisor, verb="ticket.closed", record=record_then_fail)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (TicketStatus.OPEN, 1)
    assert not events_for(ticket).exists()


def test_transition_from_a_stale_version_is_a_conflict_and_changes_nothing(ticket, world):
    with pytest.raises(ConflictError, match="已被他人修改"):
        transition(ticket, TicketStatus.CLOSED, actor=world.supervisor, verb="ticket.closed", record=record, version=0)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (TicketStatus.OPEN, 1)
    assert not Event.objects.exists()


def test_transition_is_checked_on_the_row_as_stored_not_the_callers_copy(ticket, world):
    stale = Ticket.objects.get(pk=ticket.pk)
    transition(ticket, TicketStatus.CLOSED, actor=world.supervisor, verb="ticket.closed", record=record)

    # The stale copy still says "open", from which "dispatched" is allowed; the row says "closed".
    with pytest.raises(TransitionError, match="已关闭"):
        transition(stale, TicketStatus.DISPATCHED, actor=world.supervisor, verb="ticket.dispatched", record=record)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


@pytest.mark.parametrize("model", [Complaint, Repair, Visitor, Issue, Booking, Notice, ReturnVisit])
def test_every_workflow_declares_its_moves_between_its_own_statuses(model: type[models.Model]):
    statuses = {value for value, _label in model._meta.get_field("status").flatchoices}  # type: ignore[union-attr]
    allowed = model.ALLOWED_TRANSITIONS  # type: ignore[attr-defined]
    assert allowed and set(allowed) <= statuses
    assert all(targets <= statuses for targets in allowed.values())


def test_refused_transition_is_409_in_the_api_and_records_nothing(world, api_as):
    repair = Repair.objects.create(
        project=world.estate,
        number="BX2611020001",
        unit=world.unit,
        customer=world.customer,
        received_at=at(2026, 11, 2, 9, 0),
        registered_by=world.front_desk,
        description="漏水",
    )
    visit = return_visit_plan(case=repair, case_type="repair", completed_at=at(2026, 11, 2, 10, 0), actor=None)
    client = api_as(world.front_desk)
    url = f"/api/v1/return-visits/{visit.pk}/record"

    assert client.post(url, {"method": "phone", "satisfaction": 5}, format="json").status_code == 200
    again = client.post(url, {"method": "phone", "satisfaction": 1}, format="json")

    assert again.status_code == 409
    assert "当前为“已回访”" in again.json()["detail"]
    visit.refresh_from_db()
    assert visit.satisfaction == 5
    assert events_for(repair).filter(verb="visit.done").count() == 1
