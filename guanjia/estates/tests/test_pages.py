"""The customer and unit pages: what each persona sees, what an outsider cannot, what is recorded."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanjia.accounts.models import Role
from guanjia.estates.models import CustomerKind, UnitStatus
from guanjia.testing.factories import make_building, make_customer, make_staff, make_unit
from guanjia.timeline.models import Event

pytestmark = pytest.mark.django_db


def test_search_fragment_lists_name_masked_phone_unit_and_kind(world, web_as):
    response = web_as(world.front_desk).get(reverse("estates:customer_search"), {"q": "lm"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "李明" in html and "139****5678" in html and "3栋2单元1201" in html and "业主" in html
    assert "13912345678" not in html
    assert "<html" not in html  # a fragment for htmx, not a page


def test_search_fragment_says_when_nothing_matches(world, web_as):
    html = web_as(world.front_desk).get(reverse("estates:customer_search"), {"q": "不存在"}).content.decode()
    assert "没有找到" in html


def test_desk_home_shows_results_without_javascript(world, web_as):
    html = web_as(world.front_desk).get(reverse("desk:home"), {"q": "3栋1201"}).content.decode()
    assert reverse("estates:customer_detail", args=[world.customer.pk]) in html


def test_o04_outsider_search_fragment_finds_nothing(world, web_as):
    html = web_as(world.outsider).get(reverse("estates:customer_search"), {"q": "李明"}).content.decode()
    assert reverse("estates:customer_detail", args=[world.customer.pk]) not in html
    assert "没有找到" in html


def test_o03_customer_page_shows_units_household_butler_and_cases_placeholder(world, web_as):
    make_customer(world.estate, name="王芳", kind=CustomerKind.HOUSEHOLD_MEMBER, units=(world.unit,))
    response = web_as(world.front_desk).get(reverse("estates:customer_detail", args=[world.customer.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3栋2单元1201" in html and "王芳" in html and "王管家" in html
    assert "工单记录" in html and "暂无投诉与报修" in html
    assert "139****5678" in html and "13912345678" not in html
    assert "显示号码" in html


@pytest.mark.parametrize(
    "persona", ["front_desk", "butler", "technician", "supervisor", "office_manager", "general_manager"]
)
def test_o04_every_persona_of_the_estate_sees_the_customer(world, web_as, persona):
    response = web_as(world.persona(persona)).get(reverse("estates:customer_detail", args=[world.customer.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name, arg",
    [("estates:customer_detail", "customer"), ("estates:unit_detail", "unit")],
)
def test_o04_outsider_gets_404_for_pages_of_another_project(world, web_as, name, arg):
    response = web_as(world.outsider).get(reverse(name, args=[getattr(world, arg).pk]))
    assert response.status_code == 404


def test_o04_outsider_unit_list_shows_only_their_project(world, web_as):
    html = web_as(world.outsider).get(reverse("estates:unit_list")).content.decode()
    assert "1栋1单元101" in html and "3栋2单元1201" not in html
    # A building id of another project in the filter shows nothing of it either.
    html = web_as(world.outsider).get(reverse("estates:unit_list"), {"building": world.building.pk}).content.decode()
    assert "3栋2单元1201" not in html


def test_reveal_phone_shows_full_number_and_records_the_reveal(world, web_as):
    url = reverse("estates:customer_reveal_phone", args=[world.customer.pk])
    response = web_as(world.front_desk).post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:13912345678"' in html
    event = Event.objects.for_subject(world.customer).get(verb="pii.phone_revealed")
    assert event.actor == world.front_desk
    # The reveal shows on the customer's timeline.
    page = web_as(world.front_desk).get(reverse("estates:customer_detail", args=[world.customer.pk]))
    assert "查看完整电话号码" in page.content.decode()


def test_reveal_phone_is_absent_and_refused_for_security(world, web_as):
    guard = make_staff(Role.SECURITY, projects=(world.estate,))
    client = web_as(guard)
    page = client.get(reverse("estates:customer_detail", args=[world.customer.pk])).content.decode()
    assert "显示号码" not in page
    response = client.post(reverse("estates:customer_reveal_phone", args=[world.customer.pk]))
    assert response.status_code == 403
    assert not Event.objects.for_subject(world.customer).filter(verb="pii.phone_revealed").exists()


def test_o04_outsider_cannot_reveal_a_phone_of_another_project(world, web_as):
    response = web_as(world.outsider).post(reverse("estates:customer_reveal_phone", args=[world.customer.pk]))
    assert response.status_code == 404
    assert not Event.objects.for_subject(world.customer).filter(verb="pii.phone_revealed").exists()


def test_reveal_phone_needs_post(world, web_as):
    response = web_as(world.front_desk).get(reverse("estates:customer_reveal_phone", args=[world.customer.pk]))
    assert response.status_code == 405


def test_unit_list_filters_by_building_and_status(world, web_as):
    b5 = make_building(world.estate, "5")
    make_unit(world.estate, b5, entrance="1", room="0501", status=UnitStatus.VACANT)
    client = web_as(world.front_desk)
    html = client.get(reverse("estates:unit_list"), {"building": b5.pk}).content.decode()
    assert "5栋1单元0501" in html and "3栋2单元1201" not in html
    html = client.get(reverse("estates:unit_list"), {"status": "occupied"}).content.decode()
    assert "3栋2单元1201" in html and "5栋1单元0501" not in html
    html = client.get(
        reverse("estates:unit_list"), {"status": "nonsense", "building": "x", "page": "zz"}
    ).content.decode()
    assert "3栋2单元1201" in html


def test_unit_detail_shows_residents_butler_and_status(world, web_as):
    html = web_as(world.front_desk).get(reverse("estates:unit_detail", args=[world.unit.pk])).content.decode()
    assert "李明" in html and "王管家" in html and "已入住" in html and "139****5678" in html


def _fill(world, n):
    building = make_building(world.estate, f"B{n}")
    for i in range(n):
        unit = make_unit(world.estate, building, room=f"{n}{i:03d}", butler=world.butler)
        make_customer(world.estate, name=f"李{i}", phones=(f"138{n:02d}{i:06d}",), units=(unit,))


@pytest.mark.parametrize(
    "url, params",
    [
        ("estates:unit_list", {}),
        ("estates:customer_list", {}),
        ("estates:customer_list", {"q": "李"}),
        ("estates:customer_search", {"q": "l"}),
        ("desk:home", {"q": "138"}),
        ("desk:home", {"q": "1380"}),
    ],
)
def test_list_pages_query_count_is_constant(world, web_as, url, params):
    client = web_as(world.front_desk)
    _fill(world, 3)
    client.get(reverse(url), params)  # warm the session
    small = _queries(client, reverse(url), params)
    _fill(world, 30)
    large = _queries(client, reverse(url), params)
    assert small <= 16  # the first page adds its "today" lists, one query each (guanjia/desk/today.py)
    assert large <= small + 1  # +1: the name-inside scan runs once the prefix matches no longer fill a page


def test_customer_page_query_count_is_constant(world, web_as):
    client = web_as(world.front_desk)
    url = reverse("estates:customer_detail", args=[world.customer.pk])
    client.get(url)
    small = _queries(client, url)
    for i in range(10):
        make_customer(world.estate, name=f"成员{i}", units=(world.unit, make_unit(world.estate, world.building)))
        client.post(reverse("estates:customer_reveal_phone", args=[world.customer.pk]))
    assert small <= 20
    assert _queries(client, url) == small


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def test_live_search_after_the_session_expired_sends_the_page_to_login(db, client):
    response = client.get(reverse("estates:customer_search"), {"q": "李"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))
    assert client.get(reverse("estates:customer_search"), {"q": "李"}).status_code == 302
