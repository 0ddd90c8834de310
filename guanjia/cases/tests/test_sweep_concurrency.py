"""Two sweep workers at once: each deadline's action runs exactly once (C13 escalations, C11)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_set, register_deadline_handler, sweep
from guanjia.cases.tests.helpers import NOW, make_ticket, skip_unless_concurrent_writers
from guanjia.notifications.models import Notification
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify


@pytest.mark.django_db(transaction=True)
def test_c13_two_sweep_workers_at_once_fire_each_deadline_exactly_once(world):
    skip_unless_concurrent_writers()
    # Given 20 cases whose escalation limit has passed, and an escalation that alerts the general manager
    fired: list[int] = []
    fired_lock = threading.Lock()

    def escalate(deadline, subject, now):
        with fired_lock:
            fired.append(deadline.pk)
        time.sleep(0.005)  # hold the claim a moment so the other worker really competes
        managers = staff_with_roles(subject.project, [Role.GENERAL_MANAGER])
        notify(recipients=managers, kind="case.escalated", title=f"{subject.number} 超时上报", level="urgent")

    register_deadline_handler("cases_testapp.ticket", "escalate", on_missed=escalate)
    tickets = [make_ticket(world) for _ in range(20)]
    for t in tickets:
        deadline_set(subject=t, kind="escalate", due_at=NOW + timedelta(minutes=1), now=NOW)

    # When two workers sweep at the same moment, each on its own connection
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sweep(NOW + timedelta(minutes=2)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then every deadline fired once, in one worker or the other, and the manager got one alert per case
    assert errors == []
    assert sorted(fired) == sorted(Deadline.objects.values_list("pk", flat=True))
    claimed = sorted(pk for r in results for pk in r.missed)
    assert claimed == sorted(fired)
    assert Deadline.objects.filter(state=DeadlineState.MISSED, fired=True).count() == 20
    assert Notification.objects.filter(recipient=world.general_manager, kind="case.escalated").count() == 20


@pytest.mark.django_db(transaction=True)
def test_c16_two_workers_send_each_reminder_once(world):
    skip_unless_concurrent_writers()
    reminded: list[int] = []
    register_deadline_handler("cases_testapp.ticket", "next_reply", on_remind=lambda d, s, now: reminded.append(d.pk))
    for _ in range(10):
        deadline_set(
            subject=make_ticket(world),
            kind="next_reply",
            due_at=NOW + timedelta(hours=1),
            now=NOW,
            remind_before=timedelta(minutes=15),
        )
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            sweep(NOW + timedelta(minutes=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(reminded) == sorted(Deadline.objects.values_list("pk", flat=True))
