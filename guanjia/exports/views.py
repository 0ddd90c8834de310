"""Pages: export a flow (small at once, large as a job with a progress bar), the kept monthly exports (S03),
the retention purge with its dry run (S06), and the supervisor's summaries and reviews (S07)."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanjia.accounts.access import can_export, can_purge_records
from guanjia.cases.files import stream_stored
from guanjia.core.periods import Period
from guanjia.exports import retention as purging
from guanjia.exports import selectors, services
from guanjia.exports.models import ExportKind, JobStatus, RetentionKind
from guanjia.exports.selectors import DIRECT_MAX_ROWS, ExportRequest, ParamError


def file_response(path: str, filename: str) -> FileResponse:
    """Stream the file at ``path``; it is unlinked at once (the open handle keeps it readable until sent)."""
    stream = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    os.unlink(path)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_filename(request: ExportRequest) -> str:
    label = str(ExportKind(request.kind).label)
    return f"{request.project.name}_{label}_{request.period.start:%Y%m%d}-{request.period.end:%Y%m%d}.xlsx"


def _project(request: HttpRequest) -> Any:
    project = getattr(request, "project", None)
    if project is None:
        raise Http404
    return project


def _require_exporter(request: HttpRequest) -> None:
    if not can_export(request.user):
        raise PermissionDenied


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require_exporter(request)
    project = _project(request)
    today = timezone.localdate()
    return render(
        request,
        "exports/home.html",
        {
            "project": project,
            "kinds": ExportKind.choices,
            "this_month": f"{today:%Y-%m}",
            "last_month": f"{Period.month_of(today).previous_month().start:%Y-%m}",
            "jobs": selectors.export_jobs(user=request.user, project=project),
            "direct_max": DIRECT_MAX_ROWS,
        },
    )


def _export_request(request: HttpRequest, data: Any) -> ExportRequest:
    return ExportRequest(
        project=selectors.parse_project(request.user, data.get("project")),
        kind=selectors.parse_kind(data.get("kind")),
        period=selectors.parse_period(data),
    )


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponseBase:
    """A small export downloads at once; a large one becomes a job whose progress the page polls."""
    _require_exporter(request)
    try:
        export = _export_request(request, request.POST)
    except ParamError as error:
        return JsonResponse({error.field: [error.message]}, status=400)
    try:
        if selectors.export_row_count(export) <= DIRECT_MAX_ROWS:
            path, _rows = services.export_direct(user=request.user, request=export)
            return file_response(path, export_filename(export))
        job = services.export_job_start(user=request.user, request=export)
    except PermissionError:
        raise PermissionDenied from None
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "exports/_job.html", {"job": job})
    messages.info(request, _("导出较大，已在后台进行，请稍候在下方下载。"))
    return redirect("exports:home")


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's row with its progress bar; htmx polls it until it is done."""
    _require_exporter(request)
    return render(request, "exports/_job.html", {"job": selectors.export_job_get(user=request.user, pk=pk)})


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    _require_exporter(request)
    export_job = selectors.export_job_get(user=request.user, pk=pk)
    if export_job.status != JobStatus.DONE:
        raise Http404
    return stream_stored(
        export_job.file,
        as_attachment=True,
        filename=f"{export_job.project.name}_{export_job.filename}",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        cache="private, no-store",
    )


@login_required
@require_POST
def keep_month(request: HttpRequest) -> HttpResponse:
    """S03 on demand: queue last month's kept complaint and repair exports now (the 1st-of-month job does it
    too); the files are made in the background, the page shows their progress."""
    _require_exporter(request)
    project = _project(request)
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        queued = services.monthly_export_request(
            user=request.user,
            project=project,
            month=Period.month_of(today).previous_month(),
            now=now,
        )
    except PermissionError:
        raise PermissionDenied from None
    if queued:
        messages.success(request, _("上月存档已开始在后台导出，完成后可在下方下载。"))
    else:
        messages.info(request, _("上月导出已保存或正在导出，无需重复操作。"))
    return redirect("exports:home")


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    """S06: a dry run shows what would go; deleting needs the dry run's numbers confirmed and a reason."""
    project = _project(request)
    if not can_purge_records(request.user, project):
        raise PermissionDenied
    today = timezone.localdate()
    policy = [
        (value, label, purging.retention_days(value), purging.retention_oldest_allowed(value, today))
        for value, label in RetentionKind.choices
    ]
    context: dict[str, Any] = {"project": project, "policy": policy, "kinds": RetentionKind.choices}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("kind", "before", "reason", "confirm")}
        context["form"] = form
        try:
            before = _parse_before(form["before"])
            result = purging.retention_purge(
                project=project,
                kind=form["kind"],
                before=before,
                actor=request.user,
                reason=form["reason"],
                dry_run=form["confirm"] != "1",
            )
        except services.ExportError as error:
            context["error"] = {"field": error.field, "message": error.message}
            status = 400
        except PermissionError:
            raise PermissionDenied from None
        else:
            if result.dry_run:
                context["dry_run"] = result
            else:
                messages.success(request, _("已删除 %(n)s 条到期记录，并已留档。") % {"n": result.total})
                return redirect("exports:retention")
    context["purges"] = selectors.purges(user=request.user, project=project)
    return render(request, "exports/retention.html", context, status=status)


def _parse_before(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise services.ExportError(_("日期格式应为 YYYY-MM-DD"), "before") from None


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest) -> HttpResponse:
    """S07: the supervisor's monthly summaries and yearly reviews of the follow-up work."""
    _require_exporter(request)
    project = _project(request)
    today = timezone.localdate()
    context: dict[str, Any] = {"project": project, "year": today.year, "months": range(1, 13)}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("year", "month", "text")}
        context["form"] = form
        try:
            year = _int(form["year"], "year")
            month = _int(form["month"], "month") if form["month"] else None
            services.review_write(project=project, year=year, month=month, text=form["text"], actor=request.user)
        except services.ExportError as error:
            context["error"] = {"field": error.field, "message": error.message}
            status = 400
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("总结已保存。"))
            return redirect("exports:reviews")
    context["figures"] = selectors.followup_figures(project=project, year=today.year)
    context["reviews"] = selectors.reviews(user=request.user, project=project)
    return render(request, "exports/reviews.html", context, status=status)


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise services.ExportError(_("请填写数字"), field) from None
