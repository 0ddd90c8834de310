"""Honest pickup-code messages (issue 15): the desk sees what really became of the SMS — sent, failed, or not
configured (printed on the server console only) — and a parcel received by unit goes to the phone on file of
the unit's residents."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.estates.models import Residency
from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind
from guanjia.frontdesk.tests.test_views import HOME, messages_of
from guanjia.notifications.models import Delivery, DeliveryStatus
from guanjia.notifications.outbox import deliver_due
from guanjia.notifications.tests.fakes import aliyun_on
from guanjia.testing.factories import make_customer, make_unit


@pytest.fixture
def fake_aliyun(settings):
    """The SMS provider is Aliyun, played by a local fake that checks the signature."""
    yield from aliyun_on(settings)


PARCEL = {"tracking_number": "SF100200300", "unit": "3-2-1201", "shelf": "B2", "kind": "parcel"}


def test_f02_receiving_by_unit_alone_uses_the_residents_phone_on_file(world):
    issued = services.custody_receive(
        project=world.estate, kind=CustodyKind.PARCEL, description="", owner_unit=world.unit, actor=world.front_desk
    )
    item = issued.obj
    assert item.owner_customer is None and item.owner_phone == "13912345678"
    (sms,) = Delivery.objects.filter(ref=services.custody_ref(item))
    assert sms.recipient_display == "139****5678"


def test_f02_a_moved_out_resident_and_an_empty_unit_get_no_message(world):
    empty = make_unit(world.estate, world.building, entrance="2", room="1202")
    gone = make_customer(world.estate, name="前住户", phones=("13800009999",), units=(empty,))
    Residency.objects.filter(customer=gone).update(move_out_date=timezone.localdate() - timedelta(days=30))
    issued = services.custody_receive(
        project=world.estate, kind=CustodyKind.PARCEL, description="", owner_unit=empty, actor=world.front_desk
    )
    assert issued.obj.owner_phone == "" and not Delivery.objects.exists()
    assert services.unit_phone(world.unit) == "13912345678"


def test_f02_the_page_parcel_by_unit_with_two_residents_goes_to_the_phone_on_file_and_says_not_configured(
    world, web_as
):
    make_customer(world.estate, name="李太太", phones=("13600001234",), units=(world.unit,))
    client = web_as(world.front_desk)
    response = client.post(reverse("frontdesk:receive"), PARCEL, follow=True)
    text = " ".join(messages_of(response))
    # Two residents: no one person is chosen, yet the unit's phone on file (the first resident's) is used …
    assert "139****5678" in text
    # … and the page does not claim the SMS went anywhere: no provider is configured.
    assert "已发送" not in text and "已通过" not in text
    assert "未配置" in text and "服务器控制台" in text
    page = client.get(HOME, {"tab": "parcels"}).content.decode()
    assert 'data-delivery="not_configured"' in page and "服务器控制台" in page


def test_f02_the_page_says_sent_only_when_the_provider_accepted_it(world, web_as, fake_aliyun):
    client = web_as(world.front_desk)
    response = client.post(reverse("frontdesk:receive"), PARCEL, follow=True)
    text = " ".join(messages_of(response))
    assert "正在发送" in text and "已通过" not in text  # queued, not yet accepted
    deliver_due(timezone.now())
    page = client.get(HOME, {"tab": "parcels"}).content.decode()
    assert 'data-delivery="sent"' in page and "已通过短信发送至 139****5678" in page
    (query,) = fake_aliyun.accepted
    assert query["PhoneNumbers"] == "13912345678"


def test_f02_a_failed_sms_is_shown_failed_on_the_desk(world, web_as, fake_aliyun, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    fake_aliyun.mode = "http500"
    client = web_as(world.front_desk)
    client.post(reverse("frontdesk:receive"), PARCEL)
    item = CustodyItem.objects.get(tracking_number="SF100200300")
    now = timezone.now()
    deliver_due(now)
    page = client.get(HOME, {"tab": "parcels"}).content.decode()
    assert 'data-delivery="queued"' in page and "稍后自动重试" in page
    deliver_due(now + timedelta(hours=1))
    assert Delivery.objects.get(ref=services.custody_ref(item)).status == DeliveryStatus.FAILED
    page = client.get(HOME, {"tab": "parcels"}).content.decode()
    assert 'data-delivery="failed"' in page and "短信发送至 139****5678 失败" in page


def test_f02_resending_a_code_reports_the_new_messages_status(world, web_as):
    item = services.custody_receive(
        project=world.estate, kind=CustodyKind.PARCEL, description="", owner_unit=world.unit, actor=world.front_desk
    ).obj
    client = web_as(world.front_desk)
    response = client.post(reverse("frontdesk:resend_code", args=[item.pk]), follow=True)
    text = " ".join(messages_of(response))
    assert "已换新码" in text and "未配置" in text
    assert Delivery.objects.filter(ref=services.custody_ref(item)).count() == 2
