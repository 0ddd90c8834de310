import pytest

from guanjia.notifications.backends import LocmemBackend
from guanjia.notifications.tests.fakes import (  # noqa: F401 - fixtures
    fake_aliyun,
    fake_tencent,
    fake_webhook,
    fake_wechat,
    fake_wecom,
)


@pytest.fixture(autouse=True)
def outbox(settings):
    """External copies go to a list: never a network call in tests."""
    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()
