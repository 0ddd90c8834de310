"""Case numbers: human, per prefix and Beijing day, unique even when taken at the same moment."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from guanjia.cases.models import CaseCounter
from guanjia.cases.services import case_number_next
from guanjia.cases.tests.helpers import skip_unless_concurrent_writers

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_numbers_count_per_prefix_and_beijing_day():
    morning = datetime(2026, 11, 22, 0, 30, tzinfo=BEIJING)  # still 21 November in UTC
    assert case_number_next(prefix="TS", at=morning) == "TS2611220001"
    assert case_number_next(prefix="TS", at=morning) == "TS2611220002"
    assert case_number_next(prefix="BX", at=morning) == "BX2611220001"
    assert case_number_next(prefix="TS", at=datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)) == "TS2611230001"


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back():
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
