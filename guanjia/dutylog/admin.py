"""Read-mostly admin: the pages and services are the way to change these records (each change is on the
timeline); the admin lets managers look rows up and edit the standard phrases and meeting rooms."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanjia.dutylog.models import (
    Booking,
    CallRecord,
    DutyLogEntry,
    FeeNotice,
    Handover,
    MeetingRoom,
    Notice,
    ParkingSpace,
    Phrase,
    Shift,
)


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):
    list_display = ("text", "category", "project", "position", "active")
    list_filter = ("category", "active", "project")
    search_fields = ("text",)


@admin.register(MeetingRoom)
class MeetingRoomAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "location", "capacity", "active")
    list_filter = ("project", "active")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "name", "starts_at", "ends_at")
    list_filter = ("project", "kind")


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("project", "at", "author", "text", "is_open", "closed_at")
    list_filter = ("project", "is_open")


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ("project", "shift", "status", "submitted_by", "signed_by", "signed_at")
    list_filter = ("project", "status")


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin):
    list_display = ("project", "at", "caller", "about", "answered_by", "outcome")
    list_filter = ("project", "outcome")


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("room", "starts_at", "ends_at", "booked_for", "status")
    list_filter = ("project", "status")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "title", "status", "take_down_due")
    list_filter = ("project", "kind", "status")


@admin.register(FeeNotice)
class FeeNoticeAdmin(ReadOnlyAdmin):
    list_display = ("project", "unit", "period", "kind", "amount", "sent_at", "paid_at")
    list_filter = ("project", "kind")


@admin.register(ParkingSpace)
class ParkingSpaceAdmin(ReadOnlyAdmin):
    list_display = ("project", "number", "holder", "unit", "plate", "valid_to")
    list_filter = ("project",)
