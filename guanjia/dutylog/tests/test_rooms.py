"""F11 Meeting rooms: booking request, approval, preparation, service, and a check of facilities afterwards;
no double booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guanjia.core.errors import NotPossible
from guanjia.dutylog import services
from guanjia.dutylog.models import Booking
from guanjia.dutylog.tests.conftest import verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world):
    return services.room_add(project=world.estate, name="一楼会议室", capacity=12, actor=world.office_manager)


def book(world, room, start_h, end_h, who="业主委员会"):
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return services.booking_request(
        room=room, starts_at=base + timedelta(hours=start_h), ends_at=base + timedelta(hours=end_h),
        booked_for=who, purpose="例会", actor=world.front_desk,
    )  # fmt: skip


def test_f11_booking_goes_request_approve_prepare_use_check(world, room):
    booking = book(world, room, 1, 3)
    booking = services.booking_transition(booking=booking, to="approved", actor=world.supervisor)
    assert booking.decided_by == world.supervisor
    booking = services.booking_transition(booking=booking, to="prepared", actor=world.front_desk)
    booking = services.booking_transition(booking=booking, to="in_use", actor=world.front_desk)
    with pytest.raises(ValidationError) as exc:
        services.booking_transition(booking=booking, to="checked", actor=world.front_desk)
    assert "check_note" in exc.value.message_dict
    booking = services.booking_transition(
        booking=booking, to="checked", note="投影仪正常，桌椅复位", actor=world.front_desk
    )
    assert booking.check_note == "投影仪正常，桌椅复位" and booking.checked_by == world.front_desk
    assert verbs(booking) == [
        "booking.requested", "booking.approved", "booking.prepared", "booking.in_use", "booking.checked",
    ]  # fmt: skip


def test_f11_steps_cannot_be_skipped_or_reversed(world, room):
    booking = book(world, room, 1, 2)
    with pytest.raises(NotPossible):
        services.booking_transition(booking=booking, to="in_use", actor=world.front_desk)
    booking = services.booking_transition(booking=booking, to="refused", actor=world.supervisor)
    with pytest.raises(NotPossible):
        services.booking_transition(booking=booking, to="approved", actor=world.supervisor)


def test_f11_only_managers_approve(world, room):
    booking = book(world, room, 1, 2)
    with pytest.raises(PermissionDenied):
        services.booking_transition(booking=booking, to="approved", actor=world.front_desk)


def test_f11_no_double_booking(world, room):
    book(world, room, 1, 3)
    with pytest.raises(ValidationError) as exc:
        book(world, room, 2, 4, who="另一位业主")
    assert "已被预订" in exc.value.message_dict["starts_at"][0]
    book(world, room, 3, 4)  # back to back is fine


def test_f11_a_refused_or_cancelled_booking_frees_the_room(world, room):
    first = book(world, room, 1, 3)
    services.booking_transition(booking=first, to="cancelled", actor=world.front_desk)
    book(world, room, 1, 3, who="另一位业主")


def test_f11_database_refuses_a_booking_that_ends_before_it_starts(world, room):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            project=world.estate, room=room, starts_at=now, ends_at=now - timedelta(hours=1), booked_for="x",
            purpose="y", requested_by=world.front_desk, requested_at=now,
        )  # fmt: skip


def test_f11_booking_page_names_the_field_on_a_clash(world, room, web_as):
    book(world, room, 1, 3)
    base = timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    response = web_as(world.front_desk).post(
        reverse("office:booking_add"),
        {
            "room": room.pk, "starts_at": (base + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (base + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), "booked_for": "王", "purpose": "x",
        },
        follow=True,
    )  # fmt: skip
    assert "开始时间：该时段已被预订" in response.content.decode()
    assert Booking.objects.count() == 1


def test_f11_outsider_cannot_book_our_room_or_move_our_bookings(world, room, web_as):
    booking = book(world, room, 1, 2)
    client = web_as(world.outsider)
    assert client.post(reverse("office:booking_move", args=[booking.pk]), {"to": "cancelled"}).status_code == 404
    client.post(
        reverse("office:booking_add"),
        {
            "room": room.pk,
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T11:00",
            "booked_for": "x",
            "purpose": "y",
        },
    )
    assert Booking.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.booking_request(
            room=room, starts_at=booking.ends_at, ends_at=booking.ends_at + timedelta(hours=1), booked_for="x",
            purpose="y", actor=world.outsider,
        )  # fmt: skip


def test_f11_rooms_page_query_count(world, room, web_as, django_assert_max_num_queries):
    for h in range(10):
        book(world, room, h, h + 1)
    client = web_as(world.supervisor)
    client.get(reverse("office:rooms"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("office:rooms")).status_code == 200
