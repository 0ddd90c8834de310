"""``reports/monthly`` (API.md): the month's figures (S01, S05) and the month-end lists (S02) as JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.api.router import router
from guanjia.reports.selectors import (
    LIST_NAMES,
    month_end_page,
    monthly_figures,
    report_for,
    report_month,
    report_scope,
)


def _report_status(report: Any) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "analysis": report.analysis,
        "sent_at": timezone.localtime(report.sent_at).isoformat() if report.sent_at else None,
        "sent_by": report.sent_by.display_name if report.sent_by else None,
        "recipients": report.recipients,
        "due_date": report.due_date.isoformat(),
    }


class ReportViewSet(viewsets.ViewSet):
    """Reports of the customer-service desk. Company-wide staff may leave out ``project`` for the company."""

    @extend_schema(
        parameters=[
            OpenApiParameter("project", OpenApiTypes.INT, description="项目 ID；省略为全公司（仅公司级人员）"),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM；省略为本月"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="monthly")
    def monthly(self, request: Request) -> Response:
        """S01, S02, S05: complaints, repairs, return visits and household visits of the month, the rates
        against their targets, and the month-end lists. 400 names a bad ``month`` or ``project``."""
        month = report_month(request.query_params.get("month"))
        scope = report_scope(request.user, request.query_params.get("project"))
        body = monthly_figures(projects=scope.projects, month=month)
        body["lists"] = {}
        for name in LIST_NAMES:
            page = month_end_page(name, projects=scope.projects, month=month)
            body[name] = page.pop("results")
            body["lists"][name] = _with_links(request, page, scope.project)
        body["project"] = scope.project.pk if scope.project is not None else None
        body["report"] = _report_status(report_for(scope, month))
        return Response(body)

    @extend_schema(
        parameters=[
            OpenApiParameter("project", OpenApiTypes.INT, description="项目 ID；省略为全公司（仅公司级人员）"),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM；省略为本月"),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码，从 1 开始"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path=r"monthly/lists/(?P<name>[a-z_]+)")
    def monthly_list(self, request: Request, name: str) -> Response:
        """S02: one page of a month-end list (repeat_complaints, repeat_repairs, unsatisfied_visits): ``count``,
        ``page``, ``pages``, ``next``/``previous`` and the page's ``results``. 404 for an unknown list."""
        if name not in LIST_NAMES:
            raise NotFound()
        month = report_month(request.query_params.get("month"))
        scope = report_scope(request.user, request.query_params.get("project"))
        page = _page_number(request.query_params.get("page"))
        body = month_end_page(name, projects=scope.projects, month=month, page=page)
        return Response(_with_links(request, body, scope.project))


def _page_number(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    try:
        page = int(str(raw))
    except ValueError:
        page = 0
    if page < 1:
        raise ValidationError({"page": [_("页码应为正整数。")]})
    return page


def _with_links(request: Request, page: dict[str, Any], project: Any) -> dict[str, Any]:
    """``url`` of the list's first page, ``next`` and ``previous`` pages (None at either end)."""
    params = {"project": project.pk if project is not None else "", "month": request.query_params.get("month", "")}
    base = request.build_absolute_uri(f"/api/v1/reports/monthly/lists/{page['name']}")

    def at(number: int) -> str:
        return f"{base}?{urlencode({**params, 'page': number})}"

    page["url"] = at(1)
    page["next"] = at(page["page"] + 1) if page["page"] < page["pages"] else None
    page["previous"] = at(page["page"] - 1) if page["page"] > 1 else None
    return page


router.register("reports", ReportViewSet, basename="reports")
