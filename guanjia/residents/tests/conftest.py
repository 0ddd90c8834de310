"""Residents: 李明 of 滨江花园 (the world's customer, phone 13912345678) signs in with a code from the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from guanjia.notifications.backends import LocmemBackend

LI_MING_PHONE = "13912345678"
ZHAO_LIU_PHONE = "13700001111"  # the other estate's customer


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


def last_code(outbox, phone: str) -> str:
    texts = [m.title for m in outbox if m.phone == phone]
    assert texts, f"no code sent to {phone}"
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match
    return match.group(1)


@pytest.fixture
def resident_api(db, outbox, django_capture_on_commit_callbacks) -> Callable[[str], APIClient]:
    """``resident_api(phone)``: an API client signed in as the resident of ``phone`` (through the real code)."""

    def sign_in(phone: str) -> APIClient:
        client = APIClient(REMOTE_ADDR=f"10.0.{len(outbox)}.1")
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/api/v1/resident/auth/code", {"phone": phone}, format="json").status_code == 202
        answer = client.post(
            "/api/v1/resident/auth/token", {"phone": phone, "code": last_code(outbox, phone)}, format="json"
        )
        assert answer.status_code == 200, answer.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        return client

    return sign_in
