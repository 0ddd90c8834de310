"""Quiet hours: a person's non-urgent messages to phones and chats wait until their quiet hours end."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from guanjia.notifications.models import NotificationPreference


def in_quiet(start: time, end: time, at: time) -> bool:
    """Whether ``at`` falls in [start, end), a window that may cross midnight (22:00–07:00)."""
    if start < end:
        return start <= at < end
    return at >= start or at < end


def quiet_until(person: Any, now: datetime) -> datetime | None:
    """When ``person``'s quiet hours end, if ``now`` falls in them (local time); None otherwise."""
    pref = getattr(person, "_quiet_pref", None)
    if pref is None:
        pref = NotificationPreference.objects.filter(user_id=person.pk).first() or NotificationPreference()
    if not pref.has_quiet_hours:
        return None
    start, end = pref.quiet_start, pref.quiet_end
    assert start is not None and end is not None
    local = timezone.localtime(now)
    if not in_quiet(start, end, local.time().replace(tzinfo=None)):
        return None
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += timedelta(days=1)
    return end_at
