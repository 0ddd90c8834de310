"""Fixtures of the follow-up tests: a fixed clock, the manual's templates, a plan applied to 李明.

The app is imported inside the fixtures: pytest loads this module even before the app is in INSTALLED_APPS
when it is pointed at guanjia/followup."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guanjia.notifications.backends import LocmemBackend

BEIJING = ZoneInfo("Asia/Shanghai")
#: Monday 2026-11-02 10:00 Beijing time: the day of the service in most tests.
SERVICE_AT = datetime(2026, 11, 2, 10, 0, tzinfo=BEIJING)


def at(day: str, hm: str = "10:00") -> datetime:
    """``at("2026-11-05", "09:30")``: a Beijing time."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


@pytest.fixture
def after_sales(db):
    from guanjia.followup.models import PlanTemplate

    return PlanTemplate._default_manager.get(code="after-sales", company__isnull=True)


@pytest.fixture
def procedure(db):
    from guanjia.followup.models import PlanTemplate

    return PlanTemplate._default_manager.get(code="procedure", company__isnull=True)


@pytest.fixture
def plan(world, after_sales):
    """The after-sales plan for 李明, serviced on 2026-11-02, followed up by the butler."""
    from guanjia.followup import services

    return services.plan_apply(
        customer=world.customer,
        template=after_sales,
        serviced="空调清洗",
        service_at=SERVICE_AT,
        assignee=world.butler,
        actor=world.front_desk,
        now=SERVICE_AT,
    )


@pytest.fixture
def first_call(plan):
    return plan.calls.order_by("position").first()
