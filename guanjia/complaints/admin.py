"""Read-only admin views of complaints: every change goes through ``complaints.services`` (with its timeline
event), so the admin shows records and never edits them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guanjia.complaints.models import Complaint, ComplaintSignature, Incident, MailEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "project", "grade", "nature", "status", "channel", "received_at", "completed_at"]
    list_filter = ["project", "grade", "nature", "status", "channel"]
    search_fields = ["number", "customer_name", "description"]
    list_select_related = ["project"]
    date_hierarchy = "received_at"


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "location", "occurred_at", "created_at"]
    list_filter = ["project"]
    search_fields = ["title", "location"]
    list_select_related = ["project"]


@admin.register(MailEntry)
class MailEntryAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "sender", "subject", "replied_at"]
    search_fields = ["sender", "subject"]


@admin.register(ComplaintSignature)
class ComplaintSignatureAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "signer_name", "signed_at"]
    exclude = ["image"]  # its default link would be a public media URL; the image is served by a checked view
    readonly_fields = ["image_link"]

    @admin.display(description=_("签名"))
    def image_link(self, obj: ComplaintSignature) -> str:
        return format_html('<a href="{}">{}</a>', reverse("complaints:signature_image", args=[obj.pk]), _("查看"))
