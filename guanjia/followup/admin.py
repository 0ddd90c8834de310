"""Read-mostly admin of the follow-up records; changes go through the pages and the API (services)."""

from django.contrib import admin

from guanjia.followup.models import LeadCadence, PlanStep, PlanTemplate


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "is_active"]
    list_filter = ["is_active"]
    inlines = [PlanStepInline]


@admin.register(LeadCadence)
class LeadCadenceAdmin(admin.ModelAdmin):
    """T06: the follow-up interval per grade (product defaults A 3, B 7, C 14, D 30 days; per project rows win)."""

    list_display = ["grade", "every_days", "project"]
    list_filter = ["grade"]
