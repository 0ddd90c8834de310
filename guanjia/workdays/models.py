"""The working-day calendar (V04): only the exceptions to "Monday to Friday work, weekends rest".

``CalendarDay`` holds a statutory holiday (on a weekday or a weekend, so it carries its name) or a make-up
working weekend day (调休上班). ``CalendarYear`` says whose word a year rests on: the published calendar
shipped in the ``chinesecalendar`` package, or an administrator who entered or confirmed it. A year with no
row is unknown: it gets the statutory days of the 2024 law computed from the lunar calendar
(``guanjia.workdays.statutory``) over the weekend rule, and the pages show a warning until an administrator enters
the make-up days (调休, e.g. by pasting the State Council's notice) and confirms it. Rows always win over computed
days.

Rows are written only through ``guanjia.workdays.services`` (which records each change on the timeline and
invalidates the in-process calendars); reads for deadline arithmetic go through
``guanjia.workdays.calendar.load_calendar``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    PACKAGE = "package", _("官方发布")
    ADMIN = "admin", _("管理员设置")


class YearStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    ADMIN = "admin", _("管理员确认")


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("如“国庆节”“国庆节调休”"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.ADMIN)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("调休上班") if self.is_workday else _("休息")
        return f"{self.date:%Y-%m-%d} {self.name or kind}"

    @property
    def is_makeup_workday(self) -> bool:
        """A weekend day worked in exchange for a holiday (调休上班)."""
        return self.is_workday and self.date.weekday() >= 5


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=YearStatus.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_status_display()}"
