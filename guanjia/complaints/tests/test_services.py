"""Complaint services (C01–C20): registration, nature, grading and regrading, incidents, handling, signature."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.cases.models import DeadlineState
from guanjia.complaints import services
from guanjia.complaints.models import Complaint, ComplaintSignature, MailEntry
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.notifications.models import Notification
from guanjia.testing.factories import make_customer, make_unit
from guanjia.testing.images import signature_png
from guanjia.timeline.models import Event


def register(world, *, actor=None, **kw):
    kw.setdefault("channel", "phone")
    kw.setdefault("description", "楼道灯坏了三天没人修")
    if "customer_name" not in kw:
        kw.setdefault("customer", world.customer)
    return services.complaint_register(project=world.estate, actor=actor or world.front_desk, **kw)


def verbs(complaint) -> list[str]:
    return list(
        Event.objects.filter(subject_id=complaint.pk, verb__startswith="complaint.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def deadline(complaint, kind):
    return complaint.deadlines.exclude(state=DeadlineState.CANCELLED).filter(kind=kind).order_by("-id").first()


def png(width=300, height=120) -> bytes:
    return signature_png(size=(width, height))


# --- C01–C03 registration -----------------------------------------------------------------------------------


def test_c02_registration_records_what_the_customer_said_and_times_it(world):
    complaint = register(
        world,
        location="3栋大堂",
        against_department="engineering",
        against_person="刘师傅",
        customer_request="今天修好",
        occurred_at=timezone.now() - timedelta(days=3),
    )
    assert complaint.number.startswith("TS")
    assert complaint.unit == world.unit  # defaults to the customer's first unit
    assert complaint.status == "registered" and complaint.grade == "general"
    assert complaint.first_responder == world.front_desk
    assert verbs(complaint) == ["complaint.registered"]
    assert {d.kind for d in complaint.deadlines.all()} == {"response", "resolve"}


def test_c02_a_customers_complaint_is_about_their_first_unit_unless_it_names_one(world):
    first, second = make_unit(world.estate), make_unit(world.estate)
    # Their tie to the second unit written first: the first unit is the one of the lowest id, not the oldest tie.
    customer = make_customer(world.estate, name="李四", units=(second, first))
    assert register(world, customer=customer).unit == first
    assert register(world, customer=customer, unit=second).unit == second
    assert register(world, customer=make_customer(world.estate, name="王五")).unit is None


def test_c01_caller_not_in_archive_needs_name_and_phone(world):
    complaint = register(world, customer_name="路人甲", contact_phone="139-0000 1111")
    assert complaint.customer is None and complaint.contact_phone == "13900001111"
    with pytest.raises(ValidationError) as err:
        register(world, customer_name="路人甲")
    assert "customer" in err.value.message_dict


def test_c01_unknown_channel_is_refused(world):
    with pytest.raises(ValidationError) as err:
        register(world, channel="pigeon")
    assert "channel" in err.value.message_dict
    assert Complaint.objects.count() == 0


def test_c03_forwarded_complaint_keeps_its_first_responder(world):
    complaint = register(world, first_responder=world.technician)
    assert complaint.first_responder == world.technician and complaint.registered_by == world.front_desk


def test_c02_a_technician_does_not_register_and_an_outsider_cannot_register_here(world):
    with pytest.raises(PermissionError):
        register(world, actor=world.technician)
    with pytest.raises(PermissionError):
        register(world, actor=world.outsider)
    assert Complaint.objects.count() == 0


def test_c02_customer_of_another_project_is_refused(world):
    with pytest.raises(ValidationError) as err:
        register(world, customer=world.other_customer)
    assert "customer" in err.value.message_dict


def test_c02_received_at_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as err:
        register(world, received_at=timezone.now() + timedelta(hours=1))
    assert "received_at" in err.value.message_dict


def test_c17_letter_is_logged_in_the_incoming_mail_register_and_answered_in_writing(world):
    complaint = register(world, channel="letter", mail={"sender": "李明", "subject": "关于电梯"})
    entry = MailEntry.objects.get(complaint=complaint)
    assert entry.sender == "李明" and entry.subject == "关于电梯"
    assert Notification.objects.filter(recipient=world.office_manager, kind="complaint.letter").exists()
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.letter").exists()
    entry = services.complaint_reply_in_writing(complaint=complaint, text="书面答复如下……", actor=world.supervisor)
    assert entry.replied_at is not None and entry.replied_by == world.supervisor
    assert "complaint.replied_in_writing" in verbs(complaint)
    with pytest.raises(TransitionError):
        services.complaint_reply_in_writing(complaint=complaint, text="再答复", actor=world.supervisor)


def test_c17_a_phone_complaint_has_no_mail_entry_to_reply_to(world):
    with pytest.raises(TransitionError):
        services.complaint_reply_in_writing(complaint=register(world), text="答复", actor=world.supervisor)


def test_c18_special_service_complaint_is_flagged(world):
    assert register(world, special_service=True).special_service is True


# --- C04 nature ------------------------------------------------------------------------------------------------


def test_c04_desk_records_nature_and_invalid_needs_a_reason(world):
    complaint = register(world)
    with pytest.raises(ValidationError) as err:
        services.complaint_set_nature(complaint=complaint, nature="invalid", actor=world.front_desk)
    assert "reason" in err.value.message_dict
    complaint = services.complaint_set_nature(
        complaint=complaint, nature="invalid", reason="市政停水，非物业责任", actor=world.front_desk
    )
    assert complaint.nature == "invalid"
    # Changing a decided nature is a supervisor's decision.
    with pytest.raises(PermissionError):
        services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)


def test_c04_desk_refers_the_nature_to_the_supervisor_who_decides(world):
    complaint = services.complaint_set_nature(
        complaint=register(world), nature="", refer=True, reason="难以判断", actor=world.front_desk
    )
    assert complaint.nature_referred and complaint.nature == "undetermined"
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.nature_referred").exists()
    with pytest.raises(PermissionError):
        services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.supervisor)
    assert complaint.nature == "valid"
    assert verbs(complaint)[-2:] == ["complaint.nature_referred", "complaint.nature_set"]


def test_c04_invalid_complaint_is_completed_straight_from_registration_with_its_polite_answer(world):
    complaint = register(world)
    with pytest.raises(TransitionError):
        services.complaint_complete(complaint=complaint, result="已解释", actor=world.front_desk)
    complaint = services.complaint_set_nature(
        complaint=complaint, nature="invalid", reason="不属物业服务范围", actor=world.front_desk
    )
    complaint = services.complaint_complete(
        complaint=complaint, result="已向客户礼貌解释并提供自来水公司电话", actor=world.front_desk
    )
    assert complaint.status == "completed" and complaint.result.startswith("已向客户礼貌解释")
    # every limit ended but C16's same-day reply, which completion starts
    assert list(complaint.deadlines.filter(state=DeadlineState.PENDING).values_list("kind", flat=True)) == ["inform"]


# --- C05–C09 grade at registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "grade"),
    [
        ({}, "general"),
        ({"economic_loss_yuan": Decimal("1999.99")}, "general"),
        ({"economic_loss_yuan": Decimal("2000")}, "significant"),
        ({"economic_loss_yuan": Decimal("9999.99")}, "significant"),
        ({"economic_loss_yuan": Decimal("10000")}, "major"),
        ({"economic_loss_yuan": Decimal("99999.99")}, "major"),
        ({"economic_loss_yuan": Decimal("100000")}, "critical"),
        ({"injury": "minor"}, "significant"),
        ({"injury": "serious"}, "major"),
        ({"deaths": 1}, "critical"),
        ({"media_days": 1}, "significant"),
        ({"media_days": 2}, "major"),
        ({"media_outlets": 2}, "significant"),
        ({"media_outlets": 3}, "major"),
        ({"repeat_count": 1}, "general"),
        ({"repeat_count": 2}, "significant"),
        ({"repeat_count": 8}, "significant"),
        ({"repeat_count": 9}, "major"),
        ({"to_authorities": True}, "major"),
    ],
)
def test_c05_c06_c07_c08_c09_grade_at_registration_and_its_boundaries(world, facts, grade):
    complaint = register(world, facts=facts)
    assert complaint.grade == grade and complaint.computed_grade == grade
    assert complaint.grade_reasons


def test_c05_complaint_to_authorities_is_at_least_major_and_names_its_rule(world):
    complaint = register(world, facts={"to_authorities": True})
    assert complaint.grade == "major"
    assert any(r["rule"] == "C05" for r in complaint.grade_reasons)


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"economic_loss_yuan": "-1"}, "economic_loss_yuan"),
        ({"deaths": -1}, "deaths"),
        ({"injury": "bruised"}, "injury"),
        ({"to_authorities": "yes"}, "to_authorities"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_c06_bad_facts_are_refused_by_name(world, facts, field):
    with pytest.raises(ValidationError) as err:
        register(world, facts=facts)
    assert field in err.value.message_dict
    assert Complaint.objects.count() == 0


# --- C10 regrade, never silently lowered, lowering ----------------------------------------------------------------


def test_c10_a_fact_change_regrades_and_records_before_and_after(world):
    complaint = register(world)
    complaint = services.complaint_update_facts(
        complaint=complaint,
        version=complaint.version,
        changes={"economic_loss_yuan": Decimal("12000")},
        actor=world.supervisor,
        reason="定损结果",
    )
    assert complaint.grade == "major" and complaint.escalate_to == "general_manager"
    facts = Event.objects.get(subject_id=complaint.pk, verb="complaint.facts_changed")
    assert facts.data["economic_loss_yuan"] == {"from": "0.00", "to": "12000.00"}
    regraded = Event.objects.get(subject_id=complaint.pk, verb="complaint.regraded")
    assert regraded.data["grade_from"] == "general" and regraded.data["grade"] == "major"
    # C13 after the raise: an escalation limit from the moment of the raise, the response limit tightened
    escalate = deadline(complaint, "escalate")
    assert escalate.data == {"escalate_to": "general_manager"}
    assert deadline(complaint, "response").due_at <= complaint.received_at + timedelta(minutes=10)


def test_c10_a_stale_version_is_a_conflict_and_changes_nothing(world):
    complaint = register(world)
    with pytest.raises(ConflictError):
        services.complaint_update_facts(
            complaint=complaint, version=complaint.version - 1, changes={"deaths": 1}, actor=world.supervisor
        )
    assert Complaint.objects.get(pk=complaint.pk).grade == "general"


def test_c10_grade_is_never_silently_lowered(world):
    complaint = register(world, facts={"economic_loss_yuan": Decimal("12000")})
    assert complaint.grade == "major"
    complaint = services.complaint_update_facts(
        complaint=complaint,
        version=complaint.version,
        changes={"economic_loss_yuan": Decimal("500")},
        actor=world.supervisor,
        reason="重新定损",
    )
    assert complaint.computed_grade == "general"
    assert complaint.grade == "major"  # kept
    event = Event.objects.filter(subject_id=complaint.pk, verb="complaint.regraded").latest("id")
    assert event.data["kept"] is True and event.data["computed"] == "general" and event.data["grade"] == "major"


def test_c10_lowering_needs_a_supervisor_and_a_reason_and_is_kept_in_the_history(world):
    complaint = register(world, facts={"media_days": 2})
    assert complaint.grade == "major"
    with pytest.raises(PermissionError):
        services.complaint_lower_grade(
            complaint=complaint, grade="significant", reason="报道已撤", actor=world.front_desk
        )
    with pytest.raises(ValidationError) as err:
        services.complaint_lower_grade(complaint=complaint, grade="significant", reason=" ", actor=world.supervisor)
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.complaint_lower_grade(complaint=complaint, grade="critical", reason="x", actor=world.supervisor)
    complaint = services.complaint_lower_grade(
        complaint=complaint, grade="significant", reason="报道已撤稿", actor=world.supervisor
    )
    assert complaint.grade == "significant" and complaint.escalate_to == "office_manager"
    event = Event.objects.get(subject_id=complaint.pk, verb="complaint.grade_lowered")
    assert event.actor == world.supervisor and event.reason == "报道已撤稿"
    assert event.data == {"from": "major", "to": "significant", "computed": "major"}
    # A fact change that gives no more than before does not undo the supervisor's decision.
    complaint = services.complaint_update_facts(
        complaint=complaint, version=complaint.version, changes={"location": "2栋"}, actor=world.supervisor
    )
    assert complaint.grade == "significant"


# --- C11 mishandled ---------------------------------------------------------------------------------------------


def test_c11_mishandled_raises_one_step_and_needs_a_supervisor_and_reason(world):
    complaint = register(world)
    with pytest.raises(PermissionError):
        services.complaint_mark_mishandled(complaint=complaint, reason="推诿", actor=world.front_desk)
    with pytest.raises(ValidationError):
        services.complaint_mark_mishandled(complaint=complaint, reason="", actor=world.supervisor)
    complaint = services.complaint_mark_mishandled(complaint=complaint, reason="推诿", actor=world.supervisor)
    assert complaint.grade == "significant" and complaint.mishandled_count == 1
    complaint = services.complaint_mark_mishandled(complaint=complaint, reason="再次推诿", actor=world.office_manager)
    assert complaint.grade == "major"
    assert verbs(complaint).count("complaint.mishandled") == 2


def test_c11_mishandled_after_a_lowering_still_raises_one_step_from_the_current_grade(world):
    complaint = register(world, facts={"media_days": 2})
    complaint = services.complaint_lower_grade(
        complaint=complaint, grade="general", reason="误报", actor=world.supervisor
    )
    complaint = services.complaint_mark_mishandled(complaint=complaint, reason="拖延", actor=world.supervisor)
    assert complaint.grade == "significant"


# --- C12 incidents ------------------------------------------------------------------------------------------------


def _customers(world, n):
    return [make_customer(world.estate, name=f"业主{i}", phones=(f"1390000{i:04d}",)) for i in range(n)]


def test_c12_tenth_customer_joining_an_incident_makes_every_complaint_critical(world):
    incident = services.incident_create(project=world.estate, title="3栋电梯困人", actor=world.front_desk)
    customers = _customers(world, 10)
    nine = [register(world, customer=c, incident=incident, description="电梯困人") for c in customers[:9]]
    assert {Complaint.objects.get(pk=c.pk).grade for c in nine} == {"general"}
    # The tenth customer's complaint is registered first and then linked (one click on the suggestion).
    tenth = register(world, customer=customers[9], description="电梯又困人了")
    tenth = services.complaint_link_incident(complaint=tenth, incident=incident, actor=world.front_desk)
    assert tenth.grade == "critical"
    for c in nine:
        fresh = Complaint.objects.get(pk=c.pk)
        assert fresh.grade == "critical" and fresh.computed_grade == "critical"
        event = Event.objects.filter(subject_id=c.pk, verb="complaint.regraded").latest("id")
        assert event.data["cause"] == "incident" and event.data["customers_in_incident"] == 10
        assert event.data["grade_from"] == "general" and event.data["grade"] == "critical"
        assert any(r["rule"] == "C06" for r in fresh.grade_reasons)
    # C14 / the board's alarm: the roles that must act within a minute got an urgent alert.
    for person in (world.general_manager, world.office_manager, world.supervisor):
        assert Notification.objects.filter(recipient=person, level="urgent", kind="complaint.critical").count() == 10


def test_c12_the_same_customer_twice_counts_once_and_callers_count_by_phone(world):
    incident = services.incident_create(project=world.estate, title="停水", actor=world.front_desk)
    register(world, incident=incident)
    register(world, incident=incident)
    register(world, customer_name="路人", contact_phone="13811112222", incident=incident)
    register(world, customer_name="路人", contact_phone="138 1111 2222", incident=incident)
    from guanjia.complaints.incidents import incident_customer_count

    assert incident_customer_count(incident) == 2


def test_c12_unlinking_regrades_but_never_lowers(world):
    incident = services.incident_create(project=world.estate, title="停车场积水", actor=world.front_desk)
    complaints = [register(world, customer=c, incident=incident) for c in _customers(world, 10)]
    assert Complaint.objects.get(pk=complaints[0].pk).grade == "critical"
    services.complaint_link_incident(complaint=complaints[-1], incident=None, actor=world.supervisor)
    first = Complaint.objects.get(pk=complaints[0].pk)
    assert first.computed_grade == "general" and first.grade == "critical"


def test_c12_incident_of_another_project_cannot_be_linked(world):
    other = services.incident_create(project=world.other_estate, title="外", actor=world.outsider)
    with pytest.raises(ValidationError):
        services.complaint_link_incident(complaint=register(world), incident=other, actor=world.front_desk)


# --- C13 deadlines per grade at registration -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "response", "escalate", "escalate_to"),
    [
        ({}, 10, None, ""),
        ({"injury": "minor"}, 8, 8, "office_manager"),
        ({"injury": "serious"}, 5, 5, "general_manager"),
        ({"deaths": 1}, 1, 1, "general_manager"),
    ],
)
def test_c13_response_and_escalation_limits_per_grade(world, facts, response, escalate, escalate_to):
    at = timezone.now().replace(microsecond=0)
    complaint = register(world, facts=facts, received_at=at, now=at)
    assert deadline(complaint, "response").due_at == at + timedelta(minutes=response)
    assert complaint.escalate_to == escalate_to
    if escalate is None:
        assert deadline(complaint, "escalate") is None
    else:
        assert deadline(complaint, "escalate").due_at == at + timedelta(minutes=escalate)
        assert deadline(complaint, "escalate").data["escalate_to"] == escalate_to


def test_c13_resolve_general_12h_or_the_customers_requested_deadline(world):
    at = timezone.now().replace(microsecond=0)
    assert deadline(register(world, received_at=at, now=at), "resolve").due_at == at + timedelta(hours=12)
    asked = at + timedelta(hours=3)
    complaint = register(world, received_at=at, now=at, requested_deadline=asked)
    assert deadline(complaint, "resolve").due_at == asked


def test_c13_resolve_significant_48h_major_5_days_to_midnight_critical_agreed(world):
    from guanjia.workdays.deadlines import end_of_days

    at = timezone.now().replace(microsecond=0)
    significant = register(world, facts={"injury": "minor"}, received_at=at, now=at)
    assert deadline(significant, "resolve").due_at == at + timedelta(hours=48)
    major = register(world, facts={"injury": "serious"}, received_at=at, now=at)
    due = deadline(major, "resolve").due_at
    assert due == end_of_days(at, 5)  # V04: the day of registration does not count, ends at 24:00
    local = timezone.localtime(due)
    assert (local.hour, local.minute) == (0, 0)
    critical = register(world, facts={"deaths": 1}, received_at=at, now=at)
    assert deadline(critical, "resolve") is None
    agreed = at + timedelta(days=20)
    critical = services.complaint_agree_deadline(complaint=critical, deadline=agreed, actor=world.general_manager)
    assert deadline(critical, "resolve").due_at == agreed and deadline(critical, "resolve").data["agreed"] is True
    # A later raise never replaces an agreed deadline.
    major = services.complaint_agree_deadline(complaint=major, deadline=agreed, actor=world.office_manager)
    major = services.complaint_update_facts(
        complaint=major, version=major.version, changes={"deaths": 1}, actor=world.supervisor
    )
    assert major.grade == "critical" and deadline(major, "resolve").due_at == agreed


def test_c13_dispatch_then_acknowledge_meets_the_response_limit_with_who_and_when(world):
    complaint = register(world)
    with pytest.raises(TransitionError):
        services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    complaint = services.complaint_dispatch(
        complaint=complaint, department="engineering", assignee=world.technician, actor=world.front_desk
    )
    assert complaint.status == "dispatched" and complaint.assignee == world.technician
    complaint = services.complaint_acknowledge(complaint=complaint, actor=world.technician)
    assert complaint.status == "acknowledged" and complaint.acknowledged_by == world.technician
    response = complaint.deadlines.get(kind="response")
    assert response.state == "met" and response.met_at == complaint.acknowledged_at
    assert verbs(complaint)[-2:] == ["complaint.dispatched", "complaint.acknowledged"]


def test_c13_escalation_is_acknowledged_by_its_role_only(world):
    complaint = register(world, facts={"injury": "minor"})  # significant → office manager
    with pytest.raises(PermissionError):
        services.complaint_acknowledge_escalation(complaint=complaint, actor=world.supervisor)
    complaint = services.complaint_acknowledge_escalation(complaint=complaint, actor=world.office_manager)
    assert deadline(complaint, "escalate").state == "met"
    with pytest.raises(TransitionError):
        services.complaint_acknowledge_escalation(complaint=register(world), actor=world.general_manager)


def test_c13_acknowledge_at_may_be_past_but_not_future_nor_before_received(world):
    at = timezone.now() - timedelta(hours=1)
    complaint = register(world, received_at=at)
    complaint = services.complaint_dispatch(complaint=complaint, department="security", actor=world.front_desk, at=at)
    for bad in (timezone.now() + timedelta(hours=1), at - timedelta(minutes=1)):
        with pytest.raises(ValidationError) as err:
            services.complaint_acknowledge(complaint=complaint, actor=world.technician, at=bad)
        assert "at" in err.value.message_dict
    complaint = services.complaint_acknowledge(
        complaint=complaint, actor=world.technician, at=at + timedelta(minutes=5)
    )
    # Entered after the fact: the limit was created missed (C11) and now records that it was kept in time.
    response = complaint.deadlines.get(kind="response")
    assert response.met_at == at + timedelta(minutes=5) and response.late is False and response.met_on_time


# --- C14 reports to managers -------------------------------------------------------------------------------------


def test_c14_significant_goes_to_the_office_manager_major_also_to_the_general_manager(world):
    register(world, facts={"injury": "minor"})
    assert Notification.objects.filter(recipient=world.office_manager, kind="complaint.graded").count() == 1
    assert not Notification.objects.filter(recipient=world.general_manager).exists()
    register(world, facts={"injury": "serious"})
    assert Notification.objects.filter(recipient=world.general_manager, kind="complaint.graded").count() == 1
    register(world)
    assert Notification.objects.filter(recipient=world.office_manager, kind="complaint.graded").count() == 2


def test_c14_critical_at_registration_is_an_urgent_alert_for_those_who_act_within_a_minute(world):
    register(world, facts={"deaths": 1})
    for person in (world.general_manager, world.office_manager, world.supervisor):
        assert Notification.objects.filter(recipient=person, level="urgent").count() == 1
    assert not Notification.objects.filter(recipient=world.front_desk).exists()


# --- C15, C16 handling ----------------------------------------------------------------------------------------


def test_c15_notes_and_completion_meet_the_resolve_limit_and_end_the_others(world):
    complaint = register(world)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    services.complaint_add_note(complaint=complaint, text="已更换灯管", actor=world.technician)
    complaint = services.complaint_set_next_reply(
        complaint=complaint, reply_at=timezone.now() + timedelta(hours=2), actor=world.front_desk
    )
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)  # C04
    complaint = services.complaint_complete(complaint=complaint, result="灯已修好", actor=world.front_desk)
    assert complaint.status == "completed" and complaint.completed_at is not None
    assert complaint.deadlines.get(kind="resolve").state == "met"
    # every limit ended but C16's same-day reply, which completion starts
    assert list(complaint.deadlines.filter(state=DeadlineState.PENDING).values_list("kind", flat=True)) == ["inform"]
    assert "complaint.note" in verbs(complaint)
    with pytest.raises(TransitionError):
        services.complaint_complete(complaint=complaint, result="again", actor=world.front_desk)


def test_c15_completion_after_the_limit_is_recorded_late(world):
    at = timezone.now() - timedelta(hours=13)
    complaint = register(world, received_at=at)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)  # C04
    complaint = services.complaint_complete(complaint=complaint, result="修好", actor=world.front_desk)
    resolve = complaint.deadlines.get(kind="resolve")
    assert resolve.state == "missed" and resolve.late is True and resolve.met_at == complaint.completed_at
    assert Event.objects.get(subject_id=complaint.pk, verb="complaint.completed").data["late"] is True


def test_c15_completed_at_in_the_future_or_before_received_is_refused(world):
    at = timezone.now() - timedelta(hours=2)
    complaint = services.complaint_dispatch(
        complaint=register(world, received_at=at), department="engineering", actor=world.front_desk
    )
    for bad in (timezone.now() + timedelta(minutes=5), at - timedelta(seconds=1)):
        with pytest.raises(ValidationError) as err:
            services.complaint_complete(complaint=complaint, result="x", completed_at=bad, actor=world.front_desk)
        assert "completed_at" in err.value.message_dict
    assert Complaint.objects.get(pk=complaint.pk).status == "dispatched"


def test_c16_next_reply_has_a_reminder_before_it_and_informing_keeps_it(world):
    complaint = register(world)
    reply_at = timezone.now() + timedelta(hours=3)
    complaint = services.complaint_set_next_reply(complaint=complaint, reply_at=reply_at, actor=world.front_desk)
    next_reply = deadline(complaint, "next_reply")
    assert next_reply.remind_at == reply_at - timedelta(minutes=30)
    complaint = services.complaint_inform_customer(
        complaint=complaint, method="phone", note="告知维修进度", actor=world.front_desk
    )
    assert complaint.customer_informed_method == "phone"
    assert deadline(complaint, "next_reply").state == "met"
    with pytest.raises(ValidationError):
        services.complaint_set_next_reply(
            complaint=complaint, reply_at=timezone.now() - timedelta(minutes=1), actor=world.front_desk
        )


# --- C19, C20 ------------------------------------------------------------------------------------------------------


def test_c19_group_complaint_records_the_meeting_or_notice(world):
    complaint = services.complaint_record_group_measure(
        complaint=register(world),
        measure="meeting",
        at=timezone.now(),
        note="与10位业主座谈",
        actor=world.office_manager,
    )
    assert complaint.group_measure == "meeting" and "complaint.group_measure" in verbs(complaint)


def test_c20_signature_is_kept_and_signing_again_adds_one(world):
    complaint = register(world)
    data_url = "data:image/png;base64," + base64.b64encode(png()).decode()
    first = services.complaint_sign(
        complaint=complaint, image=data_url, signer_name="李明", opinion="满意", actor=world.front_desk
    )
    assert first.image.read() == png() and len(first.sha256) == 64
    services.complaint_sign(complaint=complaint, image=png(), signer_name="李明", actor=world.front_desk)
    assert ComplaintSignature.objects.filter(complaint=complaint).count() == 2
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        first.delete()
    assert verbs(complaint).count("complaint.signed") == 2


@pytest.mark.parametrize(
    "image",
    [
        "data:image/jpeg;base64,AAAA",
        "data:image/png;base64,not-base64!!",
        base64.b64encode(b"not a png").decode(),
        b"\x89PNG\r\n\x1a\n garbage",
        "",
    ],
)
def test_c20_a_signature_must_really_be_a_png(world, image):
    with pytest.raises(ValidationError) as err:
        services.complaint_sign(complaint=register(world), image=image, signer_name="李明", actor=world.front_desk)
    assert "image" in err.value.message_dict
    assert ComplaintSignature.objects.count() == 0


def test_c20_a_signature_of_absurd_size_is_refused(world):
    with pytest.raises(ValidationError):
        services.complaint_sign(
            complaint=register(world), image=png(10, 10), signer_name="李明", actor=world.front_desk
        )
