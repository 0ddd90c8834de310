from __future__ import annotations

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
