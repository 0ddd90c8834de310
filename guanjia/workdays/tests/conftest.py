from __future__ import annotations

import pytest
from django.core.cache import cache

from guanjia.workdays import calendar as calendar_module


def _forget_calendar() -> None:
    calendar_module._loaded = None
    cache.delete(calendar_module.VERSION_KEY)


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test's database is rolled back, so no calendar cached by another test may survive into it."""
    _forget_calendar()
    yield
    _forget_calendar()
