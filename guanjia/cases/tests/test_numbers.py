"""Case numbers: human, per prefix and Beijing day, unique even when taken at the same moment."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from guanjia.cases.models import CaseCounter
from guanjia.cases.services import case_number_next
from guanjia.cases.tests.helpers import skip_unless_concurrent_writers
from guanjia.complaints.services import registration
from guanjia.complaints.tests.test_services import register

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_numbers_count_per_prefix_and_beijing_day():
    morning = datetime(2026, 11, 22, 0, 30, tzinfo=BEIJING)  # still 21 November in UTC
    assert case_number_next(prefix="TS", at=morning) == "TS2611220001"
    assert case_number_next(prefix="TS", at=morning) == "TS2611220002"
    assert case_number_next(prefix="BX", at=morning) == "BX2611220001"
    assert case_number_next(prefix="TS", at=datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)) == "TS2611230001"


@pytest.mark.django_db
def test_a_number_taken_inside_a_transaction_that_rolls_back_is_given_back():
    at = datetime(2026, 11, 22, 9, 0, tzinfo=BEIJING)
    with pytest.raises(RuntimeError), transaction.atomic():
        case_number_next(prefix="TS", at=at)
        raise RuntimeError("registration failed")
    assert case_number_next(prefix="TS", at=at) == "TS2611220001"


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_by_concurrent_registrations_are_unique():
    skip_unless_concurrent_writers()
    at = datetime(2026, 11, 22, 9, 0, tzinfo=BEIJING)
    workers, per_worker = 4, 10
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def register() -> None:
        try:
            barrier.wait()
            for _ in range(per_worker):
                with transaction.atomic():
                    numbers.append(case_number_next(prefix="TS", at=at))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(numbers) == [f"TS261122{i:04d}" for i in range(1, workers * per_worker + 1)]
    assert CaseCounter.objects.get(prefix="TS").last == workers * per_worker


@pytest.mark.django_db(transaction=True)
def test_a_registration_does_not_wait_for_another_to_commit(world, monkeypatch):
    """The number is taken before the registration's transaction: while one registration is still writing (its
    transaction open), another completes with the next number instead of queueing on the day's counter."""
    skip_unless_concurrent_writers()
    inside, release = threading.Event(), threading.Event()
    real_record = registration.record

    def record_then_hold(**kw):
        real_record(**kw)
        if threading.current_thread().name == "slow":
            inside.set()
            release.wait(20)

    monkeypatch.setattr(registration, "record", record_then_hold)
    numbers: dict[str, object] = {}

    def run() -> None:
        name = threading.current_thread().name
        try:
            numbers[name] = register(world).number
        except BaseException as exc:
            numbers[name] = exc
        finally:
            connection.close()

    slow = threading.Thread(target=run, name="slow")
    slow.start()
    try:
        assert inside.wait(20), numbers
        fast = threading.Thread(target=run, name="fast")
        fast.start()
        fast.join(10)
        finished_while_the_other_was_open = not fast.is_alive()
    finally:
        release.set()
        slow.join(20)
    fast.join(20)
    assert finished_while_the_other_was_open, numbers
    assert str(numbers["slow"]).endswith("0001") and str(numbers["fast"]).endswith("0002"), numbers
