"""T01: a first-time customer's archive is complete within 2 days of the first service or consultation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.followup import services
from guanjia.followup.models import CustomerProfile
from guanjia.followup.tests.conftest import SERVICE_AT, at
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event


def _open(world, **kw):
    profile, _created = services.profile_ensure(
        customer=world.customer, actor=world.front_desk, first_service_at=SERVICE_AT, now=SERVICE_AT, **kw
    )
    return profile


def test_t01_first_service_opens_an_archive_task_due_at_the_end_of_the_second_day(world):
    profile = _open(world)
    # Monday 10:00 → 24:00 of Wednesday (the day of the service does not count, V04).
    assert profile.archive_due_at == at("2026-11-05", "00:00")
    deadline = Deadline.objects.get(subject_id=profile.pk, kind="archive")
    assert deadline.state == DeadlineState.PENDING and deadline.due_at == profile.archive_due_at
    # Prefilled from the estates archive: the unit of residence and the customer's phone.
    assert profile.unit == world.unit and profile.phone == "13912345678"
    assert profile.completed_at is None
    assert set(profile.missing_fields()) == {"wishes", "service"}


def test_t01_a_customer_already_archived_is_not_opened_twice(world):
    first = _open(world)
    again, created = services.profile_ensure(customer=world.customer, actor=world.butler, now=at("2026-11-03"))
    assert again.pk == first.pk and not created
    assert CustomerProfile._default_manager.count() == 1


def test_t01_archive_completes_when_every_field_is_filled_and_the_task_is_met(world):
    profile = _open(world)
    services.service_record_add(
        profile=profile,
        actor=world.butler,
        served_on=date(2026, 11, 2),
        serviced="空调清洗",
        cycle_days=180,
        now=at("2026-11-03"),
    )
    profile.refresh_from_db()
    assert profile.completed_at is None and profile.missing_fields() == ["wishes"]
    services.profile_update(
        profile=profile,
        actor=world.butler,
        version=profile.version,
        unit=world.unit,
        phone="13912345678",
        wishes="希望每半年上门清洗",
        now=at("2026-11-04", "16:00"),
    )
    profile.refresh_from_db()
    assert profile.completed_at == at("2026-11-04", "16:00")
    assert profile.services.get().next_due_on == date(2027, 5, 1)  # served + 180 days
    deadline = Deadline.objects.get(subject_id=profile.pk, kind="archive")
    assert deadline.state == DeadlineState.MET
    assert Event.objects.filter(verb="followup.archive_completed", subject_id=profile.pk).exists()


def test_t01_one_off_service_without_cycle_counts_as_complete(world):
    profile = _open(world)
    services.profile_update(
        profile=profile,
        actor=world.butler,
        version=profile.version,
        unit=world.unit,
        phone="13912345678",
        wishes="无",
        now=at("2026-11-03"),
    )
    services.service_record_add(
        profile=profile,
        actor=world.butler,
        served_on=date(2026, 11, 2),
        serviced="开锁",
        no_cycle=True,
        now=at("2026-11-03"),
    )
    profile.refresh_from_db()
    assert profile.is_complete


def test_t01_incomplete_archive_after_two_days_flags_owner_and_supervisor_once(world):
    profile = _open(world, owner=world.butler)
    sweep(at("2026-11-04", "23:59"))
    assert not Notification.objects.filter(kind="followup.archive_overdue").exists()
    sweep(at("2026-11-05", "00:01"))
    sweep(at("2026-11-05", "08:00"))
    recipients = set(
        Notification.objects.filter(kind="followup.archive_overdue").values_list("recipient_id", flat=True)
    )
    assert recipients == {world.butler.pk, world.supervisor.pk}
    assert Notification.objects.filter(kind="followup.archive_overdue").count() == 2
    # Still a task (flagged) until complete.
    profile.refresh_from_db()
    assert profile.completed_at is None


def test_t01_bad_service_input_names_the_field(world):
    profile = _open(world)
    with pytest.raises(ValidationError) as err:
        services.service_record_add(
            profile=profile, actor=world.butler, served_on=date(2026, 11, 9), serviced="空调", now=SERVICE_AT
        )
    assert "served_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.service_record_add(
            profile=profile, actor=world.butler, served_on=date(2026, 11, 2), serviced=" ", now=SERVICE_AT
        )
    assert "serviced" in err.value.message_dict


def test_t01_outsider_and_technician_cannot_open_an_archive(world):
    with pytest.raises(PermissionDenied):
        services.profile_ensure(customer=world.customer, actor=world.outsider, now=SERVICE_AT)
    with pytest.raises(PermissionDenied):
        services.profile_ensure(customer=world.customer, actor=world.technician, now=SERVICE_AT)


def test_t01_archive_page_opens_and_completes_the_archive(world, web_as):
    client = web_as(world.butler)
    url = f"/followup/archive/{world.customer.pk}/"
    assert "建立档案" in client.get(url).content.decode()
    client.post(url, {"action": "open"})
    profile = CustomerProfile._default_manager.get(customer=world.customer)
    response = client.post(
        url, {"action": "service", "served_on": "2026-01-02", "serviced": "管道疏通", "cycle_days": "90"}, follow=True
    )
    assert "服务记录已保存" in response.content.decode()
    client.post(
        url,
        {"action": "profile", "version": profile.version, "unit": world.unit.pk, "phone": "", "wishes": "定期检查管道"},
    )
    profile.refresh_from_db()
    assert profile.is_complete and profile.phone == "13912345678"  # blank phone keeps the number
    page = client.get(url).content.decode()
    assert "已建完" in page


def test_t01_archive_page_bad_input_shows_the_field_in_chinese(world, web_as):
    client = web_as(world.butler)
    url = f"/followup/archive/{world.customer.pk}/"
    client.post(url, {"action": "open"})
    response = client.post(url, {"action": "service", "served_on": "坏日期", "serviced": "x"}, follow=True)
    assert response.status_code == 200
    assert "服务日期：日期格式不正确" in response.content.decode()


def test_t01_outsider_gets_404_for_the_archive_page(world, web_as):
    client = web_as(world.outsider)
    url = f"/followup/archive/{world.customer.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "open"}).status_code == 404
    assert not CustomerProfile._default_manager.exists()
