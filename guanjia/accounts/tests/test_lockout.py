"""Guessing passwords: after a few wrong ones the account is locked (web and API), for that account only, until the
cool-off passes or an administrator unlocks it; every lockout is logged; a Redis outage does not stop logins."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import override_settings

from guanjia.accounts.models import User

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LOCKED = "登录失败次数过多"
PASSWORD = "pass-for-tests-1"
TOKEN_URL = "/api/v1/auth/token"
OFFICE = "203.0.113.7"  # the estate office's one public address, shared by everybody working there
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web_login(client, username: str, password: str, address: str = OFFICE, **extra):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def api_login(client, username: str, password: str, address: str = OFFICE, **extra):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        **extra,
    )


def guess(client, username: str, times: int = 10, login=web_login) -> None:
    for attempt in range(times):
        login(client, username, f"guess-{attempt}")


def test_ten_wrong_passwords_lock_the_web_login_even_for_the_right_one(world, client):
    guess(client, "frontdesk")

    response = web_login(client, "frontdesk", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "15 分钟" in page
    assert 'name="password"' in page  # still the login page, with the form
    assert "_auth_user_id" not in client.session


def test_ten_wrong_passwords_lock_the_api_token_with_a_chinese_429(world, client):
    guess(client, "frontdesk", login=api_login)

    response = api_login(client, "frontdesk", PASSWORD)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert LOCKED in body["detail"] and CHINESE.search(body["detail"])
    assert "token" not in body
    assert int(response["Retry-After"]) == 15 * 60


def test_failures_on_the_web_count_towards_the_api_and_back(world, client):
    for attempt in range(4):
        web_login(client, "frontdesk", f"web-{attempt}")
        api_login(client, "frontdesk", f"api-{attempt}")

    assert api_login(client, "frontdesk", PASSWORD).status_code == 429
    assert web_login(client, "frontdesk", PASSWORD).status_code == 429


def test_a_colleague_in_the_same_office_still_logs_in(world, client):
    guess(client, "frontdesk")
    guess(client, "nobody-here")  # an attacker spraying names from the office address

    assert web_login(client, "butler", PASSWORD).status_code == 302
    client.logout()
    assert api_login(client, "manager", PASSWORD).status_code == 200


def test_the_locked_account_is_locked_from_every_address(world, client):
    guess(client, "frontdesk", login=lambda c, u, p: web_login(c, u, p, address=f"198.51.100.{len(p)}"))

    assert api_login(client, "frontdesk", PASSWORD, address="192.0.2.1").status_code == 429


def test_a_client_supplied_forwarded_for_does_not_change_the_recorded_address(world, client):
    web_login(client, "frontdesk", "wrong", HTTP_X_FORWARDED_FOR="10.9.8.7")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [OFFICE]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_saw_is_recorded(world, client):
    # The client forged the first hop; the proxy appended the address it really saw.
    web_login(client, "frontdesk", "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]


def test_the_lock_lifts_after_the_cool_off(world, client, fixed_clock):
    guess(client, "frontdesk")
    fixed_clock.shift(timedelta(minutes=14))
    assert web_login(client, "frontdesk", PASSWORD).status_code == 429

    fixed_clock.shift(timedelta(minutes=2))  # 16 minutes after the last counted failure

    assert web_login(client, "frontdesk", PASSWORD).status_code == 302


def test_a_few_slips_then_the_right_password_start_the_count_again(world, client):
    guess(client, "frontdesk", times=7)
    assert web_login(client, "frontdesk", PASSWORD).status_code == 302
    client.logout()

    guess(client, "frontdesk", times=7)

    assert web_login(client, "frontdesk", PASSWORD).status_code == 302


def test_an_administrator_unlocks_the_account_in_the_admin(world, client):
    guess(client, "frontdesk")
    User.objects.create_superuser("root", "root@example.com", PASSWORD, name="管理员")
    admin = client.__class__()
    admin.force_login(User.objects.get(username="root"))

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "frontdesk" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="frontdesk").values_list("pk", flat=True)]
    admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})

    assert web_login(client, "frontdesk", PASSWORD).status_code == 302


def test_manage_py_axes_reset_username_unlocks_the_account(world, client):
    guess(client, "frontdesk", login=api_login)

    call_command("axes_reset_username", "frontdesk", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert api_login(client, "frontdesk", PASSWORD).status_code == 200


def test_every_lockout_is_logged_with_the_username_and_the_address(world, client, caplog):
    with caplog.at_level(logging.WARNING, logger="guanjia.security"):
        guess(client, "frontdesk")
        api_login(client, "frontdesk", PASSWORD)

    lines = [r for r in caplog.records if r.name == "guanjia.security"]
    assert lines and all(r.levelno == logging.WARNING for r in lines)
    assert all("frontdesk" in r.getMessage() and OFFICE in r.getMessage() for r in lines)
    # The one that tripped the limit, each refused guess after it and the refused right password.
    assert len(lines) == 10 - 8 + 1 + 1


UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_logins_work_while_redis_is_down(world, client, caplog):
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017  (the cache really is down in this test)
        cache.get("anything")
    with caplog.at_level(logging.WARNING):
        token = api_login(client, "frontdesk", PASSWORD)
        web = web_login(client, "frontdesk", PASSWORD)
        home = client.get("/")

    assert token.status_code == 200 and token.json()["token"]
    assert web.status_code == 302
    assert home.status_code == 200
    # Nothing on the login path reads the cache (axes counts in the database): no error, nothing degraded.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_lockout_still_works_while_redis_is_down(world, client):
    guess(client, "frontdesk", login=api_login)

    assert api_login(client, "frontdesk", PASSWORD).status_code == 429
