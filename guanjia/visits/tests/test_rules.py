"""Return visits by the rules: planning (V01–V04), doing (V03, V05–V07), quotas (V08), household visits (V09)
and records (V10)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline
from guanjia.cases.services import sweep
from guanjia.complaints.models import Complaint
from guanjia.complaints.services import complaint_complete, complaint_dispatch, complaint_set_nature
from guanjia.core.errors import TransitionError
from guanjia.notifications.models import Notification
from guanjia.repairs.models import Repair
from guanjia.testing.factories import make_customer, make_staff, make_unit
from guanjia.timeline.models import Event
from guanjia.visits import selectors, services
from guanjia.visits.models import (
    HouseholdVisit,
    Outcome,
    ReturnVisit,
    ServiceKind,
    VisitStatus,
)
from guanjia.visits.services import ServiceFacts, VisitResult, return_visit_plan
from guanjia.visits.tests.conftest import SH, at


def local(value: datetime) -> datetime:
    return timezone.localtime(value)


def repair(world, number: str = "BX2609300001") -> Repair:
    return Repair.objects.create(
        project=world.estate,
        number=number,
        unit=world.unit,
        customer=world.customer,
        received_at=at(2026, 1, 5, 9, 0),
        registered_by=world.front_desk,
        description="漏水",
    )


# --- V01–V04: planning ---------------------------------------------------------------------------------------


def test_v01_v04_complaint_completed_before_national_day_is_due_end_of_9_october(world, completed_complaint):
    complaint = completed_complaint(at(2026, 9, 30, 15, 0))
    visit = ReturnVisit.objects.get(object_id=complaint.pk, case_type="complaint")
    assert local(visit.due_at) == at(2026, 10, 10, 0, 0)  # 24:00 of Fri 9 October: 1–7 Oct are holidays
    assert visit.visitor_role == "front_desk"  # V02: a general complaint
    assert visit.customer == world.customer and visit.grade == "general"
    assert not visit.on_site_required


def test_v04_spring_festival_2026_pushes_a_visit_past_the_holiday(world):
    # Completed Fri 13 Feb 2026; Sat 14 Feb is a make-up working day, 15–23 Feb the Spring Festival holiday.
    visit = return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2026, 2, 13, 16, 0), actor=None)
    assert local(visit.due_at) == at(2026, 2, 25, 0, 0)  # 2nd working day: Sat 14 Feb, then Tue 24 Feb


def test_v04_make_up_working_saturday_counts_as_a_working_day(world):
    # Fri 9 Oct 2026 completed; Sat 10 Oct is a make-up working day: 1 working day later is its end.
    other = return_visit_plan(case=repair(world), case_type="other", completed_at=at(2026, 10, 9, 11, 0), actor=None)
    assert local(other.due_at) == at(2026, 10, 11, 0, 0)


def test_v04_a_year_without_a_published_calendar_counts_weekends_only(world):
    # 2027 is not published: Fri 1 Oct 2027 + 2 working days = Tue 5 Oct (no National Day holidays assumed).
    visit = return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2027, 10, 1, 10, 0), actor=None)
    assert local(visit.due_at) == at(2027, 10, 6, 0, 0)


def test_v01_v02_v03_major_complaint_is_visited_on_site_by_the_general_manager(world, completed_complaint):
    complaint = completed_complaint(at(2026, 11, 2, 15, 0), facts={"economic_loss_yuan": "60000"})
    assert complaint.grade in ("major", "critical")
    visit = ReturnVisit.objects.get(object_id=complaint.pk, case_type="complaint")
    assert visit.visitor_role == "general_manager"
    assert visit.on_site_required
    assert local(visit.due_at) == at(2026, 11, 4, 0, 0)  # V01: 1 working day: end of Tue 3 Nov


def test_v01_v02_major_complaint_completed_on_a_wednesday_is_due_at_the_end_of_thursday(world, completed_complaint):
    # A week of 2026 without holidays: completed Wed 4 Nov 2026 → due 24:00 Thu 5 Nov.
    complaint = completed_complaint(at(2026, 11, 4, 15, 0), facts={"economic_loss_yuan": "20000"})
    assert complaint.grade == "major"
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    assert visit.case_type == "complaint" and visit.grade == "major"
    assert local(visit.due_at) == at(2026, 11, 6, 0, 0)
    assert visit.visitor_role == "general_manager"  # V02
    assert visit.on_site_required  # V01/V03: on site
    general = completed_complaint(at(2026, 11, 4, 15, 0))  # a general complaint keeps its 2 working days
    assert local(ReturnVisit.objects.get(object_id=general.pk).due_at) == at(2026, 11, 7, 0, 0)


def test_v01_v02_major_complaint_of_an_incident_completed_on_a_wednesday_is_due_at_the_end_of_thursday(
    world, completed_complaint
):
    from guanjia.complaints.services import incident_create

    incident = incident_create(project=world.estate, title="电梯困人", actor=world.supervisor)
    complaint = completed_complaint(at(2026, 11, 4, 15, 0), facts={"economic_loss_yuan": "20000"}, incident=incident)
    assert complaint.grade == "major"
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    assert visit.case_type == "incident"
    assert local(visit.due_at) == at(2026, 11, 6, 0, 0)  # 24:00 Thu 5 Nov
    assert visit.visitor_role == "general_manager"
    assert visit.on_site_required


def test_v01_v02_general_manager_may_name_the_office_manager_to_visit_major_complaints(world, completed_complaint):
    from guanjia.policy.services import policy_set

    policy_set(
        company=world.company,
        project=world.estate,
        key="visit.visitor_role.complaint_major",
        value="office_manager",
        actor=world.general_manager,
    )
    complaint = completed_complaint(at(2026, 11, 4, 15, 0), facts={"economic_loss_yuan": "20000"})
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    assert (visit.visitor_role, visit.on_site_required) == ("office_manager", True)
    assert local(visit.due_at) == at(2026, 11, 6, 0, 0)


def test_v01_critical_complaint_of_an_incident_is_visited_within_one_working_day(world, completed_complaint):
    from guanjia.complaints.services import incident_create

    incident = incident_create(project=world.estate, title="停水", actor=world.supervisor)
    complaint = completed_complaint(at(2026, 11, 2, 15, 0), facts={"economic_loss_yuan": "200000"}, incident=incident)
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    assert visit.case_type == "incident"
    assert local(visit.due_at) == at(2026, 11, 4, 0, 0)  # end of Tue 3 Nov
    assert visit.on_site_required


def test_v01_activity_visits_a_20_percent_sample_of_its_participants(world):
    people = [make_customer(world.estate, name=f"参加者{i}", units=(world.unit,)) for i in range(11)]
    facts = ServiceFacts(
        kind=ServiceKind.ACTIVITY, title="中秋游园", completed_at=at(2026, 11, 2, 20, 0), participants=people
    )
    service = services.service_record_complete(project=world.estate, facts=facts, actor=world.front_desk)
    visits = ReturnVisit.objects.filter(object_id=service.pk, case_type="activity")
    assert visits.count() == 3  # 20% of 11, rounded up
    assert {v.customer_id for v in visits} <= {p.pk for p in people}
    assert all(local(v.due_at) == at(2026, 11, 5, 0, 0) for v in visits)


def test_v01_special_service_is_visited_at_the_middle_of_its_agreement(world):
    facts = ServiceFacts(
        kind=ServiceKind.SPECIAL_SERVICE,
        title="家政保洁（半年）",
        completed_at=at(2026, 11, 2, 10, 0),
        customer=world.customer,
        agreement_start=date(2026, 11, 1),
        agreement_end=date(2027, 4, 30),
    )
    service = services.service_record_complete(project=world.estate, facts=facts, actor=world.front_desk)
    visit = ReturnVisit.objects.get(object_id=service.pk, case_type="special_service")
    assert local(visit.due_at) == at(2027, 1, 31, 0, 0)  # 24:00 of 30 Jan 2027, the middle of the 180-day term


def test_v01_service_record_outsider_is_refused(world):
    facts = ServiceFacts(kind=ServiceKind.OTHER, title="代收快递")
    with pytest.raises(PermissionError):
        services.service_record_complete(project=world.estate, facts=facts, actor=world.outsider)


# --- V04/V07: the sweep reminds, flags overdue once, and turns a stale visit into a door-to-door task -------


def test_v04_sweep_reminds_the_day_before_and_flags_overdue_exactly_once(world, time_machine):
    time_machine.move_to(at(2026, 11, 23, 10, 0), tick=False)  # the repair is completed now, not weeks ago
    visit = return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2026, 11, 23, 10, 0), actor=None)
    deadline = Deadline.objects.get(subject_id=visit.pk, kind="visit")
    assert local(deadline.remind_at) == at(2026, 11, 25, 0, 0)  # the start of its last day (Wed 25 Nov)
    sweep(at(2026, 11, 25, 8, 0))
    assert Notification.objects.filter(kind="visit.due_soon", recipient=world.front_desk).count() == 1
    sweep(at(2026, 11, 26, 0, 1))
    sweep(at(2026, 11, 26, 0, 2))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED
    assert Notification.objects.filter(kind="visit.overdue", recipient=world.supervisor).count() == 1


def test_v07_visit_still_open_3_days_after_its_planned_day_becomes_a_door_to_door_task(world, time_machine):
    time_machine.move_to(at(2026, 11, 23, 10, 0), tick=False)
    visit = return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2026, 11, 23, 10, 0), actor=None)
    sweep(at(2026, 11, 28, 23, 0))  # due day Wed 25 Nov + 3 days = end of Sat 28 Nov: not yet
    visit.refresh_from_db()
    assert visit.door_followup_at is None
    sweep(at(2026, 11, 29, 0, 5))
    visit.refresh_from_db()
    assert visit.door_followup_at is not None
    assert Notification.objects.filter(kind="visit.door_followup", recipient=world.front_desk).count() == 1
    today = selectors.my_visits_today(world.front_desk, now=at(2026, 11, 29, 9, 0))
    assert [v.pk for v in today.door_followups] == [visit.pk]


# --- V03, V05: recording -------------------------------------------------------------------------------------


@pytest.fixture
def planned(world):
    return return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2026, 11, 2, 10, 0), actor=None)


def test_v05_phone_visit_records_quality_effect_satisfaction_shortfalls_suggestions(world, planned):
    result = VisitResult(
        method="phone", satisfaction=4, quality="师傅准时", effect="不再漏水", shortfalls="无", suggestions="保持"
    )
    visit = services.return_visit_record(visit=planned, result=result, actor=world.front_desk)
    assert visit.status == VisitStatus.DONE and visit.satisfaction == 4 and not visit.unsatisfied
    assert visit.visitor == world.front_desk and visit.quality == "师傅准时" and visit.suggestions == "保持"
    assert Deadline.objects.get(subject_id=visit.pk, kind="visit").state in ("met", "missed")
    assert Deadline.objects.get(subject_id=visit.pk, kind="visit_followup").state != "pending"


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.REFUSED, Outcome.WRONG_NUMBER])
def test_v05_phone_not_reached_schedules_a_retry_and_stays_planned(world, planned, outcome):
    visit = services.return_visit_record(
        visit=planned, result=VisitResult(method="phone", outcome=outcome), actor=world.front_desk
    )
    assert visit.status == VisitStatus.PLANNED and visit.attempts_count == 1
    assert visit.retry_at is not None and visit.attempts.get().outcome == outcome


def test_v03_on_site_required_refuses_a_phone_record(world, completed_complaint):
    complaint = completed_complaint(at(2026, 11, 2, 15, 0), facts={"economic_loss_yuan": "60000"})
    visit = ReturnVisit.objects.get(object_id=complaint.pk, case_type="complaint")
    with pytest.raises(ValidationError) as err:
        services.return_visit_record(
            visit=visit, result=VisitResult(method="phone", satisfaction=5), actor=world.general_manager
        )
    assert "method" in err.value.message_dict and "上门" in err.value.message_dict["method"][0]


def test_v03_on_site_visit_needs_the_customers_signature(world, planned, signature_png):
    with pytest.raises(ValidationError) as err:
        services.return_visit_record(
            visit=planned, result=VisitResult(method="on_site", satisfaction=5), actor=world.front_desk
        )
    assert "signature" in err.value.message_dict
    visit = services.return_visit_record(
        visit=planned,
        result=VisitResult(method="on_site", satisfaction=5, signature=signature_png),
        actor=world.front_desk,
    )
    assert visit.signature.signer_name == "李明"


@pytest.mark.parametrize("value", [0, 6, "abc", None, True])
def test_v05_satisfaction_must_be_one_of_five_levels(world, planned, value):
    with pytest.raises(ValidationError) as err:
        services.return_visit_record(
            visit=planned, result=VisitResult(method="phone", satisfaction=value), actor=world.front_desk
        )
    assert "satisfaction" in err.value.message_dict


def test_v05_a_done_visit_cannot_be_recorded_again(world, planned):
    services.return_visit_record(
        visit=planned, result=VisitResult(method="phone", satisfaction=5), actor=world.front_desk
    )
    with pytest.raises(TransitionError):
        services.return_visit_record(
            visit=planned, result=VisitResult(method="phone", satisfaction=3), actor=world.front_desk
        )


def test_v02_outsider_and_other_roles_cannot_record(world, planned):
    for user in (world.outsider, world.technician):
        with pytest.raises(PermissionError):
            services.return_visit_record(visit=planned, result=VisitResult(method="phone", satisfaction=5), actor=user)


# --- V06: unsatisfied → review, GM, rectification, visited again -----------------------------------------------


def test_v06_unsatisfied_visit_reports_to_gm_opens_rectification_and_is_visited_again(world, completed_complaint):
    complaint = completed_complaint(at(2026, 11, 2, 15, 0))
    visit = ReturnVisit.objects.get(object_id=complaint.pk, case_type="complaint")
    visit = services.return_visit_record(
        visit=visit,
        result=VisitResult(method="phone", satisfaction=2, shortfalls="墙面仍有水渍"),
        actor=world.front_desk,
    )
    assert visit.unsatisfied and visit.reported_to_gm_at is not None
    rect = visit.rectification
    assert rect is not None and complaint.number in rect.description and "墙面仍有水渍" in rect.description
    assert visit.rectify_by is not None  # the rectification's resolve deadline
    assert Notification.objects.filter(kind="visit.unsatisfied", recipient=world.general_manager).exists()
    assert [v.pk for v in selectors.review_queue(world.supervisor)] == [visit.pk]

    # The supervisor reviews and signs, with a rectification deadline agreed on the new complaint.
    by = timezone.now() + timedelta(days=3)
    visit = services.return_visit_review(
        visit=visit, decision="rectify", comment="三天内整改", rectify_by=by, actor=world.supervisor
    )
    assert visit.reviewed_by == world.supervisor and visit.rectify_by == by
    assert Deadline.objects.get(subject_id=rect.pk, kind="resolve", state="pending").due_at == by

    # The rectification completed is visited again.
    complaint_dispatch(complaint=rect, department="engineering", actor=world.front_desk)
    complaint_set_nature(complaint=rect, nature="valid", actor=world.supervisor)  # C04 before C15
    complaint_complete(complaint=rect, result="重新做防水", actor=world.supervisor)
    again = ReturnVisit.objects.get(object_id=rect.pk, case_type="complaint")
    assert again.status == VisitStatus.PLANNED


def test_v06_review_by_outsider_or_front_desk_is_refused(world, planned):
    services.return_visit_record(
        visit=planned, result=VisitResult(method="phone", satisfaction=1), actor=world.front_desk
    )
    for user in (world.outsider, world.front_desk):
        with pytest.raises(PermissionError):
            services.return_visit_review(visit=planned, decision="accepted", comment="好", actor=user)


# --- V08: quotas ----------------------------------------------------------------------------------------------


def test_v08_supervisor_counts_against_3_and_office_manager_against_1_complaint_visits_a_month(
    world, completed_complaint, time_machine
):
    def visit_complaint(day: int, who) -> None:
        time_machine.move_to(at(2026, 11, day, 16, 0), tick=False)  # each visit is made the day it completes
        complaint = completed_complaint(at(2026, 11, day, 15, 0))
        visit = ReturnVisit.objects.get(object_id=complaint.pk, case_type="complaint")
        services.return_visit_record(visit=visit, result=VisitResult(method="phone", satisfaction=5), actor=who)

    visit_complaint(2, world.supervisor)
    visit_complaint(3, world.supervisor)
    visit_complaint(4, world.office_manager)
    visit_complaint(5, world.general_manager)  # the general manager has no quota (V08)
    time_machine.move_to(at(2026, 11, 6, 16, 0), tick=False)
    other = return_visit_plan(case=repair(world), case_type="repair", completed_at=at(2026, 11, 6, 15, 0), actor=None)
    services.return_visit_record(  # a repair visit is not a complaint visit: it does not count
        visit=other, result=VisitResult(method="phone", satisfaction=5), actor=world.supervisor
    )
    rows = {r.person.username: r for r in selectors.quota_rows(world.general_manager, date(2026, 11, 1))}
    assert set(rows) == {"supervisor", "manager"}
    assert (rows["supervisor"].done, rows["supervisor"].quota, rows["supervisor"].met) == (2, 3, False)
    assert (rows["manager"].done, rows["manager"].quota, rows["manager"].met) == (1, 1, True)
    assert [r.done for r in selectors.quota_rows(world.general_manager, date(2026, 10, 1))] == [0, 0]


def test_v08_quotas_are_policy_data_overridable_per_project(world, completed_complaint, time_machine):
    from guanjia.policy.selectors import forget_cached_policy
    from guanjia.policy.services import policy_set

    time_machine.move_to(at(2026, 11, 2, 16, 0), tick=False)
    policy_set(company=world.company, key="visit.quota.office_manager", value=2, actor=world.general_manager)
    policy_set(
        company=world.company,
        project=world.estate,
        key="visit.quota.cs_supervisor",
        value=1,
        actor=world.general_manager,
    )
    forget_cached_policy(world.estate)
    complaint = completed_complaint(at(2026, 11, 2, 15, 0))
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    services.return_visit_record(
        visit=visit, result=VisitResult(method="phone", satisfaction=5), actor=world.supervisor
    )
    rows = {r.person.username: r for r in selectors.quota_rows(world.office_manager, date(2026, 11, 1))}
    assert (rows["supervisor"].done, rows["supervisor"].quota, rows["supervisor"].met) == (1, 1, True)
    assert (rows["manager"].done, rows["manager"].quota, rows["manager"].met) == (0, 2, False)


# --- V09: household visits ------------------------------------------------------------------------------------


def test_v09_campaign_lists_every_household_and_tracks_coverage_and_issues(world):
    for room in ("1202", "1203", "1204"):
        make_unit(world.estate, world.building, entrance="2", room=room)
    campaign = services.campaign_create(
        project=world.estate,
        name="2026 下半年走访",
        start=date(2026, 7, 1),
        end=date(2026, 12, 31),
        actor=world.supervisor,
    )
    households = list(HouseholdVisit.objects.filter(campaign=campaign).order_by("pk"))
    assert len(households) == 4
    first = services.household_visit_record(
        household=households[0], notes="家中无人", issues_raised="门禁坏", actor=world.butler
    )
    issue = services.household_issue_raise(household=first, kind="repair", description="门禁坏", actor=world.butler)
    services.household_issue_raise(household=first, kind="complaint", description="噪音", actor=world.butler)
    row = selectors.campaigns_for(world.supervisor).get(pk=campaign.pk)
    assert (row.household_count, row.visited_count, row.issue_count, row.handled_count) == (4, 1, 2, 0)
    assert selectors.percent(row.visited_count, row.household_count) == 25.0
    Repair.objects.filter(pk=issue.repair_id).update(status="completed")
    assert selectors.campaigns_for(world.supervisor).get(pk=campaign.pk).handled_count == 1


def test_v09_outsider_cannot_create_or_record(world):
    with pytest.raises(PermissionError):
        services.campaign_create(
            project=world.estate, name="x", start=date(2026, 7, 1), end=date(2026, 12, 31), actor=world.outsider
        )
    campaign = services.campaign_create(
        project=world.estate, name="x", start=date(2026, 7, 1), end=date(2026, 12, 31), actor=world.supervisor
    )
    with pytest.raises(PermissionError):
        services.household_visit_record(household=campaign.households.get(), actor=world.outsider)


# --- V10: retention ------------------------------------------------------------------------------------------


def test_v10_records_are_kept_two_years_and_a_purge_is_deliberate_and_recorded(world, planned):
    from guanjia.exports.models import RetentionPurge
    from guanjia.exports.retention import retention_purge
    from guanjia.exports.services import ExportError

    services.return_visit_record(
        visit=planned, result=VisitResult(method="phone", satisfaction=5), actor=world.front_desk
    )
    ReturnVisit.objects.filter(pk=planned.pk).update(done_at=timezone.now() - timedelta(days=800))
    today = timezone.localdate()
    with pytest.raises(ExportError):  # still inside its two years
        retention_purge(
            project=world.estate, kind="return_visits", before=today, reason="到期", actor=world.office_manager
        )
    with pytest.raises(PermissionError):
        retention_purge(
            project=world.estate,
            kind="return_visits",
            before=today - timedelta(days=750),
            reason="到期",
            actor=world.front_desk,
        )
    result = retention_purge(
        project=world.estate,
        kind="return_visits",
        before=today - timedelta(days=750),
        reason="到期",
        actor=world.office_manager,
    )
    assert not ReturnVisit.objects.filter(pk=planned.pk).exists()
    purge = RetentionPurge.objects.get(project=world.estate)
    assert (purge.actor, purge.kind, purge.reason) == (world.office_manager, "return_visits", "到期")
    assert result.counts == purge.counts
    assert Event.objects.filter(verb="retention.purged", actor=world.office_manager, project=world.estate).exists()


def test_v10_outsider_cannot_purge(world):
    from guanjia.exports.retention import retention_purge

    with pytest.raises(PermissionError):
        retention_purge(
            project=world.estate,
            kind="return_visits",
            before=timezone.localdate() - timedelta(days=800),
            reason="x",
            actor=world.outsider,
        )


def test_v02_my_visits_today_shows_only_my_roles_open_visits(world, planned):
    make_staff(Role.FRONT_DESK, projects=(world.other_estate,))
    today = selectors.my_visits_today(world.front_desk, now=at(2026, 11, 4, 9, 0))
    assert [v.pk for v in today.today] == [planned.pk]
    assert selectors.my_visits_today(world.outsider, now=at(2026, 11, 4, 9, 0)).total == 0
    assert selectors.my_visits_today(world.butler, now=at(2026, 11, 4, 9, 0)).total == 0


_ = (SH, Complaint)
