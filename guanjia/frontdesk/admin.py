"""Read-only admin views of the ledgers: every change goes through ``services`` (proof checks, exactly-once
hand-over, the timeline), so the admin only looks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanjia.frontdesk.models import ArchiveEvent, CustodyItem, Visitor, VisitorPass


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # S06: deletion is the recorded purge (manage.py purge_ledgers), never a click here


@admin.register(CustodyItem)
class CustodyItemAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "project", "kind", "description", "owner_name", "shelf", "status", "handed_over_at")
    list_filter = ("project", "kind", "status")
    search_fields = ("tracking_number", "owner_name", "description")
    exclude = ("pickup_code_hash", "addressee_id_hash")


@admin.register(Visitor)
class VisitorAdmin(ReadOnlyAdmin):
    list_display = ("arrived_at", "project", "name", "host_unit", "status", "left_at")
    list_filter = ("project", "status")
    exclude = ("id_hash",)


@admin.register(VisitorPass)
class VisitorPassAdmin(ReadOnlyAdmin):
    list_display = ("valid_on", "project", "unit", "visitor_name", "used_at")
    exclude = ("code_hash",)


@admin.register(ArchiveEvent)
class ArchiveEventAdmin(ReadOnlyAdmin):
    list_display = ("date", "project", "unit", "customer", "kind", "approved")
    list_filter = ("project", "kind")
