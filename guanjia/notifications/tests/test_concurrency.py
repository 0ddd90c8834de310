"""Several workers deliver the outbox at the same instant: every message reaches the provider exactly once."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from guanjia.cases.tests.helpers import skip_unless_concurrent_writers
from guanjia.notifications.models import Delivery, DeliveryStatus
from guanjia.notifications.outbox import deliver_due, send_sms

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_send_each_message_exactly_once(world, fake_aliyun):
    skip_unless_concurrent_writers()
    rows = [
        send_sms(phone=f"139000000{i:02d}", template="login_code", params={"code": f"{i:06d}"}, now=NOW)
        for i in range(24)
    ]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            deliver_due(NOW)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    phones = sorted(q["PhoneNumbers"] for q in fake_aliyun.accepted)
    assert phones == sorted(f"139000000{i:02d}" for i in range(24))  # each once, none twice
    assert set(Delivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
