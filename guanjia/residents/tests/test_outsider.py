"""O04 for residents: a resident of another household (same estate) or another estate gets 404 for every
resident endpoint and page given 李明's ids, and sees none of his affairs in any list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanjia.complaints.services import complaint_complete, complaint_dispatch, complaint_set_nature
from guanjia.frontdesk.services import custody_receive
from guanjia.residents.auth import SESSION_KEY
from guanjia.residents.models import OnlineReport, ResidentSession
from guanjia.residents.reports import report_accept
from guanjia.residents.signin import consent_record, session_start
from guanjia.residents.tests.conftest import LI_MING_PHONE, ZHAO_LIU_PHONE
from guanjia.testing.factories import make_customer, make_unit
from guanjia.visits.models import ReturnVisit

NEIGHBOUR_PHONE = "13622223333"


@pytest.fixture
def affairs(world, resident_api):
    """李明's repair, complaint (completed, with its return visit), parcel and visitor pass."""
    li = resident_api(LI_MING_PHONE)
    li.post("/api/v1/resident/repairs/", {"unit": world.unit.pk, "description": "水龙头漏水"}, format="json")
    li.post("/api/v1/resident/complaints/", {"unit": world.unit.pk, "description": "噪音"}, format="json")
    now = timezone.now()
    repair = report_accept(report=OnlineReport.objects.get(kind="repair"), actor=world.front_desk, now=now)
    complaint = report_accept(report=OnlineReport.objects.get(kind="complaint"), actor=world.front_desk, now=now)
    complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk, at=now)
    complaint_set_nature(complaint=complaint, nature="valid", actor=world.supervisor)
    complaint_complete(complaint=complaint, result="已处理", actor=world.supervisor, completed_at=timezone.now())
    visit = ReturnVisit.objects.get(object_id=complaint.pk)
    parcel = custody_receive(
        project=world.estate,
        kind="parcel",
        description="快递",
        actor=world.front_desk,
        owner_customer=world.customer,
        owner_unit=world.unit,
        send_code=False,
    ).obj
    li.post(
        "/api/v1/resident/visitor-passes/",
        {"visitor_name": "王小红", "visit_date": (timezone.localdate() + timedelta(days=1)).isoformat()},
        format="json",
    )
    return {"repair": repair.pk, "complaint": complaint.pk, "visit": visit.pk, "parcel": parcel.pk}


@pytest.fixture(params=["neighbour", "other_estate"])
def outsider_phone(request, world):
    if request.param == "neighbour":
        flat = make_unit(world.estate, world.building, entrance="2", room="1202")
        make_customer(world.estate, name="钱七", phones=(NEIGHBOUR_PHONE,), units=(flat,))
        return NEIGHBOUR_PHONE
    return ZHAO_LIU_PHONE


def test_o04_outsider_resident_api_is_404_for_foreign_ids(world, affairs, resident_api, outsider_phone):
    client = resident_api(outsider_phone)
    ids = affairs
    reads = [f"/api/v1/resident/repairs/{ids['repair']}", f"/api/v1/resident/complaints/{ids['complaint']}"]
    for url in reads:
        assert client.get(url).status_code == 404, url
    writes = [
        (f"/api/v1/resident/return-visits/{ids['visit']}/answer", {"satisfaction": 1}),
        (f"/api/v1/resident/parcels/{ids['parcel']}/code", {}),
        ("/api/v1/resident/repairs/", {"unit": world.unit.pk, "description": "x"}),
        ("/api/v1/resident/complaints/", {"unit": world.unit.pk, "description": "x"}),
        ("/api/v1/resident/visitor-passes/", {"unit": world.unit.pk, "visitor_name": "x", "visit_date": "2099-01-01"}),
    ]
    for url, body in writes:
        assert client.post(url, body, format="json").status_code == 404, url
    # And no list shows any of 李明's affairs.
    for url in ("repairs/", "complaints/", "return-visits/", "parcels/", "visitor-passes/", "fees/"):
        assert client.get(f"/api/v1/resident/{url}").json() == [], url
    me = client.get("/api/v1/resident/me").json()
    assert world.unit.pk not in [u["id"] for u in me["units"]]
    assert OnlineReport.objects.count() == 2  # nothing was filed in 李明's home


def test_o04_outsider_resident_pages_are_404_for_foreign_ids(world, affairs, outsider_phone):
    now = timezone.now()
    session, _key = session_start(phone=outsider_phone, now=now)
    consent_record(phone=outsider_phone, client_ip="", now=now)
    client = Client()
    cookie = client.session
    cookie[SESSION_KEY] = session.pk
    cookie.save()
    ids = affairs
    for name, pk in (("repair", ids["repair"]), ("complaint", ids["complaint"])):
        assert client.get(reverse(f"residents:{name}", args=[pk])).status_code == 404, name
    posts = [
        (reverse("residents:visit_answer", args=[ids["visit"]]), {"satisfaction": "1"}),
        (reverse("residents:parcel_code", args=[ids["parcel"]]), {}),
        (reverse("residents:choose_unit"), {"unit": world.unit.pk}),
        (reverse("residents:repair_new"), {"unit": world.unit.pk, "description": "x"}),
        (reverse("residents:complaint_new"), {"unit": world.unit.pk, "description": "x"}),
        (reverse("residents:visitor_passes"), {"unit": world.unit.pk, "visitor_name": "x", "visit_date": "2099-01-01"}),
    ]
    for url, body in posts:
        assert client.post(url, body).status_code == 404, url
    for name in ("repairs", "complaints", "visits", "parcels", "visitor_passes"):
        page = client.get(reverse(f"residents:{name}")).content.decode()
        assert "水龙头漏水" not in page and "噪音" not in page and "王小红" not in page, name
    assert ResidentSession.objects.filter(phone=outsider_phone).exists()
