"""Django admin for the calendar. Changes go through the services, so the admin site records them on the
timeline and invalidates the cached calendars exactly like the calendar page does."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guanjia.workdays.models import CalendarDay, CalendarYear, Source
from guanjia.workdays.services import calendar_day_reset, calendar_day_set, calendar_year_confirm


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name", "source", "updated_at")
    list_filter = ("source", "is_workday")
    search_fields = ("name",)
    date_hierarchy = "date"
    fields = ("date", "is_workday", "name", "source", "updated_at")
    actions = None  # bulk delete would bypass the timeline

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> tuple[str, ...]:
        return ("date", "source", "updated_at") if obj else ("source", "updated_at")

    def has_delete_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        # Only an administrator's own setting can be undone; a published day would come back on the next sync.
        return super().has_delete_permission(request, obj) and (obj is None or obj.source == Source.ADMIN)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = calendar_day_set(day=obj.date, is_workday=obj.is_workday, name=obj.name, actor=request.user)
        obj.pk, obj.source, obj.name = saved.pk, saved.source, saved.name

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_reset(day=obj.date, actor=request.user)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "status", "updated_at")
    list_filter = ("status",)
    actions = ["confirm_years"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    @admin.action(description=_("确认所选年份的安排（管理员确认）"))
    def confirm_years(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for row in queryset:
            try:
                calendar_year_confirm(year=row.year, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
