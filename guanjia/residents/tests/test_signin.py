"""Signing in with a one-time code: 202 for every phone, codes hashed, 5 minutes, limits, attempts."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from guanjia.notifications.models import Delivery
from guanjia.residents.models import SignInCode
from guanjia.residents.tests.conftest import LI_MING_PHONE, last_code

CODE_URL = "/api/v1/resident/auth/code"
TOKEN_URL = "/api/v1/resident/auth/token"


def ask(client, phone, capture):
    with capture(execute=True):
        return client.post(CODE_URL, {"phone": phone}, format="json")


def test_known_and_unknown_phone_get_the_same_answer(world, outbox, django_capture_on_commit_callbacks):
    client = APIClient()
    known = ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks)
    unknown = ask(client, "13600000000", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    # Only the phone on file gets a text (through the SMS outbox); both requests are stored alike, the code only
    # as a hash.
    texts = Delivery.objects.filter(kind="resident.sign_in_code")
    assert [d.recipient_display for d in texts] == ["139****5678"]
    assert len(outbox) == 1
    code = last_code(outbox, LI_MING_PHONE)
    rows = SignInCode.objects.order_by("pk")
    assert [r.phone for r in rows] == [LI_MING_PHONE, "13600000000"]
    assert all(code not in r.code_hash for r in rows)
    assert rows[0].expires_at - rows[0].created_at == timedelta(minutes=5)


def test_code_signs_in_and_me_shows_name_masked_phone_and_units(world, resident_api):
    me = resident_api(LI_MING_PHONE).get("/api/v1/resident/me")
    assert me.status_code == 200
    body = me.json()
    assert body["name"] == "李明"
    assert body["phone"] == "139****5678"
    assert [u["id"] for u in body["units"]] == [world.unit.pk]
    assert "1201" in body["units"][0]["label"]


def test_malformed_phone_is_named(world):
    answer = APIClient().post(CODE_URL, {"phone": "abc"}, format="json")
    assert answer.status_code == 400
    assert "phone" in answer.json()


def test_unknown_field_refused(world):
    answer = APIClient().post(CODE_URL, {"phone": LI_MING_PHONE, "x": 1}, format="json")
    assert answer.status_code == 400


def test_wrong_code_then_the_right_one_after_too_many_attempts_is_refused(
    world, outbox, django_capture_on_commit_callbacks
):
    client = APIClient()
    ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks)
    code = last_code(outbox, LI_MING_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = client.post(TOKEN_URL, {"phone": LI_MING_PHONE, "code": wrong}, format="json")
        assert answer.status_code == 400
        assert "code" in answer.json()
    assert client.post(TOKEN_URL, {"phone": LI_MING_PHONE, "code": code}, format="json").status_code == 400


def test_code_expires_after_five_minutes_and_is_used_once(world, outbox, django_capture_on_commit_callbacks):
    client = APIClient()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks)
    code = last_code(outbox, LI_MING_PHONE)
    with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
        assert client.post(TOKEN_URL, {"phone": LI_MING_PHONE, "code": code}, format="json").status_code == 400
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks)
        fresh = last_code(outbox, LI_MING_PHONE)
        assert client.post(TOKEN_URL, {"phone": LI_MING_PHONE, "code": fresh}, format="json").status_code == 200
        assert client.post(TOKEN_URL, {"phone": LI_MING_PHONE, "code": fresh}, format="json").status_code == 400


def test_unknown_phone_cannot_sign_in(world):
    answer = APIClient().post(TOKEN_URL, {"phone": "13600000000", "code": "123456"}, format="json")
    assert answer.status_code == 400


def test_limits_per_phone_and_per_client(world, django_capture_on_commit_callbacks):
    start = timezone.now()
    client = APIClient(REMOTE_ADDR="10.9.9.9")
    with time_machine.travel(start, tick=False):
        assert ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks).status_code == 202
        # A second code within the minute: refused alike for a known and an unknown phone.
        assert ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks).status_code == 429
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert ask(client, LI_MING_PHONE, django_capture_on_commit_callbacks).status_code == 202
    # One client asking for many phones is stopped too.
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        answers = [ask(client, f"1350000{i:04d}", django_capture_on_commit_callbacks).status_code for i in range(30)]
    assert answers.count(202) == 28 and answers[-1] == 429


def test_staff_token_is_not_a_resident_token_and_back(world, api_as, resident_api):
    assert api_as(world.front_desk).get("/api/v1/resident/me").status_code == 401
    resident = resident_api(LI_MING_PHONE)
    assert resident.get("/api/v1/complaints/").status_code == 401
    assert APIClient().get("/api/v1/resident/me").status_code == 401


def test_logout_ends_the_token(world, resident_api):
    client = resident_api(LI_MING_PHONE)
    assert client.post("/api/v1/resident/auth/logout").status_code == 204
    assert client.get("/api/v1/resident/me").status_code == 401


def test_a_session_ends_after_thirty_days(world, resident_api):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = resident_api(LI_MING_PHONE)
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert client.get("/api/v1/resident/me").status_code == 200
    with time_machine.travel(start + timedelta(days=30, seconds=1), tick=False):
        assert client.get("/api/v1/resident/me").status_code == 401
