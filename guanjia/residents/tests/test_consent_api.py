"""PIPL: the resident API refuses every endpoint but sign-in, ``me``, ``consent`` and logout with 403
``consent_required`` until the resident agreed to the privacy notice, as the pages send them to it first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanjia.residents import api_urls
from guanjia.residents.models import PrivacyConsent
from guanjia.residents.tests.conftest import LI_MING_PHONE

OPEN = {"resident-auth-code", "resident-auth-token", "resident-auth-logout", "resident-me", "resident-consent"}


def gated_endpoints() -> list[tuple[str, str]]:
    """Every resident endpoint but the open ones, as (method, url), with an id where the path has one."""
    found = []
    for pattern in api_urls.urlpatterns:
        if pattern.name in OPEN:
            continue
        kwargs = {"pk": 1} if "pk" in pattern.pattern.regex.groupindex else {}
        url = reverse(pattern.name, kwargs=kwargs).rstrip("?").replace("/?", "/")
        view = pattern.callback.view_class  # type: ignore[attr-defined]
        for method in ("get", "post"):
            if hasattr(view, method):
                found.append((method, url))
    return found


def test_every_resident_endpoint_is_refused_until_privacy_consent(world, resident_api):
    endpoints = gated_endpoints()
    assert len(endpoints) >= 15  # repairs, complaints, visits, parcels, passes, notices, fees, keys, signing…
    client = resident_api(LI_MING_PHONE, consent=False)
    assert not PrivacyConsent.objects.exists()
    for method, url in endpoints:
        answer = getattr(client, method)(url, {}, format="json")
        assert answer.status_code == 403, (method, url, answer.status_code)
        assert "consent" in answer.json()["detail"], (method, url)
    me = client.get("/api/v1/resident/me")
    assert me.status_code == 200 and me.json()["privacy_consent_at"] is None

    assert client.post("/api/v1/resident/consent").status_code == 200
    for method, url in endpoints:
        assert getattr(client, method)(url, {}, format="json").status_code != 403, (method, url)


@pytest.mark.parametrize("name", ["resident-repairs", "resident-parcels", "resident-fees"])
def test_consent_of_another_phone_does_not_open_the_api(world, resident_api, name):
    from django.utils import timezone

    from guanjia.residents.signin import consent_record

    consent_record(phone="13700001111", client_ip="", now=timezone.now())
    client = resident_api(LI_MING_PHONE, consent=False)
    assert client.get(reverse(name)).status_code == 403
