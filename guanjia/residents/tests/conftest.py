"""Residents: 李明 of 滨江花园 (the world's customer, phone 13912345678) signs in with a code from the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from guanjia.accounts.access import mask_phone
from guanjia.notifications.backends import LocmemBackend

LI_MING_PHONE = "13912345678"
ZHAO_LIU_PHONE = "13700001111"  # the other estate's customer


@pytest.fixture(autouse=True)
def outbox(settings, monkeypatch):
    """What the server console prints (no SMS provider in tests: the outbox prints each text there)."""
    from guanjia.notifications import outbox as notifications_outbox

    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
    LocmemBackend.outbox.clear()
    printed: list[str] = []
    real = notifications_outbox._print

    def keep(line: str) -> None:
        printed.append(line)
        real(line)

    monkeypatch.setattr(notifications_outbox, "_print", keep)
    yield printed
    LocmemBackend.outbox.clear()


def last_code(printed: list[str], phone: str) -> str:
    """The code in the last text printed for ``phone`` (the console shows it masked: 139****5678)."""
    texts = [line for line in printed if f"→ {mask_phone(phone)}:" in line]
    assert texts, f"no code sent to {phone}"
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", texts[-1])
    assert match
    return match.group(1)


@pytest.fixture
def resident_api(db, outbox, django_capture_on_commit_callbacks) -> Callable[[str], APIClient]:
    """``resident_api(phone)``: an API client signed in as the resident of ``phone`` (through the real code),
    privacy notice agreed unless ``consent=False``."""

    def sign_in(phone: str, consent: bool = True) -> APIClient:
        client = APIClient(REMOTE_ADDR=f"10.0.{len(outbox)}.1")
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/api/v1/resident/auth/code", {"phone": phone}, format="json").status_code == 202
        answer = client.post(
            "/api/v1/resident/auth/token", {"phone": phone, "code": last_code(outbox, phone)}, format="json"
        )
        assert answer.status_code == 200, answer.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        if consent:  # as a resident does on first sign-in; the API refuses everything else until then
            assert client.post("/api/v1/resident/consent").status_code == 200
        return client

    return sign_in
