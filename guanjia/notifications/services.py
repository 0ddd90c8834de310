"""One way to tell staff something: ``notify``. The in-app inbox always gets it; external backends get a
copy after the transaction commits (nothing is sent for a change that rolled back)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from guanjia.notifications.models import Channel, Delivery, Level, Notification, NotificationPreference
from guanjia.notifications.outbox import delivery, enqueue_many


@dataclass
class Notice:
    """One message for ``notify_many``: the same fields as ``notify`` takes."""

    recipients: Iterable[User]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    project: Any | None = None
    level: str = Level.INFO
    dedupe_key: str | None = None


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
    notice = Notice(recipients, kind, title, body, url, project, level, dedupe_key)
    return notify_many([notice], now=now)


def notify_many(notices: Sequence[Notice], *, now: datetime | None = None) -> list[Notification]:
    """``notify`` for many messages at once (a batch of the deadline sweep): the same rows, the same external
    copies and the same delivery after the commit as one ``notify`` per notice in order, in a constant number
    of queries (one dedupe read, one INSERT of inbox rows per kind of dedupe, one INSERT of outbox rows)."""
    for notice in notices:
        if notice.level not in Level.values:
            raise ValueError(f"unknown notification level {notice.level!r}")
    wanted = [(n, {u.pk: u for u in n.recipients if u.is_active}) for n in notices]
    keys = {n.dedupe_key for n, people in wanted if n.dedupe_key is not None and people}
    taken: set[tuple[int, str]] = set()
    if keys:
        ids = {pk for n, people in wanted if n.dedupe_key in keys for pk in people}
        already = Notification.objects.filter(recipient_id__in=ids, dedupe_key__in=keys)
        taken = {(pk, key) for pk, key in already.values_list("recipient_id", "dedupe_key") if key is not None}
    now = now or timezone.now()
    batches: list[tuple[Notice, dict[int, User], list[Notification]]] = []
    for notice, people in wanted:
        if notice.dedupe_key is not None:
            for pk in [pk for pk in people if (pk, notice.dedupe_key) in taken]:
                people.pop(pk)
            taken.update((pk, notice.dedupe_key) for pk in people)
        if people:
            batches.append((notice, people, [_row(notice, user, now) for user in people.values()]))
    if not batches:
        return []
    # ignore_conflicts (a row of the same dedupe_key written meanwhile) as in one notify per notice.
    for deduped in (False, True):
        rows = [row for notice, _p, rows in batches if (notice.dedupe_key is not None) == deduped for row in rows]
        if rows:
            Notification.objects.bulk_create(rows, ignore_conflicts=deduped)
    messages = [_message(n, people[n.recipient_id]) for _n, people, rows in batches for n in rows]
    transaction.on_commit(lambda: deliver(messages))
    loaded = _load_quiet_hours(u for _n, people, _r in batches for u in people.values())
    deliveries: list[Delivery] = []
    for _notice, people, rows in batches:
        deliveries.extend(_queue_external(rows, people, now))
    _forget_quiet_hours(loaded)
    enqueue_many(deliveries)
    return [n for _n, _p, rows in batches for n in rows]


def _row(notice: Notice, user: User, now: datetime) -> Notification:
    return Notification(
        recipient=user,
        project=notice.project,
        kind=notice.kind,
        level=notice.level,
        title=notice.title[:200],
        body=notice.body,
        url=notice.url,
        created_at=now,
        dedupe_key=notice.dedupe_key,
    )


def _queue_external(created: list[Notification], people: dict[int, User], now: datetime) -> list[Delivery]:
    """Copies through the channels that are switched on (nothing, and no query, when none is): e-mail to each
    person for the levels of ``NOTIFY_EMAIL_LEVELS``, an SMS to each person for urgent ones (template "alert"),
    one post to the staff group robot for the levels of ``WECOM_ROBOT_LEVELS``. Quiet hours hold the
    non-urgent personal copies. Returns the unsaved outbox rows (``outbox.enqueue_many`` writes them)."""
    out: list[Delivery] = []
    first = created[0]
    urgent = first.level == Level.URGENT
    if first.level in getattr(settings, "NOTIFY_EMAIL_LEVELS", []) and channels.configured(Channel.EMAIL):
        for n in created:
            user = people[n.recipient_id]
            if user.email:
                out.append(
                    delivery(
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
                )
    if urgent and channels.configured(Channel.SMS) and "alert" in getattr(settings, "SMS_TEMPLATES", {}):
        for n in created:
            user = people[n.recipient_id]
            if user.phone:
                out.append(
                    delivery(
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
                )
    if first.level in getattr(settings, "WECOM_ROBOT_LEVELS", []) and channels.configured(Channel.WECOM):
        names = "、".join(people[n.recipient_id].display_name for n in created)
        content = f"**{first.title}**\n{first.body}\n> {names}".strip()
        out.append(
            delivery(
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
        )
    return out


def _load_quiet_hours(people: Iterable[User]) -> list[User]:
    """Read the quiet hours of the people who may get an e-mail in one query (``quiet.quiet_until`` reads
    ``_quiet_pref``); returns those given one, for ``_forget_quiet_hours`` to clear after the rows are built."""
    if not getattr(settings, "NOTIFY_EMAIL_LEVELS", []) or not channels.configured(Channel.EMAIL):
        return []
    users = [u for u in people if u.email and getattr(u, "_quiet_pref", None) is None]
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in={u.pk for u in users})}
    for user in users:
        user._quiet_pref = prefs.get(user.pk) or NotificationPreference()  # type: ignore[attr-defined]
    return users


def _forget_quiet_hours(users: list[User]) -> None:
    for user in users:
        user.__dict__.pop("_quiet_pref", None)


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
