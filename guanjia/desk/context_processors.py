from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanjia.accounts.access import (
    can_manage_company,
    can_manage_estate_anywhere,
    can_manage_master_data,
    can_manage_staff,
    urgent_alert_kinds,
    visible_projects,
)


def desk(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_project": getattr(request, "project", None),
        # Lazy: the switcher's query runs only on pages that render the switcher.
        "switchable_projects": visible_projects(user).order_by("id"),
        "can_manage_master_data": can_manage_master_data(user),
        "can_manage_estates": can_manage_company(user) or can_manage_estate_anywhere(user),
        "can_manage_staff": can_manage_staff(user),
        # Only the roles that must act on urgent notifications get the banner (and its poll).
        "urgent_alerts": bool(urgent_alert_kinds(user)),
    }
