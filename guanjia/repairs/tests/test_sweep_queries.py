"""Issue 14: the sweep tells the desk about missed repair limits for a whole batch at once: firing 6 or 24
limits costs the same queries, and every repair's alert reaches the same people."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanjia.cases.services import sweep
from guanjia.notifications.models import Notification


def fire(at) -> tuple[int, list[int]]:
    with CaptureQueriesContext(connection) as captured:
        result = sweep(at)
    assert result.failed == []
    return len(captured.captured_queries), result.missed


def test_missed_repair_limits_cost_the_same_queries_for_a_few_or_many(world, log, tap):
    later = timezone.now() + timedelta(minutes=6)
    small = [log(price_item=tap) for _ in range(3)]
    n_small, fired_small = fire(later)
    large = [log(price_item=tap) for _ in range(12)]
    n_large, fired_large = fire(later)

    assert (len(fired_small), len(fired_large)) == (6, 24)  # order and notify of each
    assert n_small == n_large
    for repair in small + large:
        told = Notification.objects.filter(kind="repair.deadline_missed", url__endswith=f"/{repair.pk}/")
        assert told.count() == 4  # two limits, each to the front desk and the CS supervisor
        assert set(told.values_list("recipient__username", flat=True)) == {"frontdesk", "supervisor"}
        assert all(n.level == "urgent" and repair.number in n.title for n in told)
