"""Writes: spreadsheets of the case flows and the jobs that make them (S03), the kept monthly exports (S03),
the purge of records whose retention has ended (S06), and the supervisor's reviews (S07)."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Model, ProtectedError, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from guanjia.accounts.access import can_purge_records, can_see_project
from guanjia.cases.models import Deadline
from guanjia.complaints.models import Complaint, ComplaintStatus
from guanjia.estates.models import Project
from guanjia.exports.models import (
    ExportJob,
    ExportKind,
    JobPurpose,
    JobStatus,
    RetentionKind,
    RetentionPurge,
    YearlyReview,
)
from guanjia.exports.selectors import (
    CHUNK_SIZE,
    ExportRequest,
    Period,
    can_export,
    export_row_count,
    export_sheets,
    followup_figures,
    iter_rows,
)
from guanjia.frontdesk.models import CustodyItem, CustodyStatus, Visitor, VisitorPass
from guanjia.timeline.services import record
from guanjia.visits.models import HouseholdVisitCampaign, ReturnVisit, VisitStatus

logger = logging.getLogger(__name__)

#: Kinds kept every month (S03: "the complaint and repair flow … the monthly export is kept").
MONTHLY_KINDS = (ExportKind.COMPLAINTS, ExportKind.REPAIRS)


class ExportError(Exception):
    """A request that cannot be done: ``field`` names what is wrong (None for the request as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Spreadsheets ---------------------------------------------------------------------------------------------


def export_write(*, request: ExportRequest, path: str, progress: Callable[[int], None] | None = None) -> int:
    """Write the export to the file at ``path`` and return the number of rows (headers not counted).

    Rows stream from the database in chunks into openpyxl's write-only workbook, which keeps them in its
    own temporary files, so memory stays flat however many rows there are. Headers are Chinese (API.md),
    whatever the user's language.
    """
    written = 0
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        bold = Font(bold=True)
        for sheet in export_sheets(request):
            worksheet = workbook.create_sheet(sheet.title)
            for index, (_header, width) in enumerate(sheet.headers, start=1):
                worksheet.column_dimensions[get_column_letter(index)].width = width
            worksheet.freeze_panes = "A2"
            header_cells = []
            for header, _width in sheet.headers:
                cell = WriteOnlyCell(worksheet, value=header)
                cell.font = bold
                header_cells.append(cell)
            worksheet.append(header_cells)
            for row in iter_rows(sheet):
                worksheet.append(row)
                written += 1
                if progress is not None and written % CHUNK_SIZE == 0:
                    progress(written)
        workbook.save(path)
    if progress is not None:
        progress(written)
    return written


def export_tempfile(*, request: ExportRequest) -> tuple[str, int]:
    """The export written to a new temporary file: (path, rows). The caller removes the file."""
    handle, path = tempfile.mkstemp(prefix="guanjia-export-", suffix=".xlsx")
    os.close(handle)
    try:
        rows = export_write(request=request, path=path)
    except BaseException:
        os.unlink(path)
        raise
    return path, rows


def export_check(*, user: Any, request: ExportRequest) -> None:
    """Managers and the CS supervisor of the project export (S03). Raises PermissionError."""
    if not (can_export(user) and can_see_project(user, request.project)):
        raise PermissionError("may not export this project")


def export_direct(*, user: Any, request: ExportRequest) -> tuple[str, int]:
    """A small export written at once for download (the exporter is recorded on the project's timeline:
    the file carries customers' names)."""
    export_check(user=user, request=request)
    path, rows = export_tempfile(request=request)
    with transaction.atomic():
        record(
            subject=request.project,
            verb="export.downloaded",
            actor=user,
            project=request.project,
            data=_export_data(request, rows),
        )
    return path, rows


def _export_data(request: ExportRequest, rows: int) -> dict[str, Any]:
    return {
        "kind": request.kind,
        "from": request.period.start.isoformat(),
        "to": request.period.end.isoformat(),
        "rows": rows,
    }


# --- Jobs (long exports with progress) ------------------------------------------------------------------------


def export_job_start(*, user: Any, request: ExportRequest) -> ExportJob:
    """Queue a long export: a Celery task with Redis, a background thread on the embedded default. The page
    polls the job's progress."""
    export_check(user=user, request=request)
    total = export_row_count(request)
    with transaction.atomic():
        job = ExportJob.objects.create(
            project=request.project,
            kind=request.kind,
            period_start=request.period.start,
            period_end=request.period.end,
            rows_total=total,
            requested_by=user,
        )
        record(subject=job, verb="export.requested", actor=user, project=job.project, data=_export_data(request, total))
        transaction.on_commit(lambda: _start_background(job.pk))
    return job


def _start_background(job_id: int) -> None:
    if getattr(settings, "REDIS_URL", ""):
        from guanjia.exports.tasks import export_job_task

        export_job_task.delay(job_id)
        return
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"guanjia-export-{job_id}", daemon=True)
    thread.start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        export_job_run(job_id=job_id)
    finally:
        connection.close()


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run one queued (or failed) job; another worker that already claimed it wins and this returns None."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=(JobStatus.PENDING, JobStatus.FAILED)).update(
        status=JobStatus.RUNNING, rows_done=0, error=""
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    request = ExportRequest(job.project, job.kind, Period(job.period_start, job.period_end))

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=max(done, job.rows_total))

    handle, path = tempfile.mkstemp(prefix="guanjia-export-", suffix=".xlsx")
    os.close(handle)
    try:
        rows = export_write(request=request, path=path, progress=progress)
        with open(path, "rb") as stream, transaction.atomic():
            job.refresh_from_db()
            job.file.save(job.filename, File(stream), save=False)
            job.size_bytes = os.path.getsize(path)
            job.rows_done = job.rows_total = rows
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.save()
            record(subject=job, verb="export.finished", actor=None, project=job.project, data={"rows": rows})
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
    finally:
        os.unlink(path)
    job.refresh_from_db()
    return job


# --- S03: the kept monthly export -----------------------------------------------------------------------------


def monthly_exports_keep(
    *, now: datetime, force: bool = False, projects: QuerySet[Project] | None = None, actor: Any = None
) -> int:
    """On the 1st of a month (or on demand with ``force``), export the previous month's complaint and repair
    flows of every project and keep the files. Idempotent: a month already kept is not exported again, and
    two workers never export the same month twice (the unique monthly row and the claim in
    ``export_job_run``). Returns the number of files made now."""
    today = timezone.localtime(now).date()
    if today.day != 1 and not force:
        return 0
    period = Period.month(today.year, today.month).previous_month()
    made = 0
    for project in projects if projects is not None else Project.objects.all():
        for kind in MONTHLY_KINDS:
            job = _monthly_job(project, kind, period, actor)
            if job is not None and export_job_run(job_id=job.pk) is not None:
                made += 1
    return made


def _monthly_job(project: Project, kind: str, period: Period, actor: Any) -> ExportJob | None:
    """The month's kept-export row, created if missing; None when it is done or another worker has it."""
    existing = ExportJob.objects.filter(
        project=project, kind=kind, purpose=JobPurpose.MONTHLY, period_start=period.start
    ).first()
    if existing is not None:
        return existing if existing.status in (JobStatus.PENDING, JobStatus.FAILED) else None
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                project=project,
                kind=kind,
                purpose=JobPurpose.MONTHLY,
                period_start=period.start,
                period_end=period.end,
                requested_by=actor,
            )
            record(
                subject=job,
                verb="export.monthly_kept",
                actor=actor,
                project=project,
                data={"kind": kind, "month": f"{period.start:%Y-%m}"},
            )
    except IntegrityError:
        return None  # another worker created it a moment ago
    return job


def monthly_export_request(*, user: Any, project: Project, month: Period) -> int:
    """The page's "keep last month now": the office's managers make the kept files on demand."""
    if not (can_export(user) and can_see_project(user, project)):
        raise PermissionError("may not export this project")
    made = 0
    for kind in MONTHLY_KINDS:
        job = _monthly_job(project, kind, month, user)
        if job is not None and export_job_run(job_id=job.pk) is not None:
            made += 1
    return made


# --- S06: retention -------------------------------------------------------------------------------------------

#: Default retention in days; None means kept long-term (never purged). ``settings.RETENTION_DAYS`` may
#: override a kind, e.g. {"complaints": 3650} to allow purging complaint forms after ten years.
DEFAULT_RETENTION_DAYS: dict[str, int | None] = {
    RetentionKind.RETURN_VISITS: 730,  # S06, V10: visit records at least 2 years
    RetentionKind.LEDGERS: 730,
    RetentionKind.COMPLAINTS: None,  # S06: complaint forms long-term
}
#: Who may delete after retention: the office manager and the general manager (S06 "deliberate").
PURGE_BATCH = 1000


def retention_days(kind: str) -> int | None:
    """Days ``kind`` is kept; configuration may lengthen a retention or allow purging complaint forms, never
    shorten the rule's minimum."""
    default = DEFAULT_RETENTION_DAYS.get(kind)
    configured: dict[str, int | None] = getattr(settings, "RETENTION_DAYS", {})
    if kind not in configured:
        return default
    days = configured[kind]
    if days is None or default is None:
        return days
    return max(days, default)


def retention_oldest_allowed(kind: str, today: date) -> date | None:
    """The latest ``before`` date a purge of ``kind`` may use today; None when the kind is never purged."""
    days = retention_days(kind)
    return None if days is None else today - timedelta(days=days)


def _purge_targets(project: Project, kind: str, before: date) -> list[QuerySet[Any]]:
    before_at = timezone.make_aware(datetime.combine(before, time.min))
    if kind == RetentionKind.RETURN_VISITS:
        finished = (VisitStatus.DONE, VisitStatus.MISSED, VisitStatus.CANCELLED)
        return [
            ReturnVisit.objects.filter(project=project, status__in=finished)
            .annotate(ended=Coalesce("done_at", "due_at", "planned_at"))
            .filter(ended__lt=before_at),
            HouseholdVisitCampaign.objects.filter(project=project, end__lt=before),
        ]
    if kind == RetentionKind.LEDGERS:
        return [
            CustodyItem.objects.filter(project=project, received_at__lt=before_at).exclude(status=CustodyStatus.HELD),
            Visitor.objects.filter(project=project, arrived_at__lt=before_at),
            VisitorPass.objects.filter(project=project, valid_on__lt=before),
        ]
    closed = (ComplaintStatus.COMPLETED, ComplaintStatus.CLOSED)
    return [
        Complaint.objects.filter(project=project, status__in=closed).filter(
            Q(completed_at__lt=before_at) | Q(completed_at__isnull=True, received_at__lt=before_at)
        )
    ]


@dataclass(frozen=True)
class PurgeResult:
    counts: dict[str, int]
    dry_run: bool
    purge: RetentionPurge | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def retention_purge(
    *,
    project: Project,
    kind: str,
    before: date,
    actor: Any,
    reason: str,
    dry_run: bool = False,
    today: date | None = None,
) -> PurgeResult:
    """S06: delete ``kind`` records of ``project`` older than ``before``, deliberately and on the record.

    Refuses (ExportError naming the field) a date inside the retention period and complaint forms entirely
    unless a retention is configured for them; ``dry_run`` only counts. The deletion runs in batches in one
    transaction with its RetentionPurge row and timeline event, so it happens and is recorded, or neither.
    Raises PermissionError for anyone but the office manager or general manager of the project.
    """
    if not can_purge_records(actor, project):
        raise PermissionError("may not purge records")
    if kind not in RetentionKind.values:
        raise ExportError(_("未知记录类别"), "kind")
    today = today or timezone.localdate()
    latest = retention_oldest_allowed(kind, today)
    if latest is None:
        raise ExportError(_("投诉处理单长期保存，不能删除"), "kind")
    if before > latest:
        days = retention_days(kind)
        raise ExportError(
            _("保存期限为 %(days)s 天：只能删除 %(date)s 之前的记录") % {"days": days, "date": latest.isoformat()},
            "before",
        )
    reason = (reason or "").strip()
    if not dry_run and not reason:
        raise ExportError(_("请填写删除原因"), "reason")
    targets = _purge_targets(project, kind, before)
    if dry_run:
        return PurgeResult({_label(qs): qs.count() for qs in targets}, True, None)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for queryset in targets:
                counts[_label(queryset)] = _delete_in_batches(queryset)
            purge = RetentionPurge.objects.create(
                project=project,
                kind=kind,
                before=before,
                retention_days=retention_days(kind) or 0,
                counts=counts,
                reason=reason,
                actor=actor,
                at=timezone.now(),
            )
            record(
                subject=purge,
                verb="retention.purged",
                actor=actor,
                project=project,
                data={"kind": kind, "before": before.isoformat(), "counts": counts},
                reason=reason,
            )
    except ProtectedError:
        raise ExportError(_("部分记录仍被其他记录引用，未删除任何记录"), "kind") from None
    return PurgeResult(counts, False, purge)


def _label(queryset: QuerySet[Any]) -> str:
    meta = queryset.model._meta
    return f"{meta.app_label}.{meta.model_name}"


def _delete_in_batches(queryset: QuerySet[Any]) -> int:
    model: type[Model] = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return deleted
        # Time limits point at their subject generically (no foreign key to cascade): they go with it.
        Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids).delete()
        model._default_manager.filter(pk__in=ids).delete()
        deleted += len(ids)


# --- S07: monthly summary and yearly review of the follow-up work ---------------------------------------------


def review_write(*, project: Project, year: int, month: int | None, text: str, actor: Any) -> YearlyReview:
    """S07: the supervisor's monthly summary (``month`` 1–12) or yearly review (``month`` None), with the
    figures as they stand now. Writing again revises the text and the snapshot; both stay on the timeline."""
    if not (can_export(actor) and can_see_project(actor, project)):
        raise PermissionError("may not write reviews")
    text = (text or "").strip()
    if not text:
        raise ExportError(_("请填写总结内容"), "text")
    if len(text) > 20000:
        raise ExportError(_("总结内容过长"), "text")
    if not 2000 <= year <= 2100:
        raise ExportError(_("年度无效"), "year")
    if month is not None and not 1 <= month <= 12:
        raise ExportError(_("月份无效"), "month")
    figures = followup_figures(project=project, year=year, month=month)
    now = timezone.now()
    with transaction.atomic():
        review = YearlyReview.objects.select_for_update().filter(project=project, year=year, month=month).first()
        verb = "review.revised" if review else "review.written"
        if review is None:
            review = YearlyReview(project=project, year=year, month=month)
        review.text, review.figures, review.written_by, review.written_at = text, figures, actor, now
        review.save()
        record(
            subject=review,
            verb=verb,
            actor=actor,
            project=project,
            data={"year": year, "month": month, "figures": figures},
        )
    return review
