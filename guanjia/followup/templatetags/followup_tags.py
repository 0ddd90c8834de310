"""``{{ call.due_at|due }}``: a day limit as a person reads it, "11-09 24:00" rather than "11-10 00:00"."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.template import defaultfilters
from django.utils import timezone

from guanjia.workdays.deadlines import due_day

register = template.Library()


@register.filter
def due(value: datetime | None, fmt: str = "m-d") -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.hour == 0 and local.minute == 0:
        return f"{defaultfilters.date(due_day(value), fmt)} 24:00"
    return defaultfilters.date(local, f"{fmt} H:i")
