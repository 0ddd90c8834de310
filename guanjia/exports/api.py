"""The flows as spreadsheets under /api/v1/exports/ (API.md): complaints.xlsx, repairs.xlsx,
return-visits.xlsx (and ledgers.xlsx), ``?project=&month=`` or ``&from=&to=``. One row per case, Chinese
headers, phones masked. Mounted by ``guanjia/exports/api_urls.py`` (plain paths, not the router)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from guanjia.accounts.access import can_export
from guanjia.exports import selectors, services
from guanjia.exports.selectors import ExportRequest, ParamError
from guanjia.exports.views import export_filename, file_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARAMETERS = [
    OpenApiParameter("project", int, description="项目 id；只有一个可访问项目时可省略"),
    OpenApiParameter("month", str, description="YYYY-MM（与 from/to 二选一；都不填为本月）"),
    OpenApiParameter("from", str, description="起始日期 YYYY-MM-DD（含）"),
    OpenApiParameter("to", str, description="截止日期 YYYY-MM-DD（含）"),
]


class ExportView(APIView):
    """Base: parse and check the parameters, write the workbook to a temporary file, stream it."""

    kind = ""

    @extend_schema(
        parameters=PARAMETERS,
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿，每行一件，中文表头"),
            400: OpenApiResponse(description="参数错误：{字段: [说明]}"),
            403: OpenApiResponse(description="仅管理处经理、客服主管与总经理可导出"),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if not can_export(request.user):
            raise PermissionDenied()
        try:
            export = ExportRequest(
                project=selectors.parse_project(request.user, request.query_params.get("project")),
                kind=self.kind,
                period=selectors.parse_period(request.query_params),
            )
        except ParamError as error:
            raise ValidationError({error.field: [error.message]}) from None
        try:
            path, _rows = services.export_direct(user=request.user, request=export)
        except PermissionError:
            raise PermissionDenied() from None
        return file_response(path, export_filename(export))


class ComplaintsExport(ExportView):
    kind = "complaints"


class RepairsExport(ExportView):
    kind = "repairs"


class ReturnVisitsExport(ExportView):
    kind = "return_visits"


class LedgersExport(ExportView):
    kind = "ledgers"
