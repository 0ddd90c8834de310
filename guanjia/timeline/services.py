from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from guanjia.timeline.models import Event


def record(
    *,
    subject: models.Model,
    verb: str,
    actor: Any | None,
    project: Any | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
    at: Any | None = None,
) -> Event:
    """Append one event about ``subject``.

    Call it inside the transaction that makes the change, so the change and its record commit or roll
    back together. ``actor`` is None for the system (sweeps, imports run from the command line).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must run inside the transaction of the change it records")
    if project is None:
        project = getattr(subject, "project", None)
    return Event.objects.create(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        project=project,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        verb=verb,
        data=data or {},
        reason=reason,
    )


@dataclass(frozen=True)
class Entry:
    """One event for ``record_many``: the same fields as ``record`` takes."""

    subject: models.Model
    verb: str
    actor: Any | None = None
    project: Any | None = None
    data: dict[str, Any] | None = None
    reason: str = ""
    at: Any | None = None


def record_many(entries: Sequence[Entry]) -> list[Event]:
    """Append many events in one INSERT (a batch of the deadline sweep), in the order given; same rules as
    ``record``: inside the transaction of the changes they record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_many() must run inside the transaction of the changes it records")
    now = timezone.now()
    events = [
        Event(
            at=entry.at or now,
            actor=entry.actor if getattr(entry.actor, "is_authenticated", False) else None,
            project=entry.project if entry.project is not None else getattr(entry.subject, "project", None),
            subject_type=ContentType.objects.get_for_model(entry.subject),
            subject_id=entry.subject.pk,
            verb=entry.verb,
            data=entry.data or {},
            reason=entry.reason,
        )
        for entry in entries
    ]
    return Event.objects.bulk_create(events) if events else []
