"""The repair price list (维修项目收费标准, R03–R05, R08): API, page, fee changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanjia.core.errors import ConflictError
from guanjia.repairs.models import PriceCategory, PriceItem
from guanjia.repairs.services import price_item_set_fee
from guanjia.timeline.models import Event

pytestmark = pytest.mark.django_db


def make_item(project, code="SD01", name="更换水龙头", fee="30", **kw):
    return PriceItem.objects.create(
        project=project,
        code=code,
        name=name,
        category=kw.pop("category", PriceCategory.PLUMBING),
        unit=kw.pop("unit", "个"),
        fee_yuan=Decimal(fee),
        **kw,
    )


@pytest.fixture
def items(world):
    ours = [make_item(world.estate, f"SD{i:02d}", f"疏通下水道{i}", str(10 + i)) for i in range(1, 8)]
    ours.append(make_item(world.estate, "MC01", "换门锁芯", "50", category=PriceCategory.LOCKS))
    ours.append(make_item(world.estate, "OLD1", "旧项目", "5", active=False))
    theirs = make_item(world.other_estate, "SD01", "翠湖换水龙头", "35")
    return ours, theirs


def test_r03_price_items_api_lists_the_standard_items_of_visible_projects(world, api_as, items):
    response = api_as(world.front_desk).get("/api/v1/price-items/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 9
    first = body["results"][0]
    assert {"id", "name", "fee_yuan", "project", "code", "category", "unit", "active"} <= set(first)
    assert all(row["project"] == world.estate.pk for row in body["results"])


def test_price_items_api_filters(world, api_as, items):
    client = api_as(world.front_desk)
    assert client.get("/api/v1/price-items/", {"active": "true"}).json()["count"] == 8
    assert client.get("/api/v1/price-items/", {"active": "false"}).json()["count"] == 1
    found = client.get("/api/v1/price-items/", {"q": "锁芯"}).json()
    assert [r["code"] for r in found["results"]] == ["MC01"]
    assert client.get("/api/v1/price-items/", {"project": world.estate.pk}).json()["count"] == 9


def test_outsider_sees_no_price_item_of_another_project(world, api_as, items):
    ours, theirs = items
    client = api_as(world.outsider)
    body = client.get("/api/v1/price-items/").json()
    assert [r["id"] for r in body["results"]] == [theirs.pk]
    assert client.get(f"/api/v1/price-items/{ours[0].pk}/").status_code == 404
    assert client.get("/api/v1/price-items/", {"project": world.estate.pk}).status_code == 400


def test_price_items_api_query_count_does_not_grow_with_items(world, api_as, items, django_assert_max_num_queries):
    client = api_as(world.front_desk)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/price-items/", {"page_size": 200}).status_code == 200


def test_price_list_page_shows_the_current_project_by_category(world, web_as, items, django_assert_max_num_queries):
    client = web_as(world.front_desk)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("repairs:price_list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "水路" in text and "锁具" in text and "换门锁芯" in text
    assert "翠湖换水龙头" not in text and "旧项目" not in text
    assert 'name="fee_yuan"' not in text  # the desk reads, managers edit


def test_outsider_page_shows_only_their_project(world, web_as, items):
    text = web_as(world.outsider).get(reverse("repairs:price_list")).content.decode()
    assert "翠湖换水龙头" in text and "换门锁芯" not in text


def test_manager_changes_a_fee_and_it_is_recorded(world, items):
    item = items[0][0]
    price_item_set_fee(item=item, fee_yuan="45.5", version=item.version, actor=world.office_manager)
    item.refresh_from_db()
    assert item.fee_yuan == Decimal("45.50") and item.version == 2
    event = Event.objects.get(verb="price_item.fee_changed")
    assert event.data == {"code": "SD01", "from": "11.00", "to": "45.50"}
    assert event.actor == world.office_manager and event.project == world.estate


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234", "", "99999999"])
def test_fee_must_be_a_non_negative_amount_in_yuan(world, items, bad):
    item = items[0][0]
    with pytest.raises(ValidationError) as caught:
        price_item_set_fee(item=item, fee_yuan=bad, version=item.version, actor=world.office_manager)
    assert "fee_yuan" in caught.value.message_dict
    item.refresh_from_db()
    assert item.fee_yuan == Decimal("11") and not Event.objects.exists()


def test_stale_version_is_a_conflict(world, items):
    item = items[0][0]
    price_item_set_fee(item=item, fee_yuan="20", version=1, actor=world.office_manager)
    with pytest.raises(ConflictError):
        price_item_set_fee(item=item, fee_yuan="25", version=1, actor=world.general_manager)
    item.refresh_from_db()
    assert item.fee_yuan == Decimal("20")


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "outsider"])
def test_only_managers_of_the_project_change_fees(world, items, web_as, persona):
    item = items[0][0]
    with pytest.raises(PermissionError):
        price_item_set_fee(item=item, fee_yuan="99", version=1, actor=world.persona(persona))
    response = web_as(world.persona(persona)).post(
        reverse("repairs:price_item_fee", args=[item.pk]), {"fee_yuan": "99", "version": "1"}
    )
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.fee_yuan == Decimal("11")


def test_manager_edits_a_fee_inline_with_errors_shown_in_the_row(world, items, web_as):
    item = items[0][0]
    client = web_as(world.office_manager)
    url = reverse("repairs:price_item_fee", args=[item.pk])
    bad = client.post(url, {"fee_yuan": "-3", "version": "1"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "收费不能为负数" in bad.content.decode()
    good = client.post(url, {"fee_yuan": "12.5", "version": "1"}, HTTP_HX_REQUEST="true")
    assert "已保存" in good.content.decode()
    stale = client.post(url, {"fee_yuan": "13", "version": "1"}, HTTP_HX_REQUEST="true")
    assert "已被他人修改" in stale.content.decode()
    item.refresh_from_db()
    assert item.fee_yuan == Decimal("12.50")
    page = web_as(world.office_manager).get(reverse("repairs:price_list")).content.decode()
    assert 'name="fee_yuan"' in page
