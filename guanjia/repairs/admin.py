from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanjia.repairs.models import PriceItem


@admin.register(PriceItem)
class PriceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "project", "category", "unit", "fee_yuan", "active")
    list_filter = ("project", "category", "active")
    search_fields = ("code", "name")
    list_select_related = ("project",)
    readonly_fields = ("version",)

    def save_model(self, request: HttpRequest, obj: PriceItem, form: Any, change: bool) -> None:
        # A change here must invalidate what the settings page read, as the service's optimistic lock expects.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
