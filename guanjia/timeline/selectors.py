from __future__ import annotations

from django.db import models

from guanjia.timeline.models import Event, EventQuerySet


def events_for(subject: models.Model) -> EventQuerySet:
    """The subject's timeline, oldest first, with actors loaded in the same query."""
    return Event.objects.for_subject(subject).select_related("actor").order_by("at", "id")
