"""The flows as spreadsheets under /api/v1/exports/ (API.md): complaints.xlsx, repairs.xlsx,
return-visits.xlsx (and ledgers.xlsx), ``?project=&month=`` or ``&from=&to=``. One row per case, Chinese
headers, phones masked. A small export answers the file at once; a large one (more rows than
``selectors.direct_max_rows()``) answers 202 with a job to poll at ``exports/jobs/{id}`` and download from
``exports/jobs/{id}/file`` when done. Mounted by ``guanjia/exports/api_urls.py`` (plain paths, not the router)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanjia.accounts.access import can_export
from guanjia.cases.files import stream_stored
from guanjia.exports import selectors, services
from guanjia.exports.models import ExportJob, JobStatus
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
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="导出较大，转为后台任务"),
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
            if selectors.export_row_count(export) > selectors.direct_max_rows():
                job = services.export_job_start(user=request.user, request=export)
                body = job_body(request, job)
                return Response(body, status=202, headers={"Location": body["url"]})
            path, _rows = services.export_direct(user=request.user, request=export)
        except PermissionError:
            raise PermissionDenied() from None
        return file_response(path, export_filename(export))


def job_body(request: Request, job: ExportJob) -> dict[str, Any]:
    """A job as the API shows it: ``url`` to poll, ``file`` to download once ``status`` is done."""
    done = job.status == JobStatus.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "url": request.build_absolute_uri(reverse("api-export-job", args=[job.pk])),
        "file": request.build_absolute_uri(reverse("api-export-job-file", args=[job.pk])) if done else None,
        "error": job.error_message or None,
    }


def _job(request: Request, pk: int) -> ExportJob:
    if not can_export(request.user):
        raise PermissionDenied()
    return selectors.export_job_get(user=request.user, pk=pk)


class ExportJobView(APIView):
    """``exports/jobs/{id}``: a background export's status and progress (0–100)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiResponse(description="无此导出或无权查看")})
    def get(self, request: Request, pk: int) -> Response:
        return Response(job_body(request, _job(request, pk)))


class ExportJobFileView(APIView):
    """``exports/jobs/{id}/file``: the finished spreadsheet (404 until the job is done)."""

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY), 404: OpenApiResponse()})
    def get(self, request: Request, pk: int) -> Any:
        job = _job(request, pk)
        if job.status != JobStatus.DONE:
            raise Http404
        return stream_stored(
            job.file,
            as_attachment=True,
            filename=f"{job.project.name}_{job.filename}",
            content_type=XLSX,
            cache="private, no-store",
        )


class ComplaintsExport(ExportView):
    kind = "complaints"


class RepairsExport(ExportView):
    kind = "repairs"


class ReturnVisitsExport(ExportView):
    kind = "return_visits"


class LedgersExport(ExportView):
    kind = "ledgers"
