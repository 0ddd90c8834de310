from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanjia.policy.models import PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the settings page (policy:settings), which validates the value,
    keeps the C06–C08 thresholds in order and records each change on the timeline."""

    list_display = ("key", "company", "project", "value", "version", "updated_by", "updated_at")
    list_filter = ("company", "project")
    search_fields = ("key",)
    list_select_related = ("company", "project", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
