"""``{% archive_panel customer=customer %}`` / ``{% archive_panel unit=unit %}``: the F07 archive on the
customer and unit pages (through ``frontdesk/_archive_events.html``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_record_archive
from guanjia.estates.models import Customer, Unit
from guanjia.frontdesk.models import ArchiveEventKind
from guanjia.frontdesk.selectors import archive_events_of

register = template.Library()


@register.inclusion_tag("frontdesk/_archive_panel.html", takes_context=True)
def archive_panel(context: Any, customer: Any = None, unit: Any = None) -> dict[str, Any]:
    """The caller's page has already looked ``customer`` or ``unit`` up for the user (O04)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    customer = customer if isinstance(customer, Customer) else None
    unit = unit if isinstance(unit, Unit) and customer is None else None
    events = list(archive_events_of(customer=customer, unit=unit)[:50]) if (customer or unit) else []
    can_record = unit is not None and can_record_archive(user, unit.project_id)
    residents = list(unit.customers.all()) if can_record and unit is not None else []
    return {
        "events": events,
        "unit": unit,
        "customer": customer,
        "can_record": can_record,
        "residents": residents,
        "applications": [e for e in events if e.kind == ArchiveEventKind.DECORATION_APPLICATION],
        "kinds": ArchiveEventKind.choices,
        "today": timezone.localdate(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def age(value: datetime | None) -> str:
    """How long an item has waited, as the desk says it: "2天3小时", "45分钟"."""
    if value is None:
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours} if hours else _("%(d)d天") % {"d": days}
    if hours:
        return _("%(h)d小时%(m)d分钟") % {"h": hours, "m": rest // 60}
    return _("%(m)d分钟") % {"m": rest // 60}


@register.filter
def is_overdue_at(item: Any, now: datetime) -> bool:
    return bool(item.is_overdue(now))
