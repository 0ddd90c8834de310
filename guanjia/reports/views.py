"""Report pages: the monthly report (S01, S02, S05) with its charts, analysis and sending, printable on A4;
the supervisor's daily summary of complaints (S04). Views are thin: figures come from the selectors, writes
from the services; every scope goes through ``report_scope`` (O04)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import can_send_report, can_view_company_reports, visible_projects
from guanjia.cases.models import Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Nature
from guanjia.core.periods import add_months
from guanjia.core.web import post_action
from guanjia.reports import services
from guanjia.reports.models import report_due_date
from guanjia.reports.selectors import (
    LIST_NAMES,
    RATE_LABELS,
    ReportScope,
    daily_summary,
    frozen_page,
    month_end_page,
    monthly_figures,
    report_for,
    report_month,
    report_scope,
    trend,
)

#: The order of the KPI tiles (S05).
RATE_ORDER = (
    "response",
    "resolution",
    "complaint_handling",
    "repair_timeliness",
    "return_visit",
    "household_coverage",
    "handling",
    "satisfaction",
)


def _scope(request: HttpRequest, raw: str | None) -> ReportScope:
    """The page's scope: ``?project=`` (an id, or "company"), else the current project. A project the user
    cannot see is a 404; a role that reads no reports, or project staff asking for the company, a 403."""
    if raw is None or raw == "":
        current = getattr(request, "project", None)
        raw = str(current.pk) if current is not None else "company"
    try:
        return report_scope(request.user, raw)
    except ValidationError:
        raise Http404 from None


def _month(request: HttpRequest, raw: str | None) -> date:
    try:
        return report_month(raw)
    except ValidationError as exc:
        messages.error(request, exc.message_dict["month"][0])
        return report_month(None)


def _labelled(counts: dict[str, int], choices: Any) -> list[dict[str, Any]]:
    labels = dict(choices)
    return [{"key": key, "label": str(labels.get(key, key)), "count": n} for key, n in counts.items()]


def _rate_tiles(rates: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    tiles = []
    for key in RATE_ORDER:
        rate = dict(rates[key])
        rate["key"], rate["label"] = key, str(RATE_LABELS[key])
        rate["is_share"] = key != "satisfaction"
        if rate["is_share"] and rate["value"] is not None:
            rate["percent"] = round(rate["value"] * 100, 1)
        rate["target_percent"] = round(rate["target"] * 100) if rate["is_share"] else None
        tiles.append(rate)
    return tiles


def _page_url(scope: ReportScope, month: date) -> str:
    project = scope.project.pk if scope.project is not None else "company"
    return f"{reverse('reports:monthly')}?project={project}&month={month:%Y-%m}"


def _list_page(request: HttpRequest, name: str) -> int:
    """The page of month-end list ``name`` shown (``?<name>_page=``); anything but a positive number is 1."""
    raw = request.GET.get(f"{name}_page", "")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def _list_url(request: HttpRequest, page_url: str, name: str, page: int) -> str:
    """The report with list ``name`` at ``page``, the other lists where they are."""
    others = "".join(
        f"&{other}_page={_list_page(request, other)}"
        for other in LIST_NAMES
        if other != name and _list_page(request, other) > 1
    )
    return f"{page_url}&{name}_page={page}{others}#list-{name}"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("reports:monthly")


@login_required
def monthly(request: HttpRequest) -> HttpResponse:
    """S01, S02, S05: the month at a glance — KPI tiles against targets, 12-month trends, breakdowns, the
    month-end lists with their cases, and the supervisor's analysis and sending. A sent report shows the
    figures as they were sent."""
    scope = _scope(request, request.GET.get("project"))
    month = _month(request, request.GET.get("month"))
    report = report_for(scope, month)
    page_url = _page_url(scope, month)
    if report is not None and report.sent_at is not None:
        figures = dict(report.figures)
        frozen = figures.pop("lists")
        pages = {name: frozen_page(name, frozen[name], _list_page(request, name)) for name in LIST_NAMES}
    else:
        figures = monthly_figures(projects=scope.projects, month=month)
        pages = {
            name: month_end_page(name, projects=scope.projects, month=month, page=_list_page(request, name))
            for name in LIST_NAMES
        }
    lists = {name: page.pop("results") for name, page in pages.items()}
    for name, page in pages.items():
        page["previous_url"] = _list_url(request, page_url, name, page["page"] - 1) if page["page"] > 1 else None
        page["next_url"] = (
            _list_url(request, page_url, name, page["page"] + 1) if page["page"] < page["pages"] else None
        )
    complaints = figures["complaints"]
    breakdowns = {
        "grade": _labelled(complaints["by_grade"], Grade.choices),
        "nature": _labelled(complaints["by_nature"], Nature.choices),
        "channel": _labelled(complaints["by_channel"], Channel.choices),
        "department": _labelled(complaints["by_department"], Department.choices),
    }
    chart_data = {
        "trend": trend(projects=scope.projects, month=month),
        "breakdowns": breakdowns,
        "labels": {
            "complaints": _("投诉"),
            "responded_in_time": _("按时响应"),
            "repairs": _("报修"),
            "repairs_on_time": _("维修及时"),
            "grade": _("按级别"),
            "channel": _("按方式"),
            "department": _("按被投诉部门"),
            "nature": _("按性质"),
        },
    }
    today = timezone.localdate()
    context = {
        "scope": scope,
        "month": month,
        "prev_month": add_months(month, -1),
        "next_month": add_months(month, 1) if month < today.replace(day=1) else None,
        "figures": figures,
        "tiles": _rate_tiles(figures["rates"]),
        "breakdowns": breakdowns,
        "lists": lists,
        "list_pages": pages,
        "chart_data": chart_data,
        "report": report,
        "due_date": report_due_date(month),
        "can_send": can_send_report(request.user, scope.project) and scope.company is not None,
        "projects": list(visible_projects(request.user).order_by("name")),
        "company_choice": can_view_company_reports(request.user),
        "page_url": page_url,
        "generated_at": timezone.now(),
    }
    return render(request, "reports/monthly.html", context)


@login_required
@require_POST
def monthly_submit(request: HttpRequest) -> HttpResponse:
    """Save the analysis (``action=save``) or send the report (``action=send``), then back to the page."""
    scope = _scope(request, request.POST.get("project"))
    month = _month(request, request.POST.get("month"))
    if not can_send_report(request.user, scope.project):
        raise PermissionDenied
    analysis = request.POST.get("analysis", "")

    def submit() -> str:
        if request.POST.get("action") == "send":
            services.monthly_report_send(scope=scope, month=month, actor=request.user, analysis=analysis)
            return _("报表已发送给客服主管和管理处经理。")
        services.monthly_report_save(scope=scope, month=month, analysis=analysis, actor=request.user)
        return _("分析说明已保存。")

    page = _page_url(scope, month)
    return post_action(request, submit, default=page, success=page, refused=page)


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    """S04: today's complaints for the supervisor's review: new, open by grade, overdue, due today."""
    scope = _scope(request, request.GET.get("project"))
    summary = daily_summary(projects=scope.projects)
    context = {
        "scope": scope,
        "summary": summary,
        "open_by_grade": _labelled(summary["open_by_grade"], Grade.choices),
        "projects": list(visible_projects(request.user).order_by("name")),
        "company_choice": can_view_company_reports(request.user),
    }
    return render(request, "reports/daily.html", context)
