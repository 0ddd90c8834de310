"""POST /api/v1/auth/token and what a request without a valid token gets: always JSON, never a 500."""

import pytest
from rest_framework.authtoken.models import Token

from guanjia.api.tests.conftest import CHINESE

TOKEN_URL = "/api/v1/auth/token"


def test_good_credentials_return_a_token_that_opens_the_api(world, client):
    response = client.post(
        TOKEN_URL, {"username": "frontdesk", "password": "pass-for-tests-1"}, content_type="application/json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json()["results"]] == ["滨江花园"]


def test_the_same_user_gets_the_same_token_twice(world, client):
    body = {"username": "frontdesk", "password": "pass-for-tests-1"}
    first = client.post(TOKEN_URL, body, content_type="application/json").json()["token"]
    second = client.post(TOKEN_URL, body, content_type="application/json").json()["token"]
    assert first == second


@pytest.mark.parametrize(
    "body",
    [
        {"username": "frontdesk", "password": "wrong-password"},
        {"username": "nobody", "password": "pass-for-tests-1"},
    ],
)
def test_wrong_credentials_answer_a_json_error(world, client, body):
    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code in (400, 401)
    assert response["Content-Type"].startswith("application/json")
    assert CHINESE.search(response.json()["detail"])
    assert "token" not in response.json()


def test_inactive_staff_get_no_token(world, client):
    world.front_desk.is_active = False
    world.front_desk.save()

    response = client.post(
        TOKEN_URL, {"username": "frontdesk", "password": "pass-for-tests-1"}, content_type="application/json"
    )

    assert response.status_code in (400, 401)
    assert "token" not in response.json()


def test_missing_fields_are_named(db, client):
    response = client.post(TOKEN_URL, {}, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"username", "password"}
    assert CHINESE.search(body["username"][0])


def test_malformed_json_at_login_is_a_400_json(db, client):
    response = client.post(TOKEN_URL, '{"username": "frontdesk", ', content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/projects/", "/api/v1/units/", "/api/v1/customers/", "/api/v1/staff/"])
def test_no_token_is_a_401_json(world, client, url):
    response = client.get(url)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_made_up_token_is_a_401_json(world, client):
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_says_why_it_is_refused_in_the_users_language(world, client):
    token = Token.objects.create(user=world.front_desk).key
    assert client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    made_up = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token not-a-real-token", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert made_up.status_code == 401 and made_up.json()["detail"] == "认证令牌无效。"
    world.front_desk.is_active = False
    world.front_desk.save()
    refused = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 401 and refused.json()["detail"] == "User inactive or deleted."
