"""Read-only admin of the outbox: a message is queued by ``outbox.enqueue`` and changed only by the worker."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanjia.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "project", "channel", "recipient_display", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "project")
    search_fields = ("ref", "kind", "provider_message_id")
    exclude = ("recipient", "payload")  # a full address and maybe a one-time code while queued

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
