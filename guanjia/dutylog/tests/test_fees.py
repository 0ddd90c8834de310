"""F13 Fees: fee notices are sent and arrears followed up in a collection plan; parking spaces and their
holders are kept up to date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guanjia.core.errors import NotPossible
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import CollectionPlan, FeeNotice, ParkingSpace
from guanjia.dutylog.tests.conftest import verbs
from guanjia.testing.factories import make_unit

pytestmark = pytest.mark.django_db


def send(world, unit=None, period="2026-10", kind="management", amount="320.50"):
    return services.fee_notice_send(
        unit=unit or world.unit, period=period, kind=kind, amount=amount, actor=world.front_desk
    )


def test_f13_fee_notice_is_sent_once_per_unit_period_and_kind(world):
    notice = send(world)
    assert notice.amount == Decimal("320.50") and notice.sent_at and verbs(notice) == ["fee.notice_sent"]
    with pytest.raises(ValidationError) as exc:
        send(world)
    assert "period" in exc.value.message_dict
    send(world, kind="water", amount="45")


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("period", {"period": "2026-13"}),
        ("amount", {"amount": "-5"}),
        ("amount", {"amount": "abc"}),
        ("kind", {"kind": "gas"}),
    ],
)
def test_f13_bad_fee_input_names_the_field(world, field, kw):
    with pytest.raises(ValidationError) as exc:
        send(world, **kw)
    assert field in exc.value.message_dict


def test_f13_arrears_list_unpaid_notices_per_unit(world):
    other = make_unit(world.estate, world.building, entrance="2", room="1202")
    send(world, period="2026-09")
    send(world, period="2026-10")
    paid = send(world, unit=other)
    services.fee_mark_paid(notice=paid, actor=world.front_desk)
    rows = selectors.arrears(world.estate)
    assert [(r["unit"], r["total"], r["n"], r["oldest"]) for r in rows] == [
        (world.unit, Decimal("641.00"), 2, "2026-09")
    ]


def test_f13_collection_plan_with_follow_up_records_closes_when_paid(world):
    notice = send(world)
    plan = services.collection_plan_open(
        unit=world.unit, owner=world.butler, plan="先电话，再上门", actor=world.supervisor
    )
    with pytest.raises(NotPossible):
        services.collection_plan_open(unit=world.unit, owner=world.butler, plan="again", actor=world.supervisor)
    record = services.collection_follow_up(
        plan=plan, method="phone", result="业主答应月底前缴", next_step="月底上门",
        next_at=timezone.localdate() + timedelta(days=7), actor=world.butler,
    )  # fmt: skip
    assert record.by == world.butler and selectors.arrears(world.estate)[0]["plan"] == plan
    services.fee_mark_paid(notice=notice, actor=world.front_desk)
    plan.refresh_from_db()
    assert plan.closed_at is not None
    assert verbs(plan) == ["collection.opened", "collection.followed_up", "collection.closed"]
    with pytest.raises(NotPossible):
        services.collection_follow_up(plan=plan, method="phone", result="x", actor=world.butler)


def test_f13_no_plan_without_arrears(world):
    with pytest.raises(NotPossible):
        services.collection_plan_open(unit=world.unit, owner=world.butler, plan="x", actor=world.supervisor)


def test_f13_paid_twice_is_refused(world):
    notice = send(world)
    services.fee_mark_paid(notice=notice, actor=world.front_desk)
    with pytest.raises(NotPossible):
        services.fee_mark_paid(notice=notice, actor=world.front_desk)


def test_f13_parking_space_and_holder_kept_up_to_date(world):
    space = services.parking_space_save(
        project=world.estate, number="B1-023", holder=world.customer, unit=world.unit, plate="粤b 12345",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), actor=world.front_desk,
    )  # fmt: skip
    assert space.plate == "粤B12345"
    space = services.parking_space_save(project=world.estate, number="B1-023", plate="粤B54321", actor=world.front_desk)
    assert ParkingSpace.objects.count() == 1 and space.holder is None and space.plate == "粤B54321"
    assert verbs(space) == ["parking.added", "parking.holder_changed"]
    with pytest.raises(ValidationError) as exc:
        services.parking_space_save(project=world.estate, number="B1-024", plate="12345", actor=world.front_desk)
    assert "plate" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.parking_space_save(
            project=world.estate, number="B1-024", holder=world.other_customer, actor=world.front_desk
        )
    assert "holder" in exc.value.message_dict


def test_f13_technicians_do_not_handle_fees(world):
    with pytest.raises(PermissionDenied):
        services.fee_notice_send(unit=world.unit, period="2026-10", kind="water", amount="1", actor=world.technician)


def test_f13_fee_pages_find_the_unit_from_the_short_number(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("office:fee_add"),
        {"unit": "3-2-1201", "period": "2026-11", "kind": "parking", "amount": "300"},
        follow=True,
    )
    assert "已发出 3栋2单元1201 2026-11 车位费 缴费通知" in response.content.decode()
    response = client.post(
        reverse("office:fee_add"),
        {"unit": "9-9-999", "period": "2026-11", "kind": "parking", "amount": "1"},
        follow=True,
    )
    assert "房屋：本项目没有房屋 9-9-999" in response.content.decode()
    client.post(reverse("office:plan_open"), {"unit": "3-2-1201", "owner": world.butler.pk, "plan": "电话催缴"})
    assert CollectionPlan.objects.get().owner == world.butler
    client.post(
        reverse("office:parking_save"), {"number": "A-1", "unit": "3-2-1201", "holder": "李明", "plate": "粤B11111"}
    )
    assert ParkingSpace.objects.get().holder == world.customer


def test_f13_outsider_cannot_touch_our_fees(world, web_as):
    notice = send(world)
    plan = services.collection_plan_open(unit=world.unit, owner=world.butler, plan="x", actor=world.supervisor)
    client = web_as(world.outsider)
    assert client.post(reverse("office:fee_paid", args=[notice.pk])).status_code == 404
    assert (
        client.post(reverse("office:plan_follow_up", args=[plan.pk]), {"method": "phone", "result": "x"}).status_code
        == 404
    )
    client.post(reverse("office:fee_add"), {"unit": "3-2-1201", "period": "2026-11", "kind": "water", "amount": "1"})
    assert FeeNotice.objects.count() == 1
    assert "3栋2单元1201" not in client.get(reverse("office:fees")).content.decode()
    with pytest.raises(PermissionDenied):
        services.fee_notice_send(unit=world.unit, period="2026-11", kind="water", amount="1", actor=world.outsider)


def test_f13_fees_page_query_count(world, web_as, django_assert_max_num_queries):
    for i in range(8):
        unit = make_unit(world.estate, world.building, entrance="1", room=f"10{i}")
        send(world, unit=unit)
        plan = services.collection_plan_open(unit=unit, owner=world.butler, plan="x", actor=world.supervisor)
        services.collection_follow_up(plan=plan, method="sms", result="已发短信", actor=world.butler)
        services.parking_space_save(project=world.estate, number=f"P{i}", unit=unit, actor=world.front_desk)
    client = web_as(world.front_desk)
    client.get(reverse("office:fees"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("office:fees")).status_code == 200
