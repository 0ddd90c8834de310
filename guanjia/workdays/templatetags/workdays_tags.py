"""``{% calendar_warning_banner %}``: the calendar warnings (V04) for the people who can act on them.

Managers (``can_manage_master_data``) see one line per year whose arrangement is missing: this year, and next
year from 1 November (``guanjia.workdays.calendar.warning_years``), each linking to the calendar page of that
year. Everyone else sees nothing. The calendar is the cached one: no query on a hit.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from guanjia.accounts.access import can_manage_master_data
from guanjia.workdays.calendar import calendar_warnings

register = template.Library()


@register.inclusion_tag("workdays/_warning_banner.html", takes_context=True)
def calendar_warning_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or not can_manage_master_data(user):
        return {"warnings": []}
    return {"warnings": calendar_warnings(today=timezone.localdate())}
