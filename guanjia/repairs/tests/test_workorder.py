"""The work order from request to the desk (R01–R13), through the services the pages and the API share."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.core.errors import TransitionError
from guanjia.notifications.models import Notification
from guanjia.repairs import services
from guanjia.repairs.models import LineKind, PhotoKind, RepairSource, RepairStatus, SignerRole
from guanjia.repairs.selectors import repair_timeliness
from guanjia.repairs.tests.conftest import ago
from guanjia.testing.factories import make_staff
from guanjia.testing.images import image_bytes, signature_png
from guanjia.timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


def deadline(repair, kind) -> Deadline:
    return Deadline.objects.exclude(state=DeadlineState.CANCELLED).get(subject_id=repair.pk, kind=kind)


def on_site(world, repair, at_minutes=None):
    """Write the order, tell the department, accept and arrive: the standard path up to the door."""
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    services.repair_arrive(repair=repair, actor=world.technician)
    return repair


# --- R01, R02 ----------------------------------------------------------------------------------------------------


def test_r01_a_request_is_logged_at_once_with_a_number_and_the_reported_item(world, log, tap):
    repair = log(price_item=tap)
    assert repair.status == RepairStatus.LOGGED
    assert repair.number.startswith("BX") and len(repair.number) == 12
    assert repair.first_responder == world.front_desk
    assert [(ln.kind, ln.name, ln.unit_fee_yuan) for ln in repair.lines.all()] == [
        (LineKind.REPORTED, "更换水龙头", Decimal("30.00"))
    ]
    assert Event.objects.filter(subject_id=repair.pk, verb="repair.logged").exists()


def test_r01_description_and_a_customer_are_required(world, log):
    with pytest.raises(ValidationError) as err:
        log(description=" ", customer=None)
    assert set(err.value.message_dict) == {"description", "customer"}


def test_r02_order_and_notify_limits_are_five_minutes_after_receipt(world, log, tap):
    received = ago(1)
    repair = log(price_item=tap, received_at=received)
    assert repair.order_due_at == received + timedelta(minutes=5)
    assert deadline(repair, "order").due_at == received + timedelta(minutes=5)
    assert deadline(repair, "notify").due_at == received + timedelta(minutes=5)


def test_r02_order_written_exactly_at_five_minutes_is_on_time(world, log, tap, clock):
    repair = log(price_item=tap)
    clock.advance(minutes=5)
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    assert deadline(repair, "order").state == DeadlineState.MET
    assert deadline(repair, "notify").state == DeadlineState.MET


def test_r02_order_written_a_second_after_five_minutes_is_late(world, log, tap, clock):
    repair = log(price_item=tap)
    clock.advance(minutes=5, seconds=1)
    services.repair_write_order(repair=repair, actor=world.front_desk)
    order = deadline(repair, "order")
    assert order.state == DeadlineState.MISSED and order.late and not order.met_on_time


def test_r02_telling_the_department_notifies_its_supervisor_and_technicians(world, log, tap, engineer):
    repair = log(price_item=tap)
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    assert repair.status == RepairStatus.NOTIFIED and repair.department == "engineering"
    told = set(Notification.objects.filter(kind="repair.dispatched").values_list("recipient__username", flat=True))
    assert told == {"engineer", "tech"}


def test_r02_missed_order_limit_is_swept_once_and_tells_the_desk(world, log, tap):
    repair = log(price_item=tap)
    later = timezone.now() + timedelta(minutes=6)
    first, second = sweep(later), sweep(later)
    assert len(first.missed) == 2 and not second.missed  # order and notify
    assert deadline(repair, "order").fired
    recipients = set(
        Notification.objects.filter(kind="repair.deadline_missed").values_list("recipient__username", flat=True)
    )
    assert {"frontdesk", "supervisor"} <= recipients


def test_r02_a_paper_order_typed_in_late_shows_its_passed_limits_as_missed_without_firing(world, log, tap):
    repair = log(price_item=tap, received_at=ago(60))
    assert deadline(repair, "order").state == DeadlineState.MISSED and not deadline(repair, "order").fired
    assert not sweep(timezone.now()).missed


# --- R03, R04 ---------------------------------------------------------------------------------------------------


def test_r03_urgent_standard_arrival_due_fifteen_minutes_after_acceptance(world, log, tap):
    repair = log(price_item=tap, received_at=ago(30))
    accepted = ago(20)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician, at=accepted)
    assert repair.arrive_due_at == accepted + timedelta(minutes=15)
    assert repair.status == RepairStatus.ACCEPTED and repair.assignee == world.technician
    # Accepting straight away records the work order and the department's receipt at the same moment.
    assert repair.ordered_at == accepted and repair.notified_at == accepted


def test_r03_arrival_exactly_at_fifteen_minutes_is_on_time(world, log, tap, clock):
    repair = log(price_item=tap)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    clock.advance(minutes=15)
    services.repair_arrive(repair=repair, actor=world.technician)
    assert deadline(repair, "arrive").state == DeadlineState.MET


def test_r03_arrival_a_second_after_fifteen_minutes_is_late(world, log, tap, clock):
    repair = log(price_item=tap)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    clock.advance(minutes=15, seconds=1)
    services.repair_arrive(repair=repair, actor=world.technician)
    arrive = deadline(repair, "arrive")
    assert arrive.state == DeadlineState.MISSED and arrive.late


def test_r04_appointment_arrival_due_five_minutes_before(world, log, tap, clock):
    appointment = clock.now + timedelta(hours=2)
    repair = log(price_item=tap, urgent=False, appointment_at=appointment)
    assert repair.arrive_due_at == appointment - timedelta(minutes=5)
    clock.advance(minutes=10)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    assert repair.arrive_due_at == appointment - timedelta(minutes=5)  # acceptance does not move it
    clock.now = appointment - timedelta(minutes=5)
    services.repair_arrive(repair=repair, actor=world.technician)
    assert deadline(repair, "arrive").state == DeadlineState.MET


def test_r04_arriving_at_the_appointment_itself_is_late(world, log, tap, clock):
    appointment = clock.now + timedelta(hours=2)
    repair = log(price_item=tap, urgent=False, appointment_at=appointment)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    clock.now = appointment - timedelta(minutes=4, seconds=59)
    services.repair_arrive(repair=repair, actor=world.technician)
    assert deadline(repair, "arrive").late


def test_r04_urgent_and_appointment_exclude_each_other(world, log, tap):
    with pytest.raises(ValidationError) as err:
        log(price_item=tap, urgent=True, appointment_at=timezone.now() + timedelta(hours=2))
    assert "appointment_at" in err.value.message_dict
    with pytest.raises(ValidationError):
        log(price_item=tap, urgent=False)


# --- R05 ---------------------------------------------------------------------------------------------------------


def test_r05_non_standard_assessment_due_fifteen_minutes_after_the_department_has_it(world, log):
    repair = log(received_at=ago(60))
    services.repair_write_order(repair=repair, actor=world.front_desk, at=ago(58))
    notified = ago(55)
    services.repair_notify_department(repair=repair, actor=world.front_desk, at=notified)
    assert repair.assess_due_at == notified + timedelta(minutes=15)
    assert deadline(repair, "assess").due_at == notified + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("after", "state"), [(timedelta(minutes=15), "met"), (timedelta(minutes=15, seconds=1), "missed")]
)
def test_r05_assessment_at_the_fifteen_minute_boundary(world, log, engineer, clock, after, state):
    repair = log()
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    clock.advance(seconds=after.total_seconds())
    services.repair_assess(repair=repair, actor=engineer, feasible=True, assessment="需更换阀芯", quoted_fee_yuan="80")
    assert deadline(repair, "assess").state == state
    assert repair.status == RepairStatus.QUOTED and repair.quoted_fee_yuan == Decimal("80.00")


def test_r05_non_standard_work_is_not_dispatched_before_the_customer_consents(world, log, engineer):
    repair = log()
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    with pytest.raises(TransitionError, match="R05"):
        services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    services.repair_assess(repair=repair, actor=engineer, feasible=True, assessment="可修", quoted_fee_yuan="120")
    with pytest.raises(TransitionError, match="R05"):
        services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    services.repair_record_consent(repair=repair, actor=world.front_desk, agreed=True)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    assert repair.status == RepairStatus.ACCEPTED and repair.consent_at is not None
    assert repair.arrive_due_at == repair.accepted_at + timedelta(minutes=15)  # then R03 applies


def test_r05_only_a_supervisor_assesses(world, log):
    repair = log()
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    with pytest.raises(PermissionError):
        services.repair_assess(repair=repair, actor=world.technician, feasible=True, assessment="x", quoted_fee_yuan=1)


def test_r05_infeasible_item_is_cancelled_with_the_assessment(world, log, engineer):
    repair = log()
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    services.repair_assess(
        repair=repair, actor=engineer, feasible=False, assessment="属开发商保修范围", quoted_fee_yuan=""
    )
    assert repair.status == RepairStatus.CANCELLED


def test_r05_fee_collected_by_the_desk_and_handed_to_finance(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_complete(
        repair=repair,
        actor=world.technician,
        customer_signed=True,
        fee_yuan="30",
        payment_method="cash",
        collected_by=world.front_desk,
    )
    assert repair.payment_method == "cash" and repair.collected_by == world.front_desk
    services.repair_hand_to_finance(repair=repair, actor=world.front_desk)
    assert repair.handed_to_finance_at is not None
    with pytest.raises(TransitionError):
        services.repair_hand_to_finance(repair=repair, actor=world.front_desk)


@pytest.mark.parametrize("method", ["wechat", "alipay"])
def test_r05_a_fee_paid_by_wechat_pay_or_alipay_is_recorded_and_goes_to_finance(world, log, tap, method):
    repair = on_site(world, log(price_item=tap))
    services.repair_complete(repair=repair, actor=world.technician, customer_signed=True, fee_yuan="30")
    services.repair_record_payment(
        repair=repair, actor=world.front_desk, payment_method=method, collected_by=world.front_desk
    )
    assert repair.payment_method == method and repair.get_payment_method_display() in ("微信支付", "支付宝")
    services.repair_hand_to_finance(repair=repair, actor=world.front_desk)
    assert repair.handed_to_finance_at is not None


# --- R07–R10 -----------------------------------------------------------------------------------------------------


def test_r07_actual_items_that_differ_from_the_report_need_an_explanation(world, log, tap, socket):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError) as err:
        services.repair_set_actual_items(repair=repair, actor=world.technician, items=[socket.pk])
    assert "difference_note" in err.value.message_dict
    lines = services.repair_set_actual_items(
        repair=repair,
        actor=world.technician,
        items=[{"price_item": socket.pk, "quantity": 2}],
        difference_note="漏水因插座进水，实际更换插座两个",
    )
    assert [(ln.name, ln.quantity, ln.unit_fee_yuan) for ln in lines] == [("更换插座", 2, Decimal("25.00"))]
    assert repair.lines.filter(kind=LineKind.REPORTED).count() == 1  # the report is kept as it was


def test_r07_same_items_as_reported_need_no_explanation(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_set_actual_items(repair=repair, actor=world.technician, items=[tap.pk])
    assert repair.lines.filter(kind=LineKind.ACTUAL).count() == 1


def test_r08_work_starts_after_the_customer_agrees(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_customer_agrees(repair=repair, actor=world.technician)
    assert repair.status == RepairStatus.IN_PROGRESS and repair.customer_agreed_at is not None


def test_r08_declined_order_returns_with_reason_and_two_signatures_before_filing(world, log, tap, engineer):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError):
        services.repair_decline(repair=repair, actor=world.technician, reason="", technician_signature=signature_png())
    services.repair_decline(
        repair=repair, actor=world.technician, reason="客户嫌贵", technician_signature=signature_png()
    )
    assert repair.status == RepairStatus.DECLINED and repair.decline_reason == "客户嫌贵"
    with pytest.raises(TransitionError, match="R08"):
        services.repair_return_to_desk(repair=repair, actor=world.front_desk)
    with pytest.raises(PermissionError):
        services.repair_countersign(repair=repair, actor=world.technician, signature=signature_png())
    services.repair_countersign(repair=repair, actor=engineer, signature=signature_png())
    assert set(repair.signatures.values_list("role", flat=True)) == {SignerRole.TECHNICIAN, SignerRole.SUPERVISOR}
    services.repair_return_to_desk(repair=repair, actor=world.front_desk)
    assert repair.status == RepairStatus.RETURNED


def test_r09_unacceptable_material_must_be_pointed_out_but_the_work_goes_on(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError) as err:
        services.repair_check_materials(repair=repair, actor=world.technician, supplied=True, quality="unacceptable")
    assert "materials_warned" in err.value.message_dict
    services.repair_check_materials(
        repair=repair, actor=world.technician, supplied=True, quality="poor", warned=True, note="客户坚持使用自购龙头"
    )
    assert repair.materials_quality == "poor" and repair.materials_warned
    services.repair_customer_agrees(repair=repair, actor=world.technician)  # the customer's choice is respected
    assert repair.status == RepairStatus.IN_PROGRESS


def test_r09_acceptable_material_needs_no_warning(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_check_materials(repair=repair, actor=world.technician, supplied=True, quality="acceptable")
    assert repair.materials_quality == "acceptable" and not repair.materials_warned


def test_r10_completion_needs_the_customers_signature(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError) as err:
        services.repair_complete(repair=repair, actor=world.technician, customer_signed=False, fee_yuan="30")
    assert "customer_signed" in err.value.message_dict


def test_r10_completion_time_in_the_future_is_refused(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError) as err:
        services.repair_complete(
            repair=repair,
            actor=world.technician,
            customer_signed=True,
            fee_yuan="30",
            completed_at=timezone.now() + timedelta(minutes=1),
        )
    assert "completed_at" in err.value.message_dict


def test_r10_completion_time_before_the_request_was_received_is_refused(world, log, tap):
    received = ago(30)
    repair = log(price_item=tap, received_at=received)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician, at=ago(29))
    with pytest.raises(ValidationError) as err:
        services.repair_arrive(repair=repair, actor=world.technician, at=received - timedelta(seconds=1))
    assert "at" in err.value.message_dict
    services.repair_arrive(repair=repair, actor=world.technician, at=ago(20))
    with pytest.raises(ValidationError) as err:
        services.repair_complete(
            repair=repair,
            actor=world.technician,
            customer_signed=True,
            fee_yuan="30",
            completed_at=received - timedelta(minutes=1),
        )
    assert "completed_at" in err.value.message_dict


def test_r10_customer_signature_is_kept_and_completion_records_fee_and_items(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_customer_agrees(repair=repair, actor=world.technician)
    services.repair_customer_sign(repair=repair, actor=world.technician, signature=signature_png())
    services.repair_complete(
        repair=repair, actor=world.technician, customer_signed=True, fee_yuan="30", payment_method="card"
    )
    assert repair.status == RepairStatus.COMPLETED and repair.fee_yuan == Decimal("30.00")
    assert repair.lines.filter(kind=LineKind.ACTUAL).get().name == "更换水龙头"  # as reported
    signature = repair.signatures.get(role=SignerRole.CUSTOMER)
    assert signature.signer_name == "李明"
    with pytest.raises(ValueError):
        signature.delete()


def test_r10_a_fee_needs_cash_or_card(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    with pytest.raises(ValidationError) as err:
        services.repair_complete(
            repair=repair, actor=world.technician, customer_signed=True, fee_yuan="30", payment_method="none"
        )
    assert "payment_method" in err.value.message_dict


def test_r10_photos_before_and_after_are_kept(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    before = services.repair_add_photo(
        repair=repair, actor=world.technician, kind=PhotoKind.BEFORE, upload=image_bytes("JPEG")
    )
    services.repair_add_photo(repair=repair, actor=world.technician, kind=PhotoKind.AFTER, upload=image_bytes("PNG"))
    assert [p.kind for p in repair.photos.all()] == ["before", "after"]
    assert before.image_format == "JPEG" and before.width == 640
    before.kind = "after"
    with pytest.raises(ValueError):
        before.save()


def test_r10_a_photo_is_kept_as_checked_under_its_checksum(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    photo = services.repair_add_photo(
        repair=repair, actor=world.technician, kind=PhotoKind.BEFORE, upload=image_bytes("JPEG")
    )
    with photo.image.open("rb") as kept:
        content = kept.read()
    assert hashlib.sha256(content).hexdigest() == photo.sha256 and len(content) == photo.size_bytes
    assert photo.image.name.startswith(f"repairs/{repair.pk}/photos/{photo.sha256[:16]}")
    event = Event.objects.get(verb="repair.photo_added", subject_id=repair.pk)
    assert event.data["sha256"] == photo.sha256


# --- R11, V01 ----------------------------------------------------------------------------------------------------


def test_v01_completion_plans_the_return_visit(world, log, tap):
    from guanjia.visits.models import ReturnVisit

    repair = on_site(world, log(price_item=tap))
    services.repair_complete(repair=repair, actor=world.technician, customer_signed=True, fee_yuan="0")
    visit = ReturnVisit.objects.get(object_id=repair.pk)
    assert visit.case_type == "repair" and visit.visitor_role == "front_desk"
    assert visit.due_at > repair.completed_at
    assert Event.objects.filter(subject_id=repair.pk, verb="visit.planned").exists()


def test_r11_completed_order_returns_to_the_desk(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_complete(repair=repair, actor=world.technician, customer_signed=True, fee_yuan="0")
    assert Notification.objects.filter(kind="repair.completed", recipient=world.front_desk).exists()
    services.repair_return_to_desk(repair=repair, actor=world.front_desk)
    assert repair.status == RepairStatus.RETURNED and repair.returned_at is not None


def test_r11_only_the_desk_takes_the_copy_back(world, log, tap):
    repair = on_site(world, log(price_item=tap))
    services.repair_complete(repair=repair, actor=world.technician, customer_signed=True, fee_yuan="0")
    with pytest.raises(PermissionError):
        services.repair_return_to_desk(repair=repair, actor=world.technician)


# --- R12, R13 ----------------------------------------------------------------------------------------------------


def test_r12_patrol_finding_becomes_an_order_the_same_way(world, log):
    with pytest.raises(ValidationError) as err:
        log(source=RepairSource.PATROL, unit=None, customer=None, description="3栋大堂灯不亮")
    assert "location" in err.value.message_dict
    security = make_staff(Role.SECURITY, projects=(world.estate,))
    repair = log(
        actor=security,
        source=RepairSource.PATROL,
        unit=None,
        customer=None,
        description="3栋大堂灯不亮",
        location="3栋大堂",
    )
    assert repair.status == RepairStatus.LOGGED and repair.first_responder == security
    assert deadline(repair, "order").due_at == repair.received_at + timedelta(minutes=5)


@pytest.mark.parametrize(
    "source", [RepairSource.DUTY_LOG, RepairSource.VACANT_INSPECTION, RepairSource.SECURITY_REPORT]
)
def test_r12_every_internal_source_is_accepted(world, log, source):
    repair = log(source=source, customer=None, description="空置房水管渗漏")
    assert repair.source == source


def test_r13_warranty_repair_goes_to_the_contractor_and_the_butler_keeps_daily_notes(world, log):
    with pytest.raises(ValidationError) as err:
        log(warranty=True)
    assert "contractor" in err.value.message_dict
    repair = log(warranty=True, contractor="中建三局维保部", contractor_phone="02788886666")
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    assert repair.status == RepairStatus.WITH_CONTRACTOR
    assert Notification.objects.filter(kind="repair.dispatched", recipient=world.butler).exists()
    with pytest.raises(TransitionError, match="R13"):
        services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    note = services.repair_add_note(
        repair=repair, actor=world.butler, text="维保单位已到场查看，明日更换", photos=[image_bytes("WEBP")]
    )
    assert note.photos.get().kind == PhotoKind.WARRANTY_NOTE
    services.repair_customer_sign(repair=repair, actor=world.butler, signature=signature_png())
    services.repair_complete(repair=repair, actor=world.butler, customer_signed=True, fee_yuan="0")
    assert repair.status == RepairStatus.COMPLETED


def test_r13_notes_only_on_warranty_orders(world, log, tap):
    repair = log(price_item=tap)
    with pytest.raises(TransitionError):
        services.repair_add_note(repair=repair, actor=world.butler, text="x")


# --- Timeliness, access ------------------------------------------------------------------------------------------


def test_s05_repair_timeliness_counts_every_limit_met_or_missed(world, log, tap, time_machine):
    # Mid-afternoon: the late repair, received 30 minutes ago, falls in the same month as the one done now.
    time_machine.move_to(datetime(2026, 11, 10, 15, 0, tzinfo=SH), tick=False)
    on_time = on_site(world, log(price_item=tap))
    services.repair_complete(repair=on_time, actor=world.technician, customer_signed=True, fee_yuan="0")
    late = log(price_item=tap, received_at=ago(30))
    services.repair_accept(repair=late, actor=world.technician, technician=world.technician, at=ago(10))
    services.repair_arrive(repair=late, actor=world.technician, at=ago(1))
    services.repair_complete(repair=late, actor=world.technician, customer_signed=True, fee_yuan="0")
    month = repair_timeliness(project=world.estate, month=timezone.localdate())
    assert (month.total, month.completed, month.on_time) == (2, 2, 1)
    assert month.by_kind["order"].met_on_time == 1 and month.by_kind["order"].met_late == 1
    assert month.by_kind["arrive"].met_on_time == 2  # the late order was reached in time once accepted


def test_o04_outsider_can_do_nothing_to_an_order(world, log, tap):
    repair = log(price_item=tap)
    outsider = world.outsider
    with pytest.raises(PermissionError):
        services.repair_write_order(repair=repair, actor=outsider)
    with pytest.raises(PermissionError):
        services.repair_notify_department(repair=repair, actor=outsider)
    with pytest.raises(ValidationError):
        services.repair_accept(repair=repair, actor=outsider, technician=outsider)
    with pytest.raises(PermissionError):
        services.repair_accept(repair=repair, actor=outsider, technician=world.technician)
    for write in (services.repair_arrive, services.repair_customer_agrees):
        with pytest.raises(PermissionError):
            write(repair=repair, actor=outsider)
    with pytest.raises(PermissionError):
        services.repair_add_photo(repair=repair, actor=outsider, kind="before", upload=image_bytes())
    with pytest.raises(PermissionError):
        services.repair_cancel(repair=repair, actor=outsider, reason="x")
    with pytest.raises(PermissionError):
        services.repair_log(project=world.estate, request=services.RepairRequest(description="x"), actor=outsider)


def test_another_technician_may_not_work_an_order_assigned_to_a_colleague(world, log, tap):
    repair = log(price_item=tap)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    colleague = make_staff(Role.TECHNICIAN, projects=(world.estate,))
    with pytest.raises(PermissionError):
        services.repair_arrive(repair=repair, actor=colleague)


def test_a_stale_order_is_a_conflict(world, log, tap):
    from guanjia.core.errors import ConflictError
    from guanjia.repairs.models import Repair

    repair = log(price_item=tap)
    stale = Repair.objects.get(pk=repair.pk)
    services.repair_write_order(repair=repair, actor=world.front_desk)
    with pytest.raises(ConflictError):
        services.repair_write_order(repair=stale, actor=world.front_desk)


def test_r03_accepting_again_does_not_move_the_arrival_limit(world, log, tap, engineer, clock):
    repair = log(price_item=tap)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    due = repair.arrive_due_at
    clock.advance(minutes=10)
    with pytest.raises(TransitionError):
        services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    colleague = make_staff(Role.TECHNICIAN, projects=(world.estate,))
    services.repair_accept(repair=repair, actor=engineer, technician=colleague)  # T05: the supervisor reassigns
    assert repair.assignee == colleague and repair.arrive_due_at == due == deadline(repair, "arrive").due_at
