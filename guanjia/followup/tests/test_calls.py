"""T03: each call recorded; what the customer raised is handled, or reported to the supervisor within 2 days;
the customer is answered the day a solution is found."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.followup import services
from guanjia.followup.models import CallStatus, FollowUpPlan, Issue, IssueStatus, PlanStatus
from guanjia.followup.tests.conftest import at
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event


def _reach(call, world, when="2026-11-06", **kw):
    kw.setdefault("notes", "空调使用正常，对服务满意")
    return services.call_record(
        call=call, actor=world.butler, version=call.version, outcome="reached", at=at(when), now=at(when, "11:00"), **kw
    )


def test_t03_a_reached_call_is_recorded_with_notes_and_meets_its_deadline(world, first_call):
    call = _reach(first_call, world)
    assert call.status == CallStatus.DONE and call.called_at == at("2026-11-06")
    assert call.notes == "空调使用正常，对服务满意" and call.recorded_by == world.butler
    assert Deadline.objects.get(subject_id=call.pk, kind="call").state == DeadlineState.MET
    assert Event.objects.filter(verb="followup.call_done", subject_id=call.pk).exists()


def test_t03_an_unanswered_attempt_is_recorded_and_the_call_stays_open(world, first_call):
    call = services.call_record(
        call=first_call, actor=world.butler, version=first_call.version, outcome="no_answer", now=at("2026-11-06")
    )
    assert call.status == CallStatus.PENDING and call.attempts == 1 and call.last_outcome == "no_answer"
    assert Event.objects.filter(verb="followup.call_attempted", subject_id=call.pk).exists()
    call = _reach(call, world, when="2026-11-07")
    assert call.attempts == 2 and call.status == CallStatus.DONE


def test_t03_a_reached_call_needs_notes_and_is_recorded_once(world, first_call):
    with pytest.raises(ValidationError) as err:
        services.call_record(
            call=first_call, actor=world.butler, version=first_call.version, outcome="reached", now=at("2026-11-06")
        )
    assert "notes" in err.value.message_dict
    call = _reach(first_call, world)
    with pytest.raises(TransitionError):
        _reach(call, world)


def test_t03_a_stale_version_is_a_conflict(world, first_call):
    stale = first_call.version
    services.call_record(call=first_call, actor=world.butler, version=stale, outcome="busy", now=at("2026-11-06"))
    with pytest.raises(ConflictError):
        services.call_record(call=first_call, actor=world.butler, version=stale, outcome="busy", now=at("2026-11-06"))


def test_t03_what_was_answered_on_the_call_is_recorded_as_answered(world, first_call):
    _reach(first_call, world, raised="遥控器电池怎么换", raised_kind="question", answer="已电话说明更换方法")
    issue = Issue._default_manager.get()
    assert issue.status == IssueStatus.ANSWERED and issue.answered_at == at("2026-11-06")
    assert not Deadline.objects.filter(subject_id=issue.pk, kind="escalate").exists()


def test_t03_an_open_issue_must_be_handled_or_escalated_within_two_days(world, first_call):
    _reach(first_call, world, raised="空调有异响，希望再来检查", raised_kind="complaint")
    issue = Issue._default_manager.get()
    assert issue.status == IssueStatus.OPEN and issue.owner == world.butler
    assert issue.handle_due_at == at("2026-11-09", "00:00")  # 24:00 of the 2nd day after 11-06
    assert Deadline.objects.get(subject_id=issue.pk, kind="escalate").due_at == issue.handle_due_at


def test_t03_the_sweep_escalates_an_unhandled_issue_to_the_supervisor_once(world, first_call):
    _reach(first_call, world, raised="空调有异响")
    sweep(at("2026-11-08", "23:00"))
    assert Issue._default_manager.get().status == IssueStatus.OPEN
    sweep(at("2026-11-09", "00:05"))
    sweep(at("2026-11-09", "09:00"))
    issue = Issue._default_manager.get()
    assert issue.status == IssueStatus.ESCALATED and issue.escalated_automatically
    notes = Notification.objects.filter(kind="followup.issue_escalated")
    assert list(notes.values_list("recipient_id", flat=True)) == [world.supervisor.pk]


def test_t03_the_owner_escalates_in_time_with_a_note(world, first_call):
    _reach(first_call, world, raised="要求赔偿清洗时损坏的窗帘")
    issue = Issue._default_manager.get()
    issue = services.issue_escalate(
        issue=issue, actor=world.butler, version=issue.version, note="已核实，需主管决定赔偿", now=at("2026-11-07")
    )
    assert issue.status == IssueStatus.ESCALATED and not issue.escalated_automatically
    assert Deadline.objects.get(subject_id=issue.pk, kind="escalate").state == DeadlineState.MET
    assert Notification.objects.get(kind="followup.issue_escalated").recipient == world.supervisor
    with pytest.raises(ValidationError) as err:
        services.issue_escalate(issue=issue, actor=world.butler, version=issue.version, note="")
    assert "note" in err.value.message_dict


def test_t03_a_solution_is_answered_the_same_day(world, first_call):
    _reach(first_call, world, raised="空调有异响")
    issue = Issue._default_manager.get()
    issue = services.issue_solve(
        issue=issue,
        actor=world.butler,
        version=issue.version,
        solution="明天上午派技工复查",
        now=at("2026-11-07", "15:00"),
    )
    assert issue.status == IssueStatus.SOLVED and issue.answer_due_at == at("2026-11-08", "00:00")
    issue = services.issue_answer(
        issue=issue,
        actor=world.butler,
        version=issue.version,
        answer="已电话告知客户明天上午复查",
        now=at("2026-11-07", "17:00"),
    )
    assert issue.status == IssueStatus.ANSWERED and issue.answered_at == at("2026-11-07", "17:00")
    assert Deadline.objects.get(subject_id=issue.pk, kind="answer").state == DeadlineState.MET


def test_t03_solve_and_answer_in_one_step(world, first_call):
    _reach(first_call, world, raised="想加装净水器")
    issue = Issue._default_manager.get()
    issue = services.issue_solve(
        issue=issue,
        actor=world.butler,
        version=issue.version,
        solution="周末上门报价",
        answered=True,
        now=at("2026-11-07"),
    )
    assert issue.status == IssueStatus.ANSWERED and issue.answered_at == at("2026-11-07")


def test_t03_a_solution_not_answered_that_day_is_reported(world, first_call):
    _reach(first_call, world, raised="空调有异响")
    issue = Issue._default_manager.get()
    services.issue_solve(
        issue=issue, actor=world.butler, version=issue.version, solution="派技工", now=at("2026-11-07", "15:00")
    )
    sweep(at("2026-11-08", "00:01"))
    notes = Notification.objects.filter(kind="followup.answer_overdue")
    assert set(notes.values_list("recipient_id", flat=True)) == {world.butler.pk, world.supervisor.pk}


def test_t03_answer_before_a_solution_is_refused(world, first_call):
    _reach(first_call, world, raised="空调有异响")
    issue = Issue._default_manager.get()
    with pytest.raises(TransitionError):
        services.issue_answer(issue=issue, actor=world.butler, version=issue.version, answer="x")


def test_t03_plan_is_done_when_its_last_call_is_recorded(world, plan):
    first, second = plan.calls.order_by("position")
    _reach(first, world)
    _reach(second, world, when="2026-11-12")
    assert FollowUpPlan._default_manager.get(pk=plan.pk).status == PlanStatus.DONE


def test_t03_outsider_cannot_record_a_call_or_touch_an_issue(world, first_call):
    with pytest.raises(PermissionDenied):
        services.call_record(call=first_call, actor=world.outsider, version=first_call.version, outcome="busy")
    _reach(first_call, world, raised="空调有异响")
    issue = Issue._default_manager.get()
    with pytest.raises(PermissionDenied):
        services.issue_solve(issue=issue, actor=world.outsider, version=issue.version, solution="x")


def test_t03_call_page_records_the_call_and_opens_the_issue(world, web_as, first_call):
    client = web_as(world.butler)
    url = f"/followup/calls/{first_call.pk}/"
    page = client.get(url).content.decode()
    assert "记录通话" in page and "139****5678" in page and "13912345678" not in page
    response = client.post(
        url,
        {
            "version": first_call.version,
            "outcome": "reached",
            "notes": "满意",
            "raised": "希望增加保洁次数",
            "raised_kind": "wish",
        },
        follow=True,
    )
    assert "通话已记录" in response.content.decode()
    issue = Issue._default_manager.get()
    assert issue.kind == "wish"
    issue_page = client.get(f"/followup/issues/{issue.pk}/").content.decode()
    assert "希望增加保洁次数" in issue_page
    client.post(
        f"/followup/issues/{issue.pk}/",
        {"action": "solve", "version": issue.version, "solution": "下月起每周两次", "answered": "on"},
    )
    assert Issue._default_manager.get().status == IssueStatus.ANSWERED


def test_t03_call_page_without_notes_names_the_field(world, web_as, first_call):
    client = web_as(world.butler)
    response = client.post(
        f"/followup/calls/{first_call.pk}/", {"version": first_call.version, "outcome": "reached"}, follow=True
    )
    assert "谈话要点：请记录谈话要点" in response.content.decode()


def test_t03_revealing_the_phone_on_the_call_page_is_recorded(world, web_as, first_call):
    client = web_as(world.butler)
    response = client.post(f"/followup/phone/call/{first_call.pk}/")
    assert "13912345678" in response.content.decode()
    assert Event.objects.filter(verb="pii.phone_revealed", subject_id=world.customer.pk).exists()
    assert web_as(world.technician).post(f"/followup/phone/call/{first_call.pk}/").status_code in (403, 404)


def test_t03_outsider_gets_404_for_call_issue_and_phone(world, web_as, first_call):
    _reach(first_call, world, raised="空调有异响")
    issue = Issue._default_manager.get()
    client = web_as(world.outsider)
    assert client.get(f"/followup/calls/{first_call.pk}/").status_code == 404
    assert client.post(f"/followup/calls/{first_call.pk}/", {"version": 1, "outcome": "busy"}).status_code == 404
    assert client.get(f"/followup/issues/{issue.pk}/").status_code == 404
    assert client.post(f"/followup/issues/{issue.pk}/", {"action": "escalate", "note": "x"}).status_code == 404
    assert client.post(f"/followup/phone/call/{first_call.pk}/").status_code == 404
    assert Issue._default_manager.get().status == IssueStatus.OPEN
