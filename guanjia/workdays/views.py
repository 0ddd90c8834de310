"""The administrator's calendar page (V04): a year of month grids, a day form, and "confirm this year".

Only managers (``can_manage_master_data``) may see or change the calendar; everyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from guanjia.accounts.access import can_manage_master_data
from guanjia.core.web import apply_errors
from guanjia.workdays.forms import DayAction, DayForm, NoticeForm, YearForm
from guanjia.workdays.models import CalendarDay, CalendarYear, YearStatus
from guanjia.workdays.notice import NoticeDay, parse_notice
from guanjia.workdays.selectors import recent_calendar_events, year_view
from guanjia.workdays.services import (
    calendar_day_reset,
    calendar_day_set,
    calendar_notice_import,
    calendar_year_confirm,
)
from guanjia.workdays.statutory import statutory_days

#: Column headers of the month grids, Monday first as Chinese calendars print them.
WEEKDAYS = [
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_manage_master_data(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _page_year(raw: Any) -> tuple[int, str]:
    """The year asked for, or this year and an error message when the value is not a usable year."""
    this_year = timezone.localdate().year
    if raw in (None, ""):
        return this_year, ""
    form = YearForm({"year": raw})
    if form.is_valid():
        return form.cleaned_data["year"], ""
    return this_year, " ".join(str(e) for e in form.errors["year"])


def _published(year: int) -> bool:
    return CalendarYear.objects.filter(year=year, status=YearStatus.PUBLISHED).exists()


def _year_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


def _render(
    request: HttpRequest,
    year: int,
    *,
    day_form: DayForm,
    year_error: str = "",
    status: int = 200,
    notice_form: NoticeForm | None = None,
    notice_preview: list[NoticeDay] | None = None,
) -> HttpResponse:
    view = year_view(year)
    context = {
        "view": view,
        "year": year,
        "prev_year": year - 1 if year > 1 else None,
        "next_year": year + 1 if year < 9999 else None,
        "weekdays": WEEKDAYS,
        "day_form": day_form,
        "year_error": year_error,
        "events": recent_calendar_events(),
        "notice_form": notice_form or NoticeForm(initial={"year": year}),
        "notice_preview": notice_preview,
    }
    return render(request, "workdays/calendar.html", context, status=status)


def _initial_for(raw_date: str | None) -> dict[str, Any]:
    form = DayForm({"date": raw_date or "", "action": DayAction.HOLIDAY})
    if not raw_date or not form.is_valid():
        return {}
    day = form.cleaned_data["date"]
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        computed = statutory_days(day.year).get(day)
        if computed and not _published(day.year):  # a statutory day: the usual change is to make it worked
            return {"date": day, "action": DayAction.WORKDAY, "name": computed}
        return {"date": day, "action": DayAction.HOLIDAY if day.weekday() < 5 else DayAction.WORKDAY}
    return {"date": day, "action": DayAction.WORKDAY if row.is_workday else DayAction.HOLIDAY, "name": row.name}


@manager_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    year, year_error = _page_year(request.GET.get("year"))
    day_form = DayForm(initial=_initial_for(request.GET.get("date")))
    return _render(request, year, day_form=day_form, year_error=year_error)


@manager_required
@require_POST
def day_edit(request: HttpRequest) -> HttpResponse:
    form = DayForm(request.POST)
    year, _error = _page_year(request.POST.get("year"))
    if form.is_valid():
        day: date = form.cleaned_data["date"]
        action = form.cleaned_data["action"]
        try:
            if action == DayAction.RESET:
                restored = calendar_day_reset(day=day, actor=request.user)
                computed = statutory_days(day.year).get(day)
                if restored is None and computed and not _published(day.year):
                    messages.success(
                        request, _("%(date)s已恢复为法定节假日（自动计算）：%(name)s") % {"date": day, "name": computed}
                    )
                elif restored is None:
                    messages.success(request, _("%(date)s已恢复为默认（周一至周五上班）") % {"date": day})
                else:
                    messages.success(
                        request, _("%(date)s已恢复为官方安排：%(name)s") % {"date": day, "name": restored.name}
                    )
            else:
                row = calendar_day_set(
                    day=day, is_workday=action == DayAction.WORKDAY, name=form.cleaned_data["name"], actor=request.user
                )
                kind = _("上班") if row.is_workday else _("休息")
                messages.success(
                    request, _("%(date)s已设为%(kind)s：%(name)s") % {"date": day, "kind": kind, "name": row.name}
                )
            return redirect(_year_url(day.year))
        except ValidationError as exc:
            apply_errors(form, exc)
        year = day.year
    return _render(request, year, day_form=form, status=400)


@manager_required
@require_POST
def year_confirm(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.POST)
    if not form.is_valid():
        year, _error = _page_year(None)
        return _render(
            request, year, day_form=DayForm(), year_error=" ".join(str(e) for e in form.errors["year"]), status=400
        )
    year = form.cleaned_data["year"]
    try:
        calendar_year_confirm(year=year, actor=request.user)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(year)s年的节假日安排已确认") % {"year": year})
    return redirect(_year_url(year))


@manager_required
@require_POST
def notice_import(request: HttpRequest) -> HttpResponse:
    """Paste the State Council's notice: "预览" shows the days read from it, "保存" enters them and confirms."""
    form = NoticeForm(request.POST)
    page_year, _error = _page_year(request.POST.get("year"))
    if form.is_valid():
        year: int = form.cleaned_data["year"]
        page_year = year
        try:
            if "preview" in request.POST:
                preview = parse_notice(form.cleaned_data["text"], year)
                return _render(request, year, day_form=DayForm(), notice_form=form, notice_preview=preview)
            rows = calendar_notice_import(year=year, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            holidays = sum(not row.is_workday for row in rows)
            messages.success(
                request,
                _("%(year)s年的安排已按国务院通知录入并确认：休息%(holidays)s天，调休上班%(workdays)s天")
                % {"year": year, "holidays": holidays, "workdays": len(rows) - holidays},
            )
            return redirect(_year_url(year))
    return _render(request, page_year, day_form=DayForm(), notice_form=form, status=400)
