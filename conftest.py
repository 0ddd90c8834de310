"""Shared fixtures: the personas of the manual (``world``) and an API client per persona."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanjia.testing.personas import World, world  # noqa: F401  (fixture)

#: Browser fixtures (one Playwright per test process) and the moved clock of `make pytest-moved-clock`.
pytest_plugins = ["guanjia.testing.browser", "guanjia.testing.clock"]


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test's database is rolled back, so no working-day calendar cached by another test may survive."""
    from guanjia.workdays.calendar import forget_cached_calendar

    forget_cached_calendar()
    yield
    forget_cached_calendar()


@pytest.fixture(autouse=True)
def board_stamps_at_once(request):
    """On PostgreSQL the board stamp's trigger waits for COMMIT, which a test's rolled-back transaction never
    reaches: there it fires at each write instead, as on SQLite (``complaints.BoardStamp``; a transactional test
    sees it fire at COMMIT, as in production)."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))
    )
    if transactional or ("db" not in names and marker is None):
        yield
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS complaints_board_stamp IMMEDIATE")
    yield


@pytest.fixture(autouse=True)
def fresh_file_storage():
    """Each test starts with an empty in-memory file store, as its database starts empty: a file an earlier test
    stored under the same name (the same case number and the same signature) would otherwise push this test's
    file to another name."""
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    vars(storages).get("_storages", {}).clear()
    vars(default_storage)["_wrapped"] = empty
    yield


@pytest.fixture(autouse=True)
def chinese_by_default():
    """A request made in English leaves English active on the thread; every test starts in the default."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def api_as():
    """``api_as(user)`` returns an API client authenticated by that user's token."""
    from rest_framework.authtoken.models import Token

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def web_as(client):
    """``web_as(user)`` returns Django's test client logged in as that user."""

    def make(user):
        client.force_login(user)
        return client

    return make


__all__ = ["World"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Exports run in daemon threads on the embedded default. One that a test started (a sweep in the first days
    of a month queues the kept monthly exports) must finish before the test's database is flushed, or the flush
    meets its open transaction ("database table is locked") and the next test finds the rows left behind."""
    from guanjia.exports.services import background_exports_drain

    background_exports_drain(timeout=60)
    return (yield)


def _hypothesis_profile() -> None:
    """Property tests judge results, never speed: no deadline (a loaded CI machine made one flaky), no example
    database written into the tree, and the same examples on every CI run."""
    import os

    from hypothesis import settings

    settings.register_profile("guanjia", deadline=None, database=None, derandomize=os.environ.get("CI") == "true")
    settings.load_profile("guanjia")


_hypothesis_profile()
