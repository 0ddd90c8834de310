"""A resident reports a repair or a complaint online; the desk accepts it into a case (channel online, the
accepting desk member its first responder, limits from the submission); the resident follows it in plain words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.complaints.models import Channel, Complaint
from guanjia.core.errors import NotPossible
from guanjia.repairs.models import Repair, RepairSource
from guanjia.repairs.services import (
    repair_accept,
    repair_arrive,
    repair_assess,
    repair_order_and_notify,
    repair_record_consent,
)
from guanjia.residents.models import OnlineReport, ReportStatus
from guanjia.residents.reports import report_accept
from guanjia.residents.tests.conftest import LI_MING_PHONE
from guanjia.testing.factories import make_staff
from guanjia.testing.images import image_bytes
from guanjia.timeline.models import Event

REPAIRS = "/api/v1/resident/repairs/"
COMPLAINTS = "/api/v1/resident/complaints/"


def photo(name: str = "tap.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(), content_type="image/jpeg")


@pytest.fixture
def li_ming(world, resident_api):
    return resident_api(LI_MING_PHONE)


def report_repair(client, world, **extra):
    body = {"unit": world.unit.pk, "description": "厨房水龙头漏水", "photos": [photo()], **extra}
    return client.post(REPAIRS, body, format="multipart")


def test_resident_repair_lands_in_the_desk_inbox_and_is_accepted_into_a_repair(world, li_ming, client):
    appointment = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    answer = report_repair(li_ming, world, appointment_at=appointment.isoformat())
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "submitted"
    listed = li_ming.get(REPAIRS).json()
    assert [i["description"] for i in listed] == ["厨房水龙头漏水"]

    # The desk sees it, with its photo, and accepts it.
    client.force_login(world.front_desk)
    inbox = client.get(reverse("residents:desk_inbox"))
    assert "厨房水龙头漏水" in inbox.content.decode()
    report = OnlineReport.objects.get()
    photo_row = report.photos.get()
    assert client.get(reverse("residents:desk_photo", args=[photo_row.pk])).status_code == 200
    accepted = client.post(reverse("residents:desk_accept", args=[report.pk]))
    repair = Repair.objects.get()
    assert accepted.status_code == 302 and accepted["Location"] == reverse("repairs:detail", args=[repair.pk])

    assert repair.customer == world.customer and repair.unit == world.unit
    assert repair.source == RepairSource.RESIDENT
    assert repair.first_responder == world.front_desk and repair.registered_by == world.front_desk
    assert repair.received_at == report.submitted_at
    assert repair.appointment_at == appointment
    assert repair.photos.count() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.repair == repair
    # The customer's own submission is on the case's timeline, as the customer's.
    first = Event.objects.for_subject(repair).filter(verb="resident.submitted").get()
    assert first.actor is None and first.data["by"] == "customer" and first.at == report.submitted_at

    item = li_ming.get(REPAIRS).json()[0]
    assert item["number"] == repair.number and item["status"] == "received"
    assert item["status_label"] == "物业已受理"
    assert li_ming.get(f"{REPAIRS}{repair.pk}").json()["number"] == repair.number


def test_plain_progress_names_the_technician_never_a_staff_phone(world, li_ming):
    report_repair(li_ming, world)
    repair = report_accept(report=OnlineReport.objects.get(), actor=world.front_desk, now=timezone.now())
    repair_order_and_notify(repair=repair, actor=world.front_desk)
    assert li_ming.get(REPAIRS).json()[0]["status"] == "dispatched"
    engineer = make_staff(Role.ENGINEERING_SUPERVISOR, projects=(world.estate,), username="eng", name="钱主管")
    repair = repair_assess(repair=repair, actor=engineer, feasible=True, assessment="换阀芯", quoted_fee_yuan="30")
    repair = repair_record_consent(repair=repair, actor=world.front_desk, agreed=True)
    repair = repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    world.technician.phone = "13511112222"
    world.technician.save()
    answer = li_ming.get(REPAIRS)
    item = answer.json()[0]
    assert item["status"] == "on_the_way" and item["technician"] == "刘师傅"
    assert "13511112222" not in answer.content.decode()
    repair_arrive(repair=repair, actor=world.technician)
    assert li_ming.get(f"{REPAIRS}{repair.pk}").json()["status"] == "on_site"


def test_resident_complaint_is_registered_online_with_the_desk_member_as_first_responder(world, li_ming):
    answer = li_ming.post(COMPLAINTS, {"unit": world.unit.pk, "description": "楼道灯坏了一周没人修"}, format="json")
    assert answer.status_code == 201, answer.content
    complaint = report_accept(report=OnlineReport.objects.get(), actor=world.front_desk, now=timezone.now())
    assert isinstance(complaint, Complaint)
    assert complaint.channel == Channel.ONLINE
    assert complaint.first_responder == world.front_desk
    assert li_ming.get(COMPLAINTS).json()[0]["number"] == complaint.number


def test_a_report_is_accepted_once(world, li_ming):
    report_repair(li_ming, world)
    report = OnlineReport.objects.get()
    report_accept(report=report, actor=world.front_desk, now=timezone.now())
    with pytest.raises(NotPossible):
        report_accept(report=report, actor=world.front_desk, now=timezone.now())
    assert Repair.objects.count() == 1


def test_outsider_desk_cannot_see_or_accept(world, li_ming, client):
    report_repair(li_ming, world)
    report = OnlineReport.objects.get()
    client.force_login(world.outsider)
    assert "厨房水龙头漏水" not in client.get(reverse("residents:desk_inbox")).content.decode()
    assert client.post(reverse("residents:desk_accept", args=[report.pk])).status_code == 404
    assert client.get(reverse("residents:desk_photo", args=[report.photos.get().pk])).status_code == 404
    assert Repair.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x", "appointment_at": "2001-01-01T10:00:00+08:00"}, "appointment_at"),
        ({"description": "x", "appointment_at": "soon"}, "appointment_at"),
        ({"description": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(world, li_ming, body, field):
    answer = li_ming.post(REPAIRS, {"unit": world.unit.pk, **body}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert OnlineReport.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused(world, li_ming):
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    answer = li_ming.post(REPAIRS, {"unit": world.unit.pk, "description": "漏水", "photos": [fake]}, format="multipart")
    assert answer.status_code == 400 and "photos" in answer.json()


def test_list_runs_a_fixed_number_of_queries(world, li_ming):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert li_ming.get(REPAIRS).status_code == 200
        return len(queries)

    report_repair(li_ming, world)
    report_accept(report=OnlineReport.objects.get(), actor=world.front_desk, now=timezone.now())
    one = count()
    for _ in range(3):
        report_repair(li_ming, world)
    for report in OnlineReport.objects.filter(status=ReportStatus.SUBMITTED)[:2]:
        report_accept(report=report, actor=world.front_desk, now=timezone.now())
    assert count() == one
