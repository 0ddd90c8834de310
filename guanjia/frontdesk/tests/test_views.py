"""The ledger page: every tab renders in a few queries, writes go through the services, outsiders see nothing."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from guanjia.frontdesk import services
from guanjia.frontdesk.models import ArchiveEvent, CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorStatus
from guanjia.frontdesk.views import TABS

HOME = "/frontdesk/"


def parcel(world, **kw):
    return services.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="",
        owner_unit=world.unit,
        owner_customer=world.customer,
        shelf=kw.pop("shelf", "A1"),
        actor=world.front_desk,
        **kw,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("tab", list(TABS))
def test_f02_every_tab_renders_in_a_bounded_number_of_queries(world, web_as, django_assert_max_num_queries, tab):
    for i in range(15):
        parcel(world, shelf=f"A{i}")
        services.custody_lend(project=world.estate, description=f"伞{i}", borrower_name="李明", actor=world.front_desk)
        services.visitor_register(project=world.estate, name=f"访客{i}", host_unit=world.unit, actor=world.front_desk)
    client = web_as(world.front_desk)
    with django_assert_max_num_queries(12):
        response = client.get(HOME, {"tab": tab})
    assert response.status_code == 200


def test_f02_register_a_parcel_and_hand_it_over_with_the_code_from_the_page(world, web_as, outbox):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("frontdesk:receive"),
        {"tracking_number": "SF100200300", "unit": "3-2-1201", "shelf": "B2", "kind": "parcel"},
        follow=True,
    )
    text = " ".join(messages_of(response))
    code = re.search(r"取件码 (\d{6})", text).group(1)
    assert "139****5678" in text
    item = CustodyItem.objects.get(tracking_number="SF100200300")
    assert item.owner_customer == world.customer and item.shelf == "B2"
    assert "SF100200300" in response.content.decode()

    response = client.post(reverse("frontdesk:pickup_by_code"), {"code": code}, follow=True)
    assert "已交付" in " ".join(messages_of(response))
    item.refresh_from_db()
    assert item.status == CustodyStatus.HANDED_OVER
    # Again with the same code: refused, nothing changes.
    response = client.post(reverse("frontdesk:pickup_by_code"), {"code": code}, follow=True)
    assert "取件码不正确或物品已领取" in " ".join(messages_of(response))


def test_f02_wrong_proof_in_the_dialog_is_refused_with_the_field_named(world, web_as):
    item = parcel(world).obj
    client = web_as(world.front_desk)
    response = client.post(
        reverse("frontdesk:hand_over", args=[item.pk]),
        {"proof_kind": "id_card", "proof_value": "9999", "tab": "parcels"},
        follow=True,
    )
    assert any(m.startswith("凭证：") for m in messages_of(response))
    assert CustodyItem.objects.get(pk=item.pk).status == CustodyStatus.HELD


def test_f02_unknown_unit_is_named_in_the_error(world, web_as):
    response = web_as(world.front_desk).post(
        reverse("frontdesk:receive"), {"unit": "9-9-9999", "kind": "parcel"}, follow=True
    )
    assert "房屋：找不到房屋“9-9-9999”" in messages_of(response)


def test_f01_visitor_flow_from_the_page(world, web_as):
    client = web_as(world.front_desk)
    client.post(
        reverse("frontdesk:visitor_register"),
        {"name": "周访客", "unit": "3-2-1201", "id_number": "110101198507074321", "phone": "13600001111"},
    )
    visitor = Visitor.objects.get(name="周访客")
    client.post(reverse("frontdesk:visitor_action", args=[visitor.pk, "admit"]))
    assert Visitor.objects.get(pk=visitor.pk).status == VisitorStatus.WAITING  # not before the host confirms
    client.post(
        reverse("frontdesk:visitor_action", args=[visitor.pk, "confirm"]),
        {"method": "intercom", "confirmed_by": "李明"},
    )
    client.post(reverse("frontdesk:visitor_action", args=[visitor.pk, "admit"]))
    response = client.get(HOME, {"tab": "visitors"})
    assert "周访客" in response.content.decode() and "证件尾号 4321" in response.content.decode()
    client.post(reverse("frontdesk:visitor_action", args=[visitor.pk, "sign-out"]), {"slip_returned": "1"})
    assert Visitor.objects.get(pk=visitor.pk).status == VisitorStatus.LEFT


def test_f01_visitor_phone_is_masked_for_a_role_that_does_not_need_it(world, web_as):
    from guanjia.accounts.models import Role
    from guanjia.testing.factories import make_staff

    services.visitor_register(
        project=world.estate, name="周访客", host_unit=world.unit, phone="13600001111", actor=world.front_desk
    )
    guard = make_staff(Role.SECURITY, projects=(world.estate,))
    page = web_as(guard).get(HOME, {"tab": "visitors"}).content.decode()
    assert "136****1111" in page and "13600001111" not in page


def test_f01_visitor_phone_is_masked_at_the_counter_and_each_reveal_is_recorded(world, web_as):
    from guanjia.accounts.models import Role
    from guanjia.testing.factories import make_staff
    from guanjia.timeline.models import Event

    visitor = services.visitor_register(
        project=world.estate, name="周访客", host_unit=world.unit, phone="13600001111", actor=world.front_desk
    )
    client = web_as(world.front_desk)
    page = client.get(HOME, {"tab": "visitors"}).content.decode()
    assert "136****1111" in page and "13600001111" not in page
    assert reverse("frontdesk:visitor_phone", args=[visitor.pk]) in page
    revealed = client.post(reverse("frontdesk:visitor_phone", args=[visitor.pk]))
    assert revealed.status_code == 200 and "13600001111" in revealed.content.decode()
    events = Event.objects.for_subject(visitor).filter(verb="pii.phone_revealed")
    assert [e.actor_id for e in events] == [world.front_desk.pk]
    # a role that does not call people gets no button, and the address refuses it (nothing recorded)
    guard = make_staff(Role.SECURITY, projects=(world.estate,))
    guard_client = web_as(guard)
    assert (
        reverse("frontdesk:visitor_phone", args=[visitor.pk])
        not in guard_client.get(HOME, {"tab": "visitors"}).content.decode()
    )
    assert guard_client.post(reverse("frontdesk:visitor_phone", args=[visitor.pk])).status_code == 403
    assert events.count() == 1


def test_f02_outsider_sees_nothing_and_cannot_write(world, web_as):
    item = parcel(world, shelf="货架Z9").obj
    visitor = services.visitor_register(
        project=world.estate, name="周访客", host_unit=world.unit, actor=world.front_desk
    )
    client = web_as(world.outsider)
    page = client.get(HOME).content.decode()
    # (A shelf no random token on the page can spell: "A1" was found once inside a nonce.)
    assert "翠湖苑" in page and "货架Z9" not in page and "周访客" not in page
    assert client.post(reverse("frontdesk:hand_over", args=[item.pk]), {"proof_kind": "pickup_code"}).status_code == 404
    assert client.post(reverse("frontdesk:resend_code", args=[item.pk])).status_code == 404
    assert client.post(reverse("frontdesk:dispose", args=[item.pk]), {"note": "x"}).status_code == 404
    assert client.post(reverse("frontdesk:take_back", args=[item.pk])).status_code == 404
    assert client.post(reverse("frontdesk:slip_release", args=[item.pk])).status_code == 404
    assert client.post(reverse("frontdesk:visitor_action", args=[visitor.pk, "admit"])).status_code == 404
    assert (
        client.post(reverse("frontdesk:archive_record", args=[world.unit.pk]), {"kind": "move_out"}).status_code == 404
    )
    # The outsider's own estate has no unit 3-2-1201: registering there fails on the unit, not in ours.
    client.post(reverse("frontdesk:receive"), {"unit": "3-2-1201", "kind": "parcel"})
    assert CustodyItem.objects.count() == 1
    assert client.get(reverse("frontdesk:unit_lookup"), {"q": "1201"}).json() == {"units": []}


def test_f02_a_technician_may_not_open_the_ledgers(world, web_as):
    assert web_as(world.technician).get(HOME).status_code == 403


def test_f02_unit_type_ahead_answers_with_the_residents(world, web_as):
    data = web_as(world.front_desk).get(reverse("frontdesk:unit_lookup"), {"q": "3-2-12"}).json()
    assert data == {"units": [{"value": "3-2-1201", "label": "3栋2单元1201 李明"}]}


def test_f04_lend_and_take_back_from_the_page(world, web_as):
    client = web_as(world.front_desk)
    client.post(reverse("frontdesk:lend"), {"description": "雨伞", "owner_name": "李明", "unit": "3-2-1201"})
    loan = CustodyItem.objects.get(kind=CustodyKind.LOAN)
    client.post(
        reverse("frontdesk:take_back", args=[loan.pk]), {"returned_by_name": "李明", "damage_note": "伞骨断一根"}
    )
    loan.refresh_from_db()
    assert loan.status == CustodyStatus.RETURNED and loan.damage_note == "伞骨断一根"


def test_f06_slip_from_the_page_names_the_authoriser(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("frontdesk:slip_register"),
        {"unit": "3-2-1201", "authorised_by": "陌生人", "description": "沙发", "carrier_name": "刘"},
        follow=True,
    )
    assert any(m.startswith("授权人：") for m in messages_of(response))
    client.post(
        reverse("frontdesk:slip_register"),
        {"unit": "3-2-1201", "authorised_by": "李明", "description": "沙发", "carrier_name": "刘"},
    )
    slip = CustodyItem.objects.get(kind=CustodyKind.RELEASE_SLIP)
    client.post(reverse("frontdesk:slip_release", args=[slip.pk]))
    assert CustodyItem.objects.get(pk=slip.pk).status == CustodyStatus.RELEASED


def test_f07_archive_panel_lists_events_and_records_from_the_unit_page(world, web_as, django_assert_max_num_queries):
    client = web_as(world.butler)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("frontdesk:archive_record", args=[world.unit.pk]),
        {"kind": "move_in_handover", "date": today, "customer": world.customer.pk, "documents_note": "钥匙3把"},
    )
    assert ArchiveEvent.objects.get().documents_note == "钥匙3把"
    request = RequestFactory().get("/")
    request.user = world.butler
    template = Template('{% include "frontdesk/_archive_events.html" %}')
    with django_assert_max_num_queries(6):
        html = template.render(Context({"request": request, "customer": world.customer}))
    assert "入住交接" in html and "钥匙3把" in html and "记入档案" not in html
    html = template.render(Context({"request": request, "unit": world.unit}))
    assert "入住交接" in html and "记入档案" in html
