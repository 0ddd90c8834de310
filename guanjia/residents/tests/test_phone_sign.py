"""R10 on the resident's phone: the technician asks the customer to sign the order on their own phone; the
household's resident signs (API or page); the signature is the order's customer signature and the technician
completes. Only the household's resident can sign: a neighbour or a resident of another estate gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanjia.repairs.models import RepairSignature, RepairStatus, SignerRole
from guanjia.repairs.services import (
    repair_accept,
    repair_arrive,
    repair_assess,
    repair_customer_agrees,
    repair_order_and_notify,
    repair_record_consent,
)
from guanjia.residents.auth import SESSION_KEY
from guanjia.residents.labels import SIGN_REQUESTED_VERB
from guanjia.residents.models import OnlineReport, SignatureRequest
from guanjia.residents.reports import report_accept
from guanjia.residents.signin import consent_record, session_start
from guanjia.residents.tests.conftest import LI_MING_PHONE, ZHAO_LIU_PHONE
from guanjia.testing.factories import make_customer, make_staff, make_unit
from guanjia.testing.images import signature_data_url
from guanjia.timeline.models import Event

NEIGHBOUR_PHONE = "13622223333"


@pytest.fixture
def li(world, resident_api):
    """李明 signed in to the API, privacy notice agreed."""
    client = resident_api(LI_MING_PHONE)
    consent_record(phone=LI_MING_PHONE, client_ip="", now=timezone.now())
    return client


@pytest.fixture
def repair(world, li):
    """李明's leaking tap, reported online, accepted, dispatched; the technician is there and working."""
    from guanjia.accounts.models import Role

    li.post("/api/v1/resident/repairs/", {"unit": world.unit.pk, "description": "水龙头漏水"}, format="json")
    now = timezone.now()
    order = report_accept(report=OnlineReport.objects.get(), actor=world.front_desk, now=now)
    order = repair_order_and_notify(repair=order, actor=world.front_desk)
    engineer = make_staff(Role.ENGINEERING_SUPERVISOR, projects=(world.estate,), username="eng", name="钱主管")
    order = repair_assess(repair=order, actor=engineer, feasible=True, assessment="换阀芯", quoted_fee_yuan="30")
    order = repair_record_consent(repair=order, actor=world.front_desk, agreed=True)
    order = repair_accept(repair=order, actor=world.technician, technician=world.technician)
    order = repair_arrive(repair=order, actor=world.technician)
    return repair_customer_agrees(repair=order, actor=world.technician)


def page_client(phone: str) -> Client:
    now = timezone.now()
    session, _key = session_start(phone=phone, now=now)
    consent_record(phone=phone, client_ip="", now=now)
    client = Client()
    cookie = client.session
    cookie[SESSION_KEY] = session.pk
    cookie.save()
    return client


def technician_client(world) -> Client:
    client = Client()
    client.force_login(world.technician)
    return client


def test_r10_technician_asks_resident_signs_on_phone_page_and_technician_completes(world, repair):
    tech = technician_client(world)
    work = tech.get(reverse("repairs:work", args=[repair.pk])).content.decode()
    assert 'id="btn-phone-sign"' in work
    answer = tech.post(reverse("residents:ask_signature", args=[repair.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("repairs:work", args=[repair.pk])
    assert SignatureRequest.objects.filter(repair=repair, signed_at__isnull=True).count() == 1
    assert Event.objects.filter(verb=SIGN_REQUESTED_VERB, subject_id=repair.pk).count() == 1
    work = tech.get(reverse("repairs:work", args=[repair.pk])).content.decode()
    assert 'id="phone-sign-waiting"' in work and 'id="btn-phone-sign"' not in work

    resident = page_client(LI_MING_PHONE)
    home = resident.get(reverse("residents:home")).content.decode()
    assert f'id="sign-ask-{repair.pk}"' in home and repair.number in home
    assert 'id="sign-ask"' in resident.get(reverse("residents:repair", args=[repair.pk])).content.decode()
    sign_page = resident.get(reverse("residents:repair_sign", args=[repair.pk])).content.decode()
    assert "data-sigpad" in sign_page
    # A blank canvas is refused inline; nothing is stored.
    blank = resident.post(reverse("residents:repair_sign", args=[repair.pk]), {"signature": signature_data_url(True)})
    assert blank.status_code == 200 and "签名为空" in blank.content.decode()
    assert not RepairSignature.objects.filter(repair=repair).exists()
    signed = resident.post(reverse("residents:repair_sign", args=[repair.pk]), {"signature": signature_data_url()})
    assert signed.status_code == 302

    signature = RepairSignature.objects.get(repair=repair)
    assert signature.role == SignerRole.CUSTOMER and signature.collected_by == world.technician
    assert signature.signer_name == "李明"
    event = Event.objects.get(verb="repair.signed", subject_id=repair.pk)
    assert event.actor is None and event.data["by"] == "customer" and event.data["signature"] == signature.pk
    assert SignatureRequest.objects.get().signature == signature
    # The ask is gone from the resident's pages; a second signature is not possible.
    assert f'id="sign-ask-{repair.pk}"' not in resident.get(reverse("residents:home")).content.decode()
    assert resident.get(reverse("residents:repair_sign", args=[repair.pk])).status_code == 404

    # The technician sees it signed (no pad) and completes without drawing another signature.
    work = tech.get(reverse("repairs:work", args=[repair.pk])).content.decode()
    assert 'id="customer-signed"' in work and "data-sigpad" not in work.split('id="complete-form"')[1]
    done = tech.post(
        reverse("repairs:step", args=[repair.pk, "complete"]),
        {"fee_yuan": "30", "payment_method": "cash", "signature": ""},
    )
    assert done.status_code == 302
    repair.refresh_from_db()
    assert repair.status == RepairStatus.COMPLETED and repair.customer_signed


def test_r10_resident_signs_through_the_api(world, repair, li):
    tech = technician_client(world)
    tech.post(reverse("residents:ask_signature", args=[repair.pk]))
    pending = li.get("/api/v1/resident/sign-requests/").json()
    assert [p["number"] for p in pending] == [repair.number]
    bad = li.post(f"/api/v1/resident/repairs/{repair.pk}/sign", {"signature": "nonsense"}, format="json")
    assert bad.status_code == 400 and "signature" in bad.json()
    answer = li.post(f"/api/v1/resident/repairs/{repair.pk}/sign", {"signature": signature_data_url()}, format="json")
    assert answer.status_code == 201, answer.content
    assert RepairSignature.objects.filter(repair=repair, role=SignerRole.CUSTOMER).count() == 1
    again = li.post(f"/api/v1/resident/repairs/{repair.pk}/sign", {"signature": signature_data_url()}, format="json")
    assert again.status_code == 404
    assert li.get("/api/v1/resident/sign-requests/").json() == []


def test_r10_without_a_request_there_is_nothing_to_sign(world, repair, li):
    answer = li.post(f"/api/v1/resident/repairs/{repair.pk}/sign", {"signature": signature_data_url()}, format="json")
    assert answer.status_code == 404
    assert not RepairSignature.objects.exists()


@pytest.fixture(params=["neighbour", "other_estate"])
def outsider_phone(request, world):
    if request.param == "neighbour":
        flat = make_unit(world.estate, world.building, entrance="2", room="1202")
        make_customer(world.estate, name="钱七", phones=(NEIGHBOUR_PHONE,), units=(flat,))
        return NEIGHBOUR_PHONE
    return ZHAO_LIU_PHONE


def test_r10_o04_only_the_household_can_sign(world, repair, resident_api, outsider_phone):
    technician_client(world).post(reverse("residents:ask_signature", args=[repair.pk]))
    outsider = resident_api(outsider_phone)
    consent_record(phone=outsider_phone, client_ip="", now=timezone.now())
    assert outsider.get("/api/v1/resident/sign-requests/").json() == []
    url = f"/api/v1/resident/repairs/{repair.pk}/sign"
    assert outsider.post(url, {"signature": signature_data_url()}, format="json").status_code == 404
    page = page_client(outsider_phone)
    assert page.get(reverse("residents:repair_sign", args=[repair.pk])).status_code == 404
    assert (
        page.post(reverse("residents:repair_sign", args=[repair.pk]), {"signature": signature_data_url()}).status_code
        == 404
    )
    assert f"sign-ask-{repair.pk}" not in page.get(reverse("residents:home")).content.decode()
    assert not RepairSignature.objects.exists()
    assert SignatureRequest.objects.get().signed_at is None


def test_r10_only_who_works_the_order_may_ask(world, repair):
    desk = Client()
    desk.force_login(world.front_desk)
    desk.post(reverse("residents:ask_signature", args=[repair.pk]))
    assert not SignatureRequest.objects.exists()
