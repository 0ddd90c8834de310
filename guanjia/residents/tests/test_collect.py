"""Parcels with a pickup code the desk accepts (F02), visitor passes the desk admits (F01), posted notices
(F12) and fee notices (F13) of the household."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.dutylog.models import FeeNotice, Notice, NoticeStatus
from guanjia.frontdesk.models import CustodyStatus, VisitorPass
from guanjia.frontdesk.services import custody_hand_over, custody_receive, find_by_pickup_code, visitor_register
from guanjia.residents.tests.conftest import LI_MING_PHONE


@pytest.fixture
def parcel(world):
    return custody_receive(
        project=world.estate,
        kind="parcel",
        description="顺丰快递一件",
        actor=world.front_desk,
        owner_customer=world.customer,
        owner_unit=world.unit,
        send_code=False,
    ).obj


def test_f02_resident_shows_a_pickup_code_that_the_desk_hands_over_against(world, resident_api, parcel):
    client = resident_api(LI_MING_PHONE)
    listed = client.get("/api/v1/resident/parcels/").json()
    assert [p["id"] for p in listed] == [parcel.pk] and listed[0]["description"] == "顺丰快递一件"
    issued = client.post(f"/api/v1/resident/parcels/{parcel.pk}/code")
    assert issued.status_code == 200
    code = issued.json()["pickup_code"]
    assert len(code) == 6 and code.isdigit()
    assert find_by_pickup_code(project=world.estate, code=code) == parcel
    parcel.refresh_from_db()  # the desk reads the item as it is now
    custody_hand_over(item=parcel, proof_kind="pickup_code", proof_value=code, actor=world.front_desk)
    parcel.refresh_from_db()
    assert parcel.status == CustodyStatus.HANDED_OVER
    assert client.get("/api/v1/resident/parcels/").json() == []


def test_parcel_code_page_draws_the_qr_locally(world, resident_api, parcel, client):
    from guanjia.residents.auth import SESSION_KEY
    from guanjia.residents.models import ResidentSession
    from guanjia.residents.signin import consent_record

    resident_api(LI_MING_PHONE)
    consent_record(phone=LI_MING_PHONE, client_ip="", now=timezone.now())
    session = client.session
    session[SESSION_KEY] = ResidentSession.objects.get().pk
    session.save()
    page = client.post(reverse("residents:parcel_code", args=[parcel.pk])).content.decode()
    assert "<svg" in page and "data-pickup-code" in page


def test_f01_resident_pass_is_admitted_at_the_desk(world, resident_api):
    client = resident_api(LI_MING_PHONE)
    today = timezone.localdate()
    created = client.post(
        "/api/v1/resident/visitor-passes/", {"visitor_name": "王小红", "visit_date": today.isoformat()}, format="json"
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    visitor_pass = VisitorPass.objects.get()
    assert visitor_pass.customer == world.customer and visitor_pass.created_by is None
    listed = client.get("/api/v1/resident/visitor-passes/").json()
    assert listed[0]["visitor_name"] == "王小红" and listed[0]["code"] is None  # shown once only
    visitor = visitor_register(
        project=world.estate, name="王小红", host_unit=world.unit, actor=world.front_desk, pass_code=code
    )
    visitor_pass.refresh_from_db()
    assert visitor_pass.used_at is not None and visitor.host_confirmed_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visitor_name": "", "visit_date": "2099-01-01"}, "visitor_name"),
        ({"visitor_name": "王", "visit_date": "2001-01-01"}, "visit_date"),
        ({"visitor_name": "王", "visit_date": "x"}, "visit_date"),
    ],
)
def test_pass_bad_input_names_the_field(world, resident_api, body, field):
    answer = resident_api(LI_MING_PHONE).post("/api/v1/resident/visitor-passes/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()


def test_f12_posted_notices_of_the_estate_only(world, resident_api):
    now = timezone.now()
    common = {"kind": "notice", "body": "停水通知", "drafted_by": world.supervisor, "drafted_at": now}
    Notice.objects.create(project=world.estate, title="周三停水", status=NoticeStatus.POSTED, posted_at=now, **common)
    Notice.objects.create(project=world.estate, title="草稿", status=NoticeStatus.DRAFT, **common)
    Notice.objects.create(project=world.other_estate, title="翠湖苑停电", status=NoticeStatus.POSTED, **common)
    titles = [n["title"] for n in resident_api(LI_MING_PHONE).get("/api/v1/resident/notices/").json()]
    assert titles == ["周三停水"]


def test_f13_fee_notices_of_the_household(world, resident_api):
    now = timezone.now()
    FeeNotice.objects.create(
        project=world.estate,
        unit=world.unit,
        period="2026-11",
        kind="property",
        amount=300,
        sent_at=now,
        sent_by=world.front_desk,
    )
    FeeNotice.objects.create(
        project=world.other_estate,
        unit=world.other_unit,
        period="2026-11",
        kind="property",
        amount=200,
        sent_at=now,
        sent_by=world.front_desk,
    )
    fees = resident_api(LI_MING_PHONE).get("/api/v1/resident/fees/").json()
    assert [(f["amount"], f["paid"]) for f in fees] == [("300.00", False)]


def test_parcel_list_runs_a_fixed_number_of_queries(world, resident_api, parcel):
    client = resident_api(LI_MING_PHONE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/resident/parcels/").status_code == 200
        return len(queries)

    one = count()
    for i in range(3):
        custody_receive(
            project=world.estate,
            kind="parcel",
            description=f"包裹{i}",
            actor=world.front_desk,
            owner_customer=world.customer,
            owner_unit=world.unit,
            send_code=False,
            received_at=timezone.now() - timedelta(minutes=i + 1),
        )
    assert count() == one


def test_f04_f05_keys_and_loans_of_the_household(world, resident_api):
    from guanjia.frontdesk.services import custody_lend

    custody_lend(
        project=world.estate,
        description="梯子",
        borrower_name="李明",
        actor=world.front_desk,
        borrower_unit=world.unit,
        borrower_customer=world.customer,
        due_back_at=timezone.now() + timedelta(hours=3),
    )
    custody_lend(
        project=world.other_estate,
        description="雨伞",
        borrower_name="赵六",
        actor=world.outsider,
        borrower_unit=world.other_unit,
        borrower_customer=world.other_customer,
    )
    kept = resident_api(LI_MING_PHONE).get("/api/v1/resident/keys-and-loans/").json()
    assert [(k["description"], k["out"]) for k in kept] == [("梯子", True)]
