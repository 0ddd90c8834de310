"""customers/: masked phones, the butler of the first unit (O03), create, patch with a version, and the
recorded phone reveal."""

import json

import pytest

from guanjia.api.tests.conftest import CHINESE
from guanjia.estates.models import Customer, CustomerKind
from guanjia.testing.factories import make_customer, make_unit
from guanjia.timeline.selectors import events_for

LIST = "/api/v1/customers/"


def detail(customer):
    return f"/api/v1/customers/{customer.pk}/"


# --- reading ---------------------------------------------------------------------------------------


def test_phones_are_masked_in_lists_and_details(world, api_as):
    make_customer(world.estate, name="王芳", phones=("13800001234", "0755-88886666"), units=(world.unit,))
    api = api_as(world.front_desk)

    listed = api.get(LIST)
    text = json.dumps(listed.json(), ensure_ascii=False)
    assert "13912345678" not in text
    assert "13800001234" not in text
    assert "88886666" not in text
    rows = {row["name"]: row for row in listed.json()["results"]}
    assert rows["李明"]["phone"] == "139****5678"
    assert rows["王芳"]["phones"] == ["138****1234", "075****6666"]
    assert api.get(detail(world.customer)).json()["phone"] == "139****5678"


def test_o03_customer_shows_units_and_the_butler_of_the_first_unit(world, api_as):
    second = make_unit(world.estate, world.building, entrance="2", room="1502")  # no butler
    customer = make_customer(world.estate, name="王芳", units=(world.unit, second))

    body = api_as(world.front_desk).get(detail(customer)).json()

    assert body["units"] == [world.unit.pk, second.pk]
    assert body["unit_numbers"] == ["3栋2单元1201", "3栋2单元1502"]
    assert body["butler"] == world.butler.pk
    assert body["butler_name"] == "王管家"
    assert body["kind"] == "owner"
    assert body["version"] == 1


def test_a_customer_without_a_unit_has_no_butler(world, api_as):
    customer = make_customer(world.estate, name="孤客", phones=())

    body = api_as(world.front_desk).get(detail(customer)).json()

    assert (body["units"], body["butler"], body["phone"], body["phones"]) == ([], None, "", [])


@pytest.fixture
def neighbours(world):
    tenant_unit = make_unit(world.estate, world.building, entrance="1", room="0801")
    return {
        "tenant": make_customer(
            world.estate, name="张伟", phones=("13622223333",), units=(tenant_unit,), kind=CustomerKind.TENANT
        ),
        "member": make_customer(
            world.estate,
            name="李小明",
            phones=("13544445555",),
            units=(world.unit,),
            kind=CustomerKind.HOUSEHOLD_MEMBER,
        ),
        "tenant_unit": tenant_unit,
    }


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_customers_filter_by_project_unit_and_kind(world, api_as, neighbours):
    api = api_as(world.general_manager)

    assert names(api.get(LIST, {"project": world.other_estate.pk})) == {"赵六"}
    assert names(api.get(LIST, {"unit": world.unit.pk})) == {"李明", "李小明"}
    assert names(api.get(LIST, {"kind": "tenant"})) == {"张伟"}
    assert names(api.get(LIST, {"project": world.estate.pk, "kind": "owner"})) == {"李明"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("李明", {"李明"}),
        ("李", {"李明", "李小明"}),
        ("张", {"张伟"}),
        ("lm", {"李明"}),
        ("zhangwei", {"张伟"}),
        ("5678", {"李明"}),
        ("136 2222 3333", {"张伟"}),
        ("3-2-1201", {"李明", "李小明"}),
        ("3栋1单元0801", {"张伟"}),
        ("0801", {"张伟"}),
        ("没有这个人", set()),
    ],
)
def test_customers_search_by_name_pinyin_phone_digits_or_unit(world, api_as, neighbours, query, expected):
    assert names(api_as(world.front_desk).get(LIST, {"q": query})) == expected


@pytest.mark.parametrize(
    ("param", "value"), [("project", "x"), ("unit", "abc"), ("unit", "0"), ("kind", "landlord"), ("q", "很" * 51)]
)
def test_bad_customer_filters_are_a_400_naming_the_parameter(world, api_as, param, value):
    response = api_as(world.front_desk).get(LIST, {param: value})

    assert response.status_code == 400
    assert CHINESE.search(response.json()[param][0])


# --- creating --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["front_desk", "butler", "supervisor", "office_manager", "general_manager"])
def test_desk_butler_and_managers_create_a_customer(world, api_as, persona):
    user = world.persona(persona)

    response = api_as(user).post(
        LIST,
        {
            "project": world.estate.pk,
            "name": " 王芳 ",
            "kind": "tenant",
            "phones": ["139 0000 1111", "13900002222"],
            "units": [world.unit.pk],
            "move_in_date": "2026-03-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "王芳"
    assert body["phones"] == ["139****1111", "139****2222"]
    assert body["units"] == [world.unit.pk]
    assert body["butler"] == world.butler.pk
    customer = Customer.objects.get(pk=body["id"])
    assert customer.project == world.estate
    assert list(customer.phones.values_list("number", flat=True)) == ["13900001111", "13900002222"]
    assert events_for(customer).get(verb="customer.created").actor == user


@pytest.mark.parametrize("persona", ["technician"])
def test_other_roles_may_not_create_customers(world, api_as, persona, security):
    for user in (world.persona(persona), security):
        response = api_as(user).post(LIST, {"project": world.estate.pk, "name": "王芳"}, format="json")
        assert response.status_code == 403
    assert not Customer.objects.filter(name="王芳").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "王芳"}, "project"),
        ({"project": "abc", "name": "王芳"}, "project"),
        ({"project": 999999, "name": "王芳"}, "project"),
        ({"project": "ESTATE"}, "name"),
        ({"project": "ESTATE", "name": "   "}, "name"),
        ({"project": "ESTATE", "name": "王" * 51}, "name"),
        ({"project": "ESTATE", "name": "王芳", "kind": "landlord"}, "kind"),
        ({"project": "ESTATE", "name": "王芳", "phones": ["12345"]}, "phones"),
        ({"project": "ESTATE", "name": "王芳", "phones": "13900001111"}, "phones"),
        ({"project": "ESTATE", "name": "王芳", "units": ["abc"]}, "units"),
        ({"project": "ESTATE", "name": "王芳", "units": ["OTHER_UNIT"]}, "units"),
        ({"project": "ESTATE", "name": "王芳", "move_in_date": "2026-13-01"}, "move_in_date"),
        ({"project": "ESTATE", "name": "王芳", "id_number": "??"}, "id_number"),
    ],
)
def test_bad_customer_input_is_a_400_naming_the_field_in_chinese(world, api_as, body, field):
    # The general manager sees both projects, so "units of another project" is the service's rule at work.
    substitutes = {"ESTATE": world.estate.pk, "OTHER_UNIT": world.other_unit.pk}
    body = {k: substitutes.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    if "units" in body:
        body["units"] = [substitutes.get(u, u) for u in body["units"]]

    response = api_as(world.general_manager).post(LIST, body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert CHINESE.search(json.dumps(errors[field], ensure_ascii=False))
    assert Customer.objects.count() == 2


# --- changing --------------------------------------------------------------------------------------


def test_a_customer_is_changed_with_its_version(world, api_as):
    response = api_as(world.front_desk).patch(
        detail(world.customer),
        {"name": "李明明", "kind": "tenant", "phones": ["13911112222"], "version": 1},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["kind"], body["phones"], body["version"]) == ("李明明", "tenant", ["139****2222"], 2)
    event = events_for(world.customer).get(verb="customer.updated")
    assert event.actor == world.front_desk


def test_a_stale_customer_version_is_a_409_and_changes_nothing(world, api_as):
    api = api_as(world.butler)
    assert api.patch(detail(world.customer), {"note": "常住", "version": 1}, format="json").status_code == 200

    response = api.patch(detail(world.customer), {"name": "李四", "version": 1}, format="json")

    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    world.customer.refresh_from_db()
    assert world.customer.name == "李明"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "李四"}, "version"),
        ({"name": "李四", "version": "x"}, "version"),
        ({"name": "", "version": 1}, "name"),
        ({"kind": "boss", "version": 1}, "kind"),
        ({"phones": ["abc"], "version": 1}, "phones"),
        ({"project": 1, "version": 1}, "project"),
        ({"units": [], "version": 1}, "units"),
    ],
)
def test_a_bad_customer_change_is_a_400_naming_the_field(world, api_as, body, field):
    response = api_as(world.front_desk).patch(detail(world.customer), body, format="json")

    assert response.status_code == 400, response.content
    assert CHINESE.search(json.dumps(response.json()[field], ensure_ascii=False))
    world.customer.refresh_from_db()
    assert (world.customer.name, world.customer.version) == ("李明", 1)


def test_a_technician_may_not_change_a_customer(world, api_as):
    response = api_as(world.technician).patch(detail(world.customer), {"name": "李四", "version": 1}, format="json")

    assert response.status_code == 403


def test_customers_cannot_be_deleted_through_the_api(world, api_as):
    assert api_as(world.office_manager).delete(detail(world.customer)).status_code == 405


# --- revealing a phone -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "supervisor", "general_manager"])
def test_reveal_phone_shows_the_full_numbers_and_is_on_the_customers_timeline(world, api_as, persona):
    user = world.persona(persona)

    response = api_as(user).post(f"{detail(world.customer)}reveal-phone/")

    assert response.status_code == 200
    assert response.json() == {"phone": "13912345678", "phones": ["13912345678"]}
    event = events_for(world.customer).get(verb="pii.phone_revealed")
    assert event.actor == user
    assert event.project == world.estate


@pytest.mark.parametrize("role_fixture", ["security", "environment"])
def test_security_and_environment_may_not_reveal_a_phone(world, api_as, request, role_fixture):
    user = request.getfixturevalue(role_fixture)

    response = api_as(user).post(f"{detail(world.customer)}reveal-phone/")

    assert response.status_code == 403
    assert "13912345678" not in response.content.decode()
    assert not events_for(world.customer).filter(verb="pii.phone_revealed").exists()
    # They still see the customer, with the phone masked.
    assert api_as(user).get(detail(world.customer)).json()["phone"] == "139****5678"


def test_reveal_phone_is_a_post(world, api_as):
    response = api_as(world.front_desk).get(f"{detail(world.customer)}reveal-phone/")

    assert response.status_code == 405
    assert not events_for(world.customer).exists()


def test_search_puts_the_exact_name_first_and_keeps_the_other_filters(world, api_as, neighbours):
    make_customer(world.estate, name="李明华", phones=("13800009999",), kind=CustomerKind.TENANT)
    api = api_as(world.front_desk)

    ranked = api.get(LIST, {"q": "李明"}).json()["results"]
    tenants = api.get(LIST, {"q": "李明", "kind": "tenant"}).json()["results"]

    assert [c["name"] for c in ranked] == ["李明", "李明华"]
    assert [c["name"] for c in tenants] == ["李明华"]


def test_o04_search_spans_every_visible_project_and_only_those(world, api_as):
    make_customer(world.other_estate, name="李明", phones=("13700002222",))

    assert len(api_as(world.general_manager).get(LIST, {"q": "李明"}).json()["results"]) == 2
    assert [c["project"] for c in api_as(world.outsider).get(LIST, {"q": "李明"}).json()["results"]] == [
        world.other_estate.pk
    ]
