"""One way to tell staff something: ``notify``. The in-app inbox always gets it; external backends get a
copy after the transaction commits (nothing is sent for a change that rolled back)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import mask_phone
from guanjia.accounts.models import User
from guanjia.notifications import channels
from guanjia.notifications.backends import Message, deliver
from guanjia.notifications.models import Channel, Level, Notification, NotificationPreference
from guanjia.notifications.outbox import enqueue


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
    now: datetime | None = None,
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
    now = now or timezone.now()
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
    if created:
        _queue_external(created, people, now)
    return created


def _queue_external(created: list[Notification], people: dict[int, User], now: datetime) -> None:
    """Copies through the channels that are switched on (nothing, and no query, when none is): e-mail to each
    person for the levels of ``NOTIFY_EMAIL_LEVELS``, an SMS to each person for urgent ones (template "alert"),
    one post to the staff group robot for the levels of ``WECOM_ROBOT_LEVELS``. Quiet hours hold the
    non-urgent personal copies."""
    first = created[0]
    urgent = first.level == Level.URGENT
    if first.level in getattr(settings, "NOTIFY_EMAIL_LEVELS", []) and channels.configured(Channel.EMAIL):
        for n in created:
            user = people[n.recipient_id]
            if user.email:
                enqueue(
                    channel=Channel.EMAIL,
                    recipient=user.email,
                    recipient_display=user.display_name,
                    kind=n.kind,
                    payload={"subject": n.title, "body": "\n\n".join(p for p in (n.body, n.url) if p)},
                    now=now,
                    console_text=n.title,
                    project=n.project,
                    urgent=urgent,
                    notification=n if n.pk else None,
                    person=user,
                )
    if urgent and channels.configured(Channel.SMS) and "alert" in getattr(settings, "SMS_TEMPLATES", {}):
        for n in created:
            user = people[n.recipient_id]
            if user.phone:
                enqueue(
                    channel=Channel.SMS,
                    provider=str(getattr(settings, "SMS_PROVIDER", "")),
                    recipient=user.phone,
                    recipient_display=mask_phone(user.phone),
                    kind=n.kind,
                    payload={"template": "alert", "params": {"title": n.title[:30]}},
                    now=now,
                    console_text=n.title,
                    project=n.project,
                    urgent=True,
                    notification=n if n.pk else None,
                )
    if first.level in getattr(settings, "WECOM_ROBOT_LEVELS", []) and channels.configured(Channel.WECOM):
        names = "、".join(people[n.recipient_id].display_name for n in created)
        content = f"**{first.title}**\n{first.body}\n> {names}".strip()
        enqueue(
            channel=Channel.WECOM,
            recipient=settings.WECOM_ROBOT_WEBHOOK_URL,
            recipient_display="",  # the group: the page names the channel
            kind=first.kind,
            payload={"msgtype": "markdown", "content": content},
            now=now,
            console_text=first.title,
            project=first.project,
            urgent=urgent,
        )


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


def preference_set(*, user: User, quiet_start: time | None, quiet_end: time | None) -> NotificationPreference:
    """Set (or, with both None, clear) ``user``'s quiet hours. Both ends or neither; they may cross midnight."""
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        raise ValidationError({field: [_("请同时填写开始和结束时间，或都留空")]})
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": [_("结束时间不能与开始时间相同")]})
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"quiet_start": quiet_start, "quiet_end": quiet_end}
    )
    return pref
