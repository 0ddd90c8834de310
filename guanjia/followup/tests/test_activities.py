"""T04: activity invitations by phone 2 weeks before, a letter within 2 days after the call, every letter registered."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.followup import services
from guanjia.followup.models import CallPurpose, FollowUpCall, LetterRegister
from guanjia.followup.tests.conftest import SERVICE_AT, at
from guanjia.notifications.models import Notification
from guanjia.testing.factories import make_customer


@pytest.fixture
def archived(world):
    """Two customers in the follow-up archive: 李明 (butler) and 张华 (front desk)."""
    services.profile_ensure(customer=world.customer, actor=world.butler, owner=world.butler, now=SERVICE_AT)
    other = make_customer(world.estate, name="张华", phones=("13600000000",), units=(world.unit,))
    services.profile_ensure(customer=other, actor=world.front_desk, now=SERVICE_AT)
    return other


@pytest.fixture
def activity(world, archived):
    return services.activity_create(
        project=world.estate,
        name="业主联谊会",
        held_on=date(2026, 12, 20),
        actor=world.supervisor,
        place="会所",
        now=at("2026-11-20"),
    )


def test_t04_every_archived_customer_gets_a_phone_invitation_due_two_weeks_before(world, activity, archived):
    calls = FollowUpCall._default_manager.filter(activity=activity).order_by("customer__name")
    assert {c.customer_id: c.assignee_id for c in calls} == {
        world.customer.pk: world.butler.pk,
        archived.pk: world.front_desk.pk,
    }
    assert all(c.purpose == CallPurpose.INVITATION for c in calls)
    # Activity on 12-20: the calls are due by 24:00 of 12-06.
    assert {c.due_at for c in calls} == {at("2026-12-07", "00:00")}
    assert all(Deadline.objects.get(subject_id=c.pk, kind="call").state == DeadlineState.PENDING for c in calls)


def test_t04_an_activity_less_than_two_weeks_ahead_has_late_invitations(world, archived):
    activity = services.activity_create(
        project=world.estate,
        name="免费检测周",
        held_on=date(2026, 11, 25),
        actor=world.supervisor,
        now=at("2026-11-20"),
    )
    call = FollowUpCall._default_manager.filter(activity=activity).first()
    assert call.is_overdue(at("2026-11-20"))
    assert Deadline.objects.get(subject_id=call.pk, kind="call").state == DeadlineState.MISSED


def test_t04_a_reached_invitation_needs_a_letter_within_two_days_and_the_letter_is_registered(world, activity):
    call = FollowUpCall._default_manager.get(activity=activity, customer=world.customer)
    call = services.call_record(
        call=call,
        actor=world.butler,
        version=call.version,
        outcome="reached",
        notes="客户会参加",
        now=at("2026-12-01", "15:00"),
    )
    assert call.letter_due_at == at("2026-12-04", "00:00")
    letter = services.letter_register(
        project=world.estate,
        customer=world.customer,
        subject="联谊会邀请函",
        sent_on=date(2026, 12, 2),
        call=call,
        actor=world.butler,
        now=at("2026-12-02", "17:00"),
    )
    assert letter.activity == activity and letter.address == world.unit.number
    assert Deadline.objects.get(subject_id=call.pk, kind="letter").state == DeadlineState.MET
    assert LetterRegister._default_manager.filter(activity=activity).count() == 1


def test_t04_a_letter_not_sent_within_two_days_is_reported_to_the_caller(world, activity):
    call = FollowUpCall._default_manager.get(activity=activity, customer=world.customer)
    services.call_record(
        call=call, actor=world.butler, version=call.version, outcome="reached", notes="会参加", now=at("2026-12-01")
    )
    sweep(at("2026-12-04", "00:01"))
    assert Notification.objects.get(kind="followup.letter_overdue").recipient == world.butler


def test_t04_letters_are_checked(world, activity, archived):
    call = FollowUpCall._default_manager.get(activity=activity, customer=world.customer)
    with pytest.raises(ValidationError) as err:
        services.letter_register(
            project=world.estate,
            customer=archived,
            subject="x",
            sent_on=date(2026, 12, 2),
            call=call,
            actor=world.butler,
            now=at("2026-12-02"),
        )
    assert "call" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.letter_register(
            project=world.estate,
            customer=world.customer,
            subject="x",
            sent_on=date(2026, 12, 9),
            actor=world.butler,
            now=at("2026-12-02"),
        )
    assert "sent_on" in err.value.message_dict


def test_t04_activity_date_must_be_in_the_future(world):
    with pytest.raises(ValidationError) as err:
        services.activity_create(
            project=world.estate, name="x", held_on=date(2026, 11, 1), actor=world.supervisor, now=at("2026-11-20")
        )
    assert "held_on" in err.value.message_dict


def test_t04_outsider_cannot_create_an_activity_or_register_a_letter(world, activity):
    with pytest.raises(PermissionDenied):
        services.activity_create(project=world.estate, name="x", held_on=date(2026, 12, 30), actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.letter_register(
            project=world.estate, customer=world.customer, subject="x", sent_on=date(2026, 11, 20), actor=world.outsider
        )


def test_t04_activity_pages_create_and_register_the_letter(world, web_as, archived, time_machine):
    time_machine.move_to(at("2026-11-06"), tick=False)  # the activity of 20 September 2027 is ahead
    client = web_as(world.supervisor)
    response = client.post(
        "/followup/activities/", {"name": "中秋游园会", "held_on": "2027-09-20", "place": "中庭"}, follow=True
    )
    page = response.content.decode()
    assert "中秋游园会" in page and "李明" in page and "09-06 24:00" in page
    call = FollowUpCall._default_manager.get(activity__name="中秋游园会", customer=world.customer)
    services.call_record(call=call, actor=world.butler, version=call.version, outcome="reached", notes="会来")
    response = client.post(
        f"/followup/activities/{call.activity_id}/", {"call": call.pk, "sent_on": str(date.today())}, follow=True
    )
    assert "信函已登记" in response.content.decode()
    assert LetterRegister._default_manager.get().subject == "中秋游园会 邀请函"
    listing = client.get("/followup/activities/").content.decode()
    assert "中秋游园会 邀请函" in listing


def test_t04_activity_page_bad_date_names_the_field(world, web_as):
    response = web_as(world.supervisor).post("/followup/activities/", {"name": "x", "held_on": ""}, follow=True)
    assert "活动日期：请填写活动日期" in response.content.decode()


def test_t04_outsider_gets_404_for_an_activity(world, web_as, activity):
    client = web_as(world.outsider)
    assert client.get(f"/followup/activities/{activity.pk}/").status_code == 404
    call = FollowUpCall._default_manager.filter(activity=activity).first()
    assert (
        client.post(f"/followup/activities/{activity.pk}/", {"call": call.pk, "sent_on": "2026-11-20"}).status_code
        == 404
    )
    assert f"/followup/activities/{activity.pk}/" not in client.get("/followup/activities/").content.decode()
