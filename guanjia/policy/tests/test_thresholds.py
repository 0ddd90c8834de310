"""Every threshold is policy data: the front desk's (F02, F04, F05), the follow-up service's (T01, T03, T04) and
V07's limits are read from the project's policy, so changing the value on the settings page changes what the
desk is asked to do (one example each; the manual's numbers stay the defaults)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from guanjia.cases.models import Deadline
from guanjia.frontdesk import services as frontdesk
from guanjia.frontdesk.models import CustodyKind, ProofKind
from guanjia.policy.registry import KEYS
from guanjia.policy.services import policy_set
from guanjia.repairs.models import Repair
from guanjia.visits.services import return_visit_plan

SH = ZoneInfo("Asia/Shanghai")
#: Monday 2026-11-02 10:00 Beijing time.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=SH)


def _set(world, key, value):
    policy_set(company=world.company, project=world.estate, key=key, value=value, actor=world.office_manager)
    world.estate.refresh_from_db()  # a fresh instance: no memoised policy


def test_the_manuals_numbers_are_the_defaults():
    defaults = {key: KEYS[key].default for key in KEYS if key.split(".")[0] in ("frontdesk", "followup")}
    assert defaults == {
        "frontdesk.parcel_age_days": 3,
        "frontdesk.loan_hours": 24,
        "frontdesk.key_hours": 8,
        "followup.archive_days": 2,
        "followup.issue_escalate_days": 2,
        "followup.invitation_lead_days": 14,
        "followup.letter_days": 2,
    }
    assert KEYS["visit.door_followup_days"].default == 3


def test_f02_the_parcel_alert_follows_the_projects_policy(world):
    _set(world, "frontdesk.parcel_age_days", 5)
    issued = frontdesk.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="",
        owner_unit=world.unit,
        owner_customer=world.customer,
        tracking_number="SF1234567890",
        actor=world.front_desk,
    )
    deadline = Deadline.objects.get(subject_id=issued.obj.pk, kind="custody_age")
    assert deadline.due_at == issued.obj.received_at + timedelta(days=5)


def test_f04_a_loan_without_agreed_time_is_due_after_the_policys_hours(world):
    _set(world, "frontdesk.loan_hours", 48)
    loan = frontdesk.custody_lend(
        project=world.estate,
        description="人字梯",
        borrower_name="李明",
        proof_kind=ProofKind.ID_CARD,
        proof_value="110101199003071234",
        actor=world.front_desk,
    )
    assert loan.due_back_at - loan.handed_over_at == timedelta(hours=48)


def test_t01_the_archive_limit_follows_the_projects_policy(world):
    from guanjia.followup import services

    _set(world, "followup.archive_days", 4)
    world.customer.refresh_from_db()
    profile, _created = services.profile_ensure(
        customer=world.customer, actor=world.front_desk, first_service_at=MONDAY, now=MONDAY
    )
    # Monday + 4 days, the day of the service not counted: 24:00 of Friday.
    assert profile.archive_due_at == datetime(2026, 11, 7, 0, 0, tzinfo=SH)


def test_t03_an_unresolved_issue_goes_to_the_supervisor_within_the_policys_days(world):
    from guanjia.followup import services
    from guanjia.followup.models import Issue, PlanTemplate

    _set(world, "followup.issue_escalate_days", 3)
    world.customer.refresh_from_db()
    plan = services.plan_apply(
        customer=world.customer,
        template=PlanTemplate._default_manager.get(code="after-sales", company__isnull=True),
        serviced="空调清洗",
        service_at=MONDAY,
        assignee=world.butler,
        actor=world.front_desk,
        now=MONDAY,
    )
    call = plan.calls.order_by("position").first()
    friday = datetime(2026, 11, 6, 10, 0, tzinfo=SH)
    services.call_record(
        call=call,
        actor=world.butler,
        version=call.version,
        outcome="reached",
        notes="空调有异响",
        raised="空调有异响，希望再来检查",
        at=friday,
        now=friday + timedelta(hours=1),
    )
    # 24:00 of the 3rd day after Friday (2 by default: 24:00 of Sunday).
    assert Issue._default_manager.get(call=call).handle_due_at == datetime(2026, 11, 10, 0, 0, tzinfo=SH)


def test_t04_invitations_go_out_the_policys_days_before_the_activity(world):
    from guanjia.followup import services

    assert services.invitation_due(date(2026, 12, 20), world.estate) == datetime(2026, 12, 7, 0, 0, tzinfo=SH)
    _set(world, "followup.invitation_lead_days", 7)
    assert services.invitation_due(date(2026, 12, 20), world.estate) == datetime(2026, 12, 14, 0, 0, tzinfo=SH)


def test_v07_the_door_to_door_task_follows_the_projects_policy(world, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=SH), tick=False)
    _set(world, "visit.door_followup_days", 5)
    repair = Repair.objects.create(
        project=world.estate,
        number="BX2611230001",
        unit=world.unit,
        customer=world.customer,
        received_at=datetime(2026, 11, 20, 9, 0, tzinfo=SH),
        registered_by=world.front_desk,
        description="漏水",
    )
    visit = return_visit_plan(
        case=repair, case_type="repair", completed_at=datetime(2026, 11, 23, 10, 0, tzinfo=SH), actor=None
    )
    # Due Wednesday 25 Nov (2 working days); + 5 days: 24:00 of Monday 30 Nov (3 by default: Saturday 28).
    assert Deadline.objects.get(subject_id=visit.pk, kind="visit_followup").due_at == datetime(
        2026, 12, 1, 0, 0, tzinfo=SH
    )
