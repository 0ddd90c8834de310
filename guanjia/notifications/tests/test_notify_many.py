"""``notify_many``: many messages at once give the rows one ``notify`` per message gives, in a fixed number of
queries (issue 14: the deadline sweep tells people about a whole batch at once)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.notifications.models import Channel, Delivery, Level, Notification, NotificationPreference
from guanjia.notifications.services import Notice, notify, notify_many

LATE = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai


def mailed(settings, *users):
    settings.NOTIFY_EMAIL_LEVELS = ["warning", "urgent"]
    for user in users:
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])


def notices(world, n: int) -> list[Notice]:
    return [
        Notice(
            recipients=[world.supervisor, world.butler],
            kind="k",
            title=f"提醒 {i}",
            level=Level.WARNING,
            dedupe_key=f"k:{i}",
        )
        for i in range(n)
    ]


def shown(rows) -> list[tuple]:
    return sorted((n.recipient_id, n.kind, n.title, n.level, n.dedupe_key) for n in rows)


def test_notify_many_writes_what_one_notify_each_writes(world, settings):
    mailed(settings, world.supervisor, world.butler)
    NotificationPreference.objects.create(user=world.supervisor, quiet_start=time(22), quiet_end=time(7))
    for notice in notices(world, 3):
        notify(**vars(notice), now=LATE)
    one_by_one = (shown(Notification.objects.all()), _mails())
    Notification.objects.all().delete()
    Delivery.objects.all().delete()

    notify_many(notices(world, 3), now=LATE)

    assert (shown(Notification.objects.all()), _mails()) == one_by_one
    assert len(one_by_one[0]) == 6 and len(one_by_one[1]) == 6
    held = {d[0] for d in one_by_one[1] if d[2] != LATE}
    assert held == {world.supervisor.display_name}  # quiet hours hold only the supervisor's copies


def _mails() -> list[tuple]:
    rows = Delivery.objects.filter(channel=Channel.EMAIL)
    return sorted((d.recipient_display, d.payload["subject"], d.next_attempt_at, d.status) for d in rows)


def test_notify_many_skips_who_already_has_a_message_and_repeats_in_the_same_call(world):
    notify(recipients=[world.supervisor], kind="k", title="提醒 0", dedupe_key="k:0", now=LATE)
    batch = notices(world, 2) + notices(world, 2)  # the second half repeats the first

    created = notify_many(batch, now=LATE)

    assert sorted((n.recipient_id, n.dedupe_key) for n in created) == sorted(
        [(world.butler.pk, "k:0"), (world.supervisor.pk, "k:1"), (world.butler.pk, "k:1")]
    )
    assert Notification.objects.count() == 4


def test_notify_many_queries_do_not_grow_with_the_messages(world, settings):
    mailed(settings, world.supervisor, world.butler)

    def count(n: int) -> int:
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            notify_many(notices(world, n), now=LATE)
        assert Notification.objects.count() == 2 * n
        return len(captured.captured_queries)

    assert count(2) == count(20)
