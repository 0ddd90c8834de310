"""Issue 14: firing missed complaint limits with their real handlers (C11 proposals, alerts, e-mail copies in the
outbox) costs a fixed number of queries per sweep batch, not a handful per deadline; and a batch tells the same
people the same things as a deadline fired on its own."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.complaints.handlers import on_missed_limit
from guanjia.complaints.tests.test_services import register
from guanjia.notifications.models import Channel, Delivery, Notification, NotificationPreference
from guanjia.timeline.models import Event

MIN = timedelta(minutes=1)


@pytest.fixture
def at():
    """Customers call at 23:00 in Shanghai: the supervisor's quiet hours (22:00–07:00) hold their e-mails."""
    return datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def mailed(world, settings):
    """E-mail copies on for warnings, so every alert also writes outbox rows (and reads quiet hours)."""
    settings.NOTIFY_EMAIL_LEVELS = ["warning", "urgent"]
    for user in (world.supervisor, world.office_manager):
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    NotificationPreference.objects.create(user=world.supervisor, quiet_start=time(22), quiet_end=time(7))
    return world


def complaints_due(world, n: int, received_at) -> list:
    """``n`` general complaints whose 10-minute response limit falls due at ``received_at + 10 min``."""
    return [register(world, received_at=received_at, now=received_at) for _ in range(n)]


def fire(at) -> tuple[int, list[int]]:
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
        result = sweep(at)
    assert result.failed == []
    return len(captured.captured_queries), result.missed


def test_missed_complaint_limits_cost_the_same_queries_for_5_or_25(mailed, at):
    small = complaints_due(mailed, 5, at)
    large = complaints_due(mailed, 25, at + 60 * MIN)

    n_small, fired_small = fire(at + 10 * MIN)
    n_large, fired_large = fire(at + 70 * MIN)

    assert (len(fired_small), len(fired_large)) == (5, 25)
    assert n_large == n_small, (n_small, n_large)  # a constant per batch, not a few per deadline (was about 7 each)
    for complaint in small + large:
        response = Deadline.objects.get(subject_id=complaint.pk, kind="response")
        assert (response.state, response.fired, response.data["proposal"]) == (DeadlineState.MISSED, True, "open")
        proposed = Event.objects.filter(subject_id=complaint.pk, verb="complaint.mishandling_proposed")
        assert [e.data["deadline"] for e in proposed] == [response.pk]
        alerts = Notification.objects.filter(dedupe_key=f"complaint:{complaint.pk}:missed:{response.pk}")
        people = {mailed.supervisor.pk, mailed.office_manager.pk, complaint.first_responder_id}
        assert {n.recipient_id for n in alerts} == people and len(people) == 3
        assert {n.kind for n in alerts} == {"complaint.response_missed"}
        mails = Delivery.objects.filter(channel=Channel.EMAIL, payload__subject=alerts[0].title)
        assert sorted(mails.values_list("recipient_display", flat=True)) == sorted(
            [mailed.supervisor.display_name, mailed.office_manager.display_name]
        )


def test_a_batch_tells_the_same_people_the_same_things_as_one_deadline_alone(mailed, at):
    alone, batched = complaints_due(mailed, 1, at), complaints_due(mailed, 3, at)
    first = Deadline.objects.get(subject_id=alone[0].pk, kind="response")
    # The per-deadline handler (a deadline fired alone, the retry path of a failed batch) on the first…
    Deadline.objects.filter(pk=first.pk).update(state=DeadlineState.MISSED, fired=True)
    with time_machine.travel(at + 10 * MIN, tick=False), transaction.atomic():
        on_missed_limit(first, alone[0], at + 10 * MIN)
    # …and the batch handler on the others.
    fire(at + 10 * MIN)

    def seen(complaint) -> tuple:
        response = Deadline.objects.get(subject_id=complaint.pk, kind="response")
        alerts = Notification.objects.filter(dedupe_key=f"complaint:{complaint.pk}:missed:{response.pk}")
        rows = sorted((n.recipient_id, n.kind, n.level, n.title.replace(complaint.number, "#")) for n in alerts)
        mails = sorted(
            (d.recipient_display, d.status, d.next_attempt_at, d.payload["subject"].replace(complaint.number, "#"))
            for d in Delivery.objects.filter(channel=Channel.EMAIL, kind="complaint.response_missed")
            if complaint.number in d.payload["subject"]
        )
        events = list(
            Event.objects.filter(subject_id=complaint.pk, verb="complaint.mishandling_proposed").values_list(
                "verb", "data__kind"
            )
        )
        return rows, mails, events, response.data.get("proposal")

    expected = seen(alone[0])
    assert (
        len(expected[0]) == 3
        and len(expected[1]) == 2
        and expected[2] == [("complaint.mishandling_proposed", "response")]
    )
    assert len({m[2] for m in expected[1]}) == 2  # the supervisor's copy waits for 07:00, the manager's goes now
    for complaint in batched:
        assert seen(complaint) == expected


def test_missed_limits_in_many_estates_cost_the_queries_of_a_few(world, at):
    """The people to alert are read for all the batch's estates at once (``StaffOfProjects``)."""
    from guanjia.accounts.models import Role
    from guanjia.complaints import services
    from guanjia.testing.factories import make_project, make_staff

    def one_in_each_of(n: int, received) -> list:
        complaints: list = []
        for _ in range(n):
            number = Notification.objects.count() + len(complaints) + n * 100 + received.minute
            estate = make_project(world.company, name=f"分布小区{number}", code=f"spread{number}")
            desk = make_staff(Role.FRONT_DESK, projects=(estate,))
            make_staff(Role.CS_SUPERVISOR, projects=(estate,))
            complaints.append(
                services.complaint_register(
                    project=estate, actor=desk, channel="phone", description="电梯停运", customer_name="王先生",
                    contact_phone="13812345678", received_at=received, now=received,
                )
            )  # fmt: skip
        return complaints

    few = one_in_each_of(2, at)
    n_few, fired_few = fire(at + 10 * MIN)
    many = one_in_each_of(8, at + 60 * MIN)
    n_many, fired_many = fire(at + 70 * MIN)
    assert (len(fired_few), len(fired_many)) == (2, 8)
    assert n_many == n_few, (n_few, n_many)  # was one more query per estate
    for complaint in few + many:
        alerts = Notification.objects.filter(kind="complaint.response_missed", project=complaint.project)
        supervisors = set(complaint.project.staff.filter(role=Role.CS_SUPERVISOR).values_list("pk", flat=True))
        assert len(supervisors) == 1 and supervisors <= {n.recipient_id for n in alerts}
