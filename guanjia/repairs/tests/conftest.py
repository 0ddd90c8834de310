"""Fixtures of the repair tests: an engineering supervisor, a price list, images, and a quick way to log."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.repairs.models import PriceItem, Repair
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_staff


@pytest.fixture
def engineer(world):
    """The engineering supervisor (工程主管) of 滨江花园."""
    return make_staff(Role.ENGINEERING_SUPERVISOR, projects=(world.estate,), username="engineer", name="钱主管")


@pytest.fixture
def tap(world) -> PriceItem:
    return PriceItem.objects.create(project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30.00"))


@pytest.fixture
def socket(world) -> PriceItem:
    return PriceItem.objects.create(project=world.estate, code="DL03", name="更换插座", fee_yuan=Decimal("25.00"))


def ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


@pytest.fixture
def log(world):
    """``log(**request_fields)`` logs a repair at 李明's home as the front desk."""

    def make(actor: Any = None, **kw: Any) -> Repair:
        kw.setdefault("description", "厨房水龙头漏水")
        kw.setdefault("unit", world.unit)
        kw.setdefault("customer", world.customer)
        return repair_log(project=world.estate, request=RepairRequest(**kw), actor=actor or world.front_desk)

    return make


class Clock:
    """The services' "now", moved by hand: limits are tested at their exact boundaries while they are live."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(microsecond=0) - timedelta(hours=3)

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from guanjia.repairs import services

    c = Clock()
    monkeypatch.setattr(services, "_now", lambda: c.now)
    return c
