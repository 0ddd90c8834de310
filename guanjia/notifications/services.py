"""One way to tell staff something: ``notify``. The in-app inbox always gets it; external backends get a
copy after the transaction commits (nothing is sent for a change that rolled back)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanjia.accounts.models import User
from guanjia.notifications.backends import Message, deliver
from guanjia.notifications.models import Level, Notification


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    project: Any | None = None,
    level: str = Level.INFO,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write one inbox row per recipient (once per ``dedupe_key`` and person) and queue the external copies.

    Returns the rows created now; a recipient who already has ``dedupe_key`` is skipped (and gets no SMS).
    """
    if level not in Level.values:
        raise ValueError(f"unknown notification level {level!r}")
    people = {u.pk: u for u in recipients if u.is_active}
    if dedupe_key is not None and people:
        already = Notification.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key)
        for pk in already.values_list("recipient_id", flat=True):
            people.pop(pk, None)
    if not people:
        return []
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            project=project,
            kind=kind,
            level=level,
            title=title[:200],
            body=body,
            url=url,
            created_at=now,
            dedupe_key=dedupe_key,
        )
        for user in people.values()
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=dedupe_key is not None)
    messages = [_message(n, people[n.recipient_id]) for n in created]
    transaction.on_commit(lambda: deliver(messages))
    return created


def _message(n: Notification, user: User) -> Message:
    return Message(
        recipient_id=user.pk,
        recipient_name=user.display_name,
        email=user.email,
        phone=user.phone,
        kind=n.kind,
        level=n.level,
        title=n.title,
        body=n.body,
        url=n.url,
        project_id=n.project_id,
    )


def notification_mark_read(*, user: Any, notification: Notification, at: datetime | None = None) -> None:
    """Mark one of ``user``'s notifications read (the caller looked it up through ``inbox_for(user)``)."""
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def notification_mark_all_read(*, user: Any, level: str | None = None, at: datetime | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if level is not None:
        rows = rows.filter(level=level)
    return rows.update(read_at=at or timezone.now())
