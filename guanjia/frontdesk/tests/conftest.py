import pytest

from guanjia.estates.services import id_number_keys
from guanjia.notifications.backends import LocmemBackend

#: 李明's ID number in the tests (a made-up number of the right shape).
LI_MING_ID = "110101199003071234"


@pytest.fixture(autouse=True)
def outbox(settings):
    """External messages (the customer's pickup code SMS) go to a list: never a network call in tests."""
    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


@pytest.fixture
def li_ming(world):
    """The world's customer with his ID on file (last four + keyed hash)."""
    last4, digest = id_number_keys(LI_MING_ID)
    world.customer.id_number_last4, world.customer.id_number_hash = last4, digest
    world.customer.save(update_fields=["id_number_last4", "id_number_hash"])
    return world.customer
