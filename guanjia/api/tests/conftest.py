"""Fixtures for the API tests: the manual's personas (``world``) plus the roles that must not see phones."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from guanjia.accounts.models import Role
from guanjia.testing.factories import make_staff

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    # The cache outlives a test (a test's database does not): start every API test with an empty one.
    cache.clear()


@pytest.fixture
def security(world):
    return make_staff(Role.SECURITY, projects=(world.estate,), username="guard", name="钱保安")


@pytest.fixture
def environment(world):
    return make_staff(Role.ENVIRONMENT, projects=(world.estate,), username="cleaner", name="冯环境")
