"""Outbound webhook events for integrations, taken from the timeline as it is written: a case created, a
case's status changed, a deadline missed. One signed POST per configured address, queued in the transaction
of the change (nothing is announced for a change that rolled back). Off, and free, until
``OUTBOUND_WEBHOOK_URLS`` and ``OUTBOUND_WEBHOOK_SECRET`` are set."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from guanjia.notifications import channels
from guanjia.notifications.models import Channel
from guanjia.notifications.outbox import delivery, enqueue
from guanjia.timeline.models import Event

CASE_CREATED = "case.created"
STATUS_CHANGED = "case.status_changed"
DEADLINE_MISSED = "deadline.missed"
#: The verbs by which each kind of case comes into being.
_CREATION_SUFFIXES = (".registered", ".logged", ".created")


def event_name(event: Event) -> str | None:
    """The webhook event ``event`` announces, or None."""
    if event.verb == "deadline.missed":
        return DEADLINE_MISSED
    model = event.subject_type.model_class() if event.subject_type_id else None
    case_type = getattr(model, "CASE_TYPE", None)
    if not case_type or not event.verb.startswith(f"{case_type}."):
        return None
    data = event.data or {}
    if "from" in data and "to" in data:
        return STATUS_CHANGED
    if event.verb.endswith(_CREATION_SUFFIXES):
        return CASE_CREATED
    return None


def payload_for(event: Event, name: str) -> dict[str, Any]:
    """What an integration reads: ids, numbers and states, never a person's name or phone."""
    subject = event.subject_type.get_object_for_this_type(pk=event.subject_id) if event.subject_type_id else None
    body: dict[str, Any] = {
        "event": name,
        "at": event.at.isoformat(),
        "timeline_event": event.pk,
        "verb": event.verb,
        "project": event.project_id,
        "subject": {"type": event.subject_type.model if event.subject_type_id else "", "id": event.subject_id},
    }
    if subject is not None and hasattr(subject, "number"):
        body["subject"]["number"] = subject.number
    data = event.data or {}
    if name == STATUS_CHANGED:
        body["from"], body["to"] = data.get("from"), data.get("to")
    if name == DEADLINE_MISSED:
        body["deadline"] = {k: v for k, v in data.items() if isinstance(v, (str, int, float, bool))}
    return body


def on_event_saved(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if not created or not channels.configured(Channel.WEBHOOK):
        return
    name = event_name(instance)
    if name is None:
        return
    body = payload_for(instance, name)
    for url in settings.OUTBOUND_WEBHOOK_URLS:
        enqueue(
            delivery(
                channel=Channel.WEBHOOK,
                recipient=url,
                recipient_display=url.split("?")[0][:100],
                kind=f"webhook.{name}",
                payload=body,
                now=instance.at,
                console_text=name,
                project=instance.project,
                ref=f"event:{instance.pk}",
                urgent=True,
            )
        )
