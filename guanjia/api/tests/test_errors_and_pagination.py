"""The shape of every answer: paginated lists, JSON errors for bad input (never a 500), and the schema."""

import pytest

from guanjia.estates.models import Unit
from guanjia.testing.factories import make_unit


def test_lists_are_paginated_with_count_next_previous_results(world, api_as):
    for _ in range(4):
        make_unit(world.estate, world.building)
    api = api_as(world.front_desk)

    first = api.get("/api/v1/units/", {"page_size": 2}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]

    last = api.get("/api/v1/units/", {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert "page=2" in last["previous"]


def test_page_size_is_capped_at_200(world, api_as):
    Unit.objects.bulk_create(
        Unit(project=world.estate, building=world.building, entrance="9", room=f"{n:04d}") for n in range(205)
    )

    body = api_as(world.office_manager).get("/api/v1/units/", {"page_size": 100000}).json()

    assert body["count"] == 206
    assert len(body["results"]) == 200


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1.5"])
def test_a_bad_page_is_a_404_json_not_a_500(world, api_as, page):
    response = api_as(world.front_desk).get("/api/v1/customers/", {"page": page})

    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("page_size", ["abc", "-5", "0"])
def test_a_bad_page_size_falls_back_to_the_default(world, api_as, page_size):
    response = api_as(world.front_desk).get("/api/v1/customers/", {"page_size": page_size})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/customers/"),
        ("patch", "/api/v1/customers/{customer}/"),
        ("patch", "/api/v1/units/{unit}/"),
    ],
)
@pytest.mark.parametrize("body", ['{"name": "王芳",', "[1, 2", "not json at all", '"just a string"', "[]"])
def test_malformed_or_wrong_json_is_a_400_json(world, api_as, method, url, body):
    url = url.format(customer=world.customer.pk, unit=world.unit.pk)

    response = getattr(api_as(world.office_manager), method)(url, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


def test_a_form_body_is_accepted_too(world, api_as):
    # Integrations that post forms get the same answers as those that post JSON.
    response = api_as(world.front_desk).post(
        "/api/v1/customers/", {"project": world.estate.pk, "name": "王芳", "phones": ["13900001111"]}
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/units/abc/",
        "/api/v1/units/99999999999999999999999/",
        "/api/v1/units/-1/",
        "/api/v1/customers/1e3/",
        "/api/v1/projects/%20/",
        "/api/v1/staff/abc/",
        "/api/v1/staff/99999999999999999999999/",
        "/api/v1/customers/abc/reveal-phone/",
    ],
)
def test_a_nonsense_id_is_a_404_json(world, api_as, url):
    api = api_as(world.front_desk)
    response = api.post(url) if url.endswith("reveal-phone/") else api.get(url)

    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_unsupported_media_type_is_a_415_json(world, api_as):
    response = api_as(world.front_desk).post("/api/v1/customers/", "<xml/>", content_type="application/xml")

    assert response.status_code == 415
    assert "detail" in response.json()


def test_urls_without_the_trailing_slash_answer_too(world, api_as):
    assert api_as(world.front_desk).get("/api/v1/units").status_code == 200


def test_the_openapi_schema_is_served(world, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/projects/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/reveal-phone/",
        "/api/v1/staff/",
    ):
        assert path in paths
    assert {p["name"] for p in paths["/api/v1/units/"]["get"]["parameters"]} >= {
        "project",
        "building",
        "status",
        "butler",
        "page",
        "page_size",
    }
    assert "409" in paths["/api/v1/customers/{id}/"]["patch"]["responses"]


@pytest.mark.parametrize(
    "params",
    [{"q": "李\x00明"}, {"kind": "\x00"}, {"project": "\x00"}, {"unit": "1\x00"}],
)
def test_nul_characters_in_filters_are_a_400_on_every_database(world, api_as, params):
    response = api_as(world.front_desk).get("/api/v1/customers/", params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_nul_characters_in_a_body_are_a_400_on_every_database(world, api_as, client):
    api = api_as(world.front_desk)

    created = api.post("/api/v1/customers/", {"project": world.estate.pk, "name": "王\x00芳"}, format="json")
    login = client.post("/api/v1/auth/token", {"username": "a\x00", "password": "b"}, content_type="application/json")

    assert created.status_code == 400
    assert "name" in created.json()
    assert login.status_code == 400
    assert "username" in login.json()


def test_the_same_unit_twice_is_one_residency(world, api_as):
    response = api_as(world.front_desk).post(
        "/api/v1/customers/",
        {"project": world.estate.pk, "name": "王芳", "units": [world.unit.pk, world.unit.pk]},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["units"] == [world.unit.pk]
