"""Fixtures of the dutylog tests: a running day shift at 滨江花园 with the front desk on duty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def shift(world):
    from guanjia.dutylog import services

    now = timezone.now()
    return services.shift_open(
        project=world.estate,
        kind="day",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=10),
        on_duty=[world.front_desk],
        actor=world.front_desk,
    )


@pytest.fixture
def ended_shift(world):
    """A shift that ended an hour ago (its handover is late by now)."""
    from guanjia.dutylog import services

    now = timezone.now()
    return services.shift_open(
        project=world.estate,
        kind="night",
        starts_at=now - timedelta(hours=13),
        ends_at=now - timedelta(hours=1),
        on_duty=[world.front_desk],
        actor=world.front_desk,
    )


def verbs(subject):
    from guanjia.timeline.models import Event

    return list(Event.objects.for_subject(subject).values_list("verb", flat=True))
