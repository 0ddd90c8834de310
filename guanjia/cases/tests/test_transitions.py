"""One way to change a case's status: allowed moves only, the row locked, an event per move (C20)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.cases.models import Department
from guanjia.cases.services import case_dispatch, case_transition
from guanjia.cases.testapp.models import Ticket, TicketStatus
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.timeline.selectors import events_for


def test_c20_allowed_transition_changes_status_and_records_who_did_it(ticket, world):
    case_transition(case=ticket, to=TicketStatus.DISPATCHED, actor=world.supervisor, reason="派工程部")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.version == 2
    event = events_for(ticket).get()
    assert (event.verb, event.actor, event.reason) == ("ticket.dispatched", world.supervisor, "派工程部")
    assert event.data == {"from": "open", "to": "dispatched"}
    assert event.project == world.estate


def test_transition_writes_its_fields_with_the_status(ticket, world):
    done_at = timezone.now() - timedelta(hours=1)
    case_transition(case=ticket, to=TicketStatus.DISPATCHED, actor=world.supervisor)
    case_transition(case=ticket, to=TicketStatus.DONE, actor=world.technician, fields={"completed_at": done_at})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.completed_at, ticket.version) == (TicketStatus.DONE, done_at, 3)
    assert [e.verb for e in events_for(ticket)] == ["ticket.dispatched", "ticket.done"]


def test_refused_transition_names_both_statuses_in_chinese_and_changes_nothing(ticket, world):
    with pytest.raises(TransitionError) as err:
        case_transition(case=ticket, to=TicketStatus.DONE, actor=world.technician)

    assert "待处理" in str(err.value) and "已完成" in str(err.value)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (TicketStatus.OPEN, 1)
    assert not events_for(ticket).exists()


def test_transition_from_a_stale_copy_is_a_conflict(ticket, world):
    stale = Ticket.objects.get(pk=ticket.pk)
    case_transition(case=ticket, to=TicketStatus.CLOSED, actor=world.supervisor)

    with pytest.raises(ConflictError):
        case_transition(case=stale, to=TicketStatus.DISPATCHED, actor=world.front_desk)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


def test_dispatch_sets_department_and_assignee_with_an_event(ticket, world):
    case_dispatch(case=ticket, department=Department.ENGINEERING, assignee=world.technician, actor=world.supervisor)

    ticket.refresh_from_db()
    assert (ticket.department, ticket.assignee, ticket.version) == ("engineering", world.technician, 2)
    assert ticket.dispatched_at is not None
    assert events_for(ticket).get().verb == "ticket.dispatched"


def test_dispatch_to_someone_of_another_project_is_refused_naming_the_field(ticket, world):
    with pytest.raises(ValidationError) as err:
        case_dispatch(case=ticket, department=Department.ENGINEERING, assignee=world.outsider, actor=world.supervisor)
    assert "assignee" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        case_dispatch(case=ticket, department="kitchen", actor=world.supervisor)
    assert "department" in err.value.message_dict
    ticket.refresh_from_db()
    assert (ticket.department, ticket.version) == ("", 1)


def test_general_manager_may_be_assigned_in_any_project_of_the_company(ticket, world):
    case_dispatch(case=ticket, department=Department.OTHER, assignee=world.general_manager, actor=world.supervisor)
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.general_manager


def test_two_kinds_of_case_live_side_by_side_with_their_own_numbers_and_verbs(ticket, world):
    from guanjia.cases.services import case_number_next
    from guanjia.cases.testapp.models import Errand

    errand = Errand.objects.create(
        project=world.estate,
        number=case_number_next(prefix=Errand.NUMBER_PREFIX, at=ticket.received_at),
        customer_name="访客王先生",
        contact_phone="13500000000",
        received_at=ticket.received_at,
        registered_by=world.front_desk,
    )
    case_transition(case=errand, to="done", actor=world.front_desk)

    assert list(world.estate.tickets.all()) == [ticket] and list(world.estate.errands.all()) == [errand]
    assert ticket.number.startswith("TK") and errand.number.startswith("ER")
    assert errand.display_customer == "访客王先生" and ticket.display_customer == "李明"
    assert events_for(errand).get().verb == "errand.done"
