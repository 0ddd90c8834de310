from __future__ import annotations

import pytest

from guanjia.cases import services
from guanjia.cases.testapp.models import Ticket
from guanjia.cases.tests.helpers import make_ticket
from guanjia.notifications.backends import LocmemBackend


@pytest.fixture
def ticket(world) -> Ticket:
    return make_ticket(world)


@pytest.fixture(autouse=True)
def clean_registry_and_outbox():
    """Handlers registered by a test, and messages it sent, do not leak into the next test."""
    saved = dict(services._handlers)
    LocmemBackend.outbox.clear()
    yield
    services._handlers.clear()
    services._handlers.update(saved)
    LocmemBackend.outbox.clear()
