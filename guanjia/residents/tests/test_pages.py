"""The /r/ pages: sign in with a code, the privacy notice first, choose a unit, report with a photo."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guanjia.residents.models import OnlineReport, PrivacyConsent
from guanjia.residents.tests.conftest import LI_MING_PHONE, last_code
from guanjia.testing.factories import make_building, make_unit
from guanjia.testing.images import image_bytes


@pytest.fixture
def signed_in(world, outbox, django_capture_on_commit_callbacks):
    def sign_in(phone: str = LI_MING_PHONE, *, agree: bool = True) -> Client:
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(reverse("residents:login"), {"phone": phone})
        assert "验证码" in sent.content.decode()
        done = client.post(reverse("residents:login"), {"phone": phone, "code": last_code(outbox, phone)})
        assert done.status_code == 302
        if agree:
            client.post(reverse("residents:privacy"), {"agree": "1"})
        return client

    return sign_in


def test_pages_ask_to_sign_in(world):
    response = Client().get(reverse("residents:home"))
    assert response.status_code == 302 and response["Location"] == reverse("residents:login")


def test_unknown_phone_page_reads_the_same(world, outbox, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("residents:login"), {"phone": LI_MING_PHONE}).content.decode()
        unknown = client.post(reverse("residents:login"), {"phone": "13600000000"}).content.decode()
    masked = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')

    def same(page: str, phone: str) -> str:
        return masked.sub(r"\1", page.replace(phone, ""))

    assert same(known, LI_MING_PHONE) == same(unknown, "13600000000")


def test_privacy_notice_is_agreed_before_anything_else_and_recorded(world, signed_in):
    client = signed_in(agree=False)
    assert client.get(reverse("residents:home"))["Location"] == reverse("residents:privacy")
    assert client.get(reverse("residents:repairs"))["Location"] == reverse("residents:privacy")
    refused = client.post(reverse("residents:privacy"), {})
    assert refused.status_code == 200 and not PrivacyConsent.objects.exists()
    client.post(reverse("residents:privacy"), {"agree": "1"})
    consent = PrivacyConsent.objects.get()
    assert consent.phone == LI_MING_PHONE and consent.accepted_at is not None
    assert "李明" in client.get(reverse("residents:home")).content.decode()


def test_a_resident_with_two_homes_chooses_one(world, signed_in):
    second = make_unit(world.estate, make_building(world.estate, "5"), entrance="1", room="502")
    world.customer.residencies.create(unit=second, kind="tenant")
    client = signed_in()
    assert client.get(reverse("residents:home"))["Location"] == reverse("residents:choose_unit")
    assert client.post(reverse("residents:choose_unit"), {"unit": world.other_unit.pk}).status_code == 404
    client.post(reverse("residents:choose_unit"), {"unit": second.pk})
    assert "502" in client.get(reverse("residents:home")).content.decode()


def test_report_a_leaking_tap_with_a_photo(world, signed_in):
    client = signed_in()
    form = client.get(reverse("residents:repair_new"))
    assert form.status_code == 200
    photo = SimpleUploadedFile("tap.jpg", image_bytes(), content_type="image/jpeg")
    done = client.post(
        reverse("residents:repair_new"), {"unit": world.unit.pk, "description": "厨房水龙头漏水", "photos": photo}
    )
    assert done.status_code == 302
    report = OnlineReport.objects.get()
    assert report.photos.count() == 1 and report.customer == world.customer
    listing = client.get(reverse("residents:repairs")).content.decode()
    assert "厨房水龙头漏水" in listing and "等待物业受理" in listing


def test_empty_report_says_what_is_missing(world, signed_in):
    client = signed_in()
    page = client.post(reverse("residents:complaint_new"), {"unit": world.unit.pk, "description": ""})
    assert page.status_code == 200 and "请描述" in page.content.decode()


def test_download_my_data(world, signed_in):
    data = signed_in().get(reverse("residents:my_data"))
    assert data.status_code == 200 and "attachment" in data["Content-Disposition"]
    body = json.loads(data.content)
    assert body["customers"][0]["name"] == "李明"
    assert body["customers"][0]["phones"] == [LI_MING_PHONE]
    assert body["privacy_consents"]


def test_logout(world, signed_in):
    client = signed_in()
    client.post(reverse("residents:logout"))
    assert client.get(reverse("residents:home")).status_code == 302


@pytest.mark.parametrize("name", ["repairs", "complaints", "visits", "parcels", "visitor_passes", "notices", "fees"])
def test_list_pages_run_a_fixed_number_of_queries(world, signed_in, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from guanjia.frontdesk.services import custody_receive
    from guanjia.residents.households import household_for
    from guanjia.residents.reports import report_accept, report_submit

    client = signed_in()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"residents:{name}")).status_code == 200
        return len(queries)

    def add() -> None:
        household = household_for(LI_MING_PHONE)
        for kind in ("repair", "complaint"):
            report = report_submit(
                household=household, kind=kind, unit=world.unit.pk, description="x", now=timezone.now()
            )
            report_accept(report=report, actor=world.front_desk, now=timezone.now())
        custody_receive(
            project=world.estate,
            kind="parcel",
            description="包裹",
            actor=world.front_desk,
            owner_customer=world.customer,
            owner_unit=world.unit,
            send_code=False,
        )

    add()
    one = count()
    add()
    add()
    assert count() == one
