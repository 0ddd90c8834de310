"""``reports/monthly`` (API.md): the month's figures (S01, S05) and the month-end lists (S02) as JSON."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.api.router import router
from guanjia.reports.selectors import month_end_lists, monthly_figures, report_for, report_month, report_scope


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
        body.update(month_end_lists(projects=scope.projects, month=month))
        body["project"] = scope.project.pk if scope.project is not None else None
        body["report"] = _report_status(report_for(scope, month))
        return Response(body)


router.register("reports", ReportViewSet, basename="reports")
