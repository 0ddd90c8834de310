"""Fixtures of the 人员管理 tests: a fixed instant (no test depends on the day it runs) and the office
manager of the other estate, who must not reach anyone of 滨江花园."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanjia.accounts.models import Role
from guanjia.testing.factories import make_staff

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture
def other_manager(world):
    """管理处经理 of 翠湖苑 (world.other_estate)."""
    return make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="cuihu_manager", name="冯经理")
