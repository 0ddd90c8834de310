"""Writes: spreadsheets of the case flows and the jobs that make them (S03), the kept monthly exports (S03) and
the supervisor's reviews (S07). The purge of records whose retention has ended (S06) is ``exports.retention``."""

from __future__ import annotations

import logging
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_export, can_see_project
from guanjia.accounts.models import Role
from guanjia.core.periods import Period
from guanjia.estates.models import Project
from guanjia.exports.models import (
    ExportJob,
    ExportKind,
    JobError,
    JobPurpose,
    JobStatus,
    YearlyReview,
)
from guanjia.exports.selectors import (
    CHUNK_SIZE,
    ExportRequest,
    export_row_count,
    export_sheets,
    followup_figures,
    iter_rows,
)
from guanjia.exports.xlsx import write_rows
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.policy.selectors import policies_for
from guanjia.timeline.models import Event
from guanjia.timeline.services import record

logger = logging.getLogger(__name__)

#: Kinds kept every month (S03: "the complaint and repair flow … the monthly export is kept"; V10: the visit
#: records are exported by the 10th of the next month and kept 2 years).
MONTHLY_KINDS = (ExportKind.COMPLAINTS, ExportKind.REPAIRS, ExportKind.RETURN_VISITS)
#: V10: who is reminded when a month's kept export is not done by the policy's day of the next month.
MONTHLY_REMIND_ROLES = (Role.CS_SUPERVISOR, Role.OFFICE_MANAGER)
MONTHLY_LATE_VERB = "export.monthly_late"


class ExportError(Exception):
    """A request that cannot be done: ``field`` names what is wrong (None for the request as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Spreadsheets ---------------------------------------------------------------------------------------------


def export_write(*, request: ExportRequest, path: str, progress: Callable[[int], None] | None = None) -> int:
    """Write the export to the file at ``path`` and return the number of rows (headers not counted).

    Rows stream from the database as plain values in chunks (``selectors.iter_rows``) straight into the
    deflated sheet XML (``exports.xlsx``), so memory stays flat however many rows there are; ``progress`` is
    told the rows written every CHUNK_SIZE rows and at the end. Headers are Chinese (API.md), whatever the
    user's language; no cell is ever a formula.
    """
    with translation.override("zh-hans"):
        sheets = [(sheet.title, sheet.headers, iter_rows(sheet)) for sheet in export_sheets(request)]
        written = write_rows(path, sheets, every=CHUNK_SIZE, progress=progress)
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

#: A pending job nobody has started this long after it was queued is queued again (the queue lost it: Redis
#: was down when it was queued, or the process holding it in memory ended).
REQUEUE_PENDING_AFTER = timedelta(minutes=2)
#: A running job that has shown no progress this long is taken as dead (its worker or process ended). A job
#: reports progress every CHUNK_SIZE rows and before saving its file, so a live one never gets near this.
STALE_RUNNING_AFTER = timedelta(minutes=5)
#: How many times a job is started before a dead one is marked failed instead of being tried again.
MAX_ATTEMPTS = 3
#: Background threads that run exports in one process without Redis: monthly exports of many projects queue
#: behind each other instead of all running at once.
EXPORT_THREADS = 2


class _TakenOver(Exception):
    """The job was given up as dead and handed to another run while this one was still writing."""


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
            heartbeat_at=timezone.now(),
        )
        record(subject=job, verb="export.requested", actor=user, project=job.project, data=_export_data(request, total))
        _queue_on_commit(job.pk)
    return job


# The Celery task (``guanjia.exports.tasks``) that runs one job in the worker.
RUN_JOB_TASK = "guanjia.exports.run_job"


def _queue_on_commit(job_id: int) -> None:
    transaction.on_commit(lambda: _start_background(job_id))


def _start_background(job_id: int) -> None:
    """Hand the job to the Celery worker (with Redis) or to this process's export threads. Never raises: a job
    that cannot be queued stays pending and the periodic recovery (``export_jobs_recover``) queues it again."""
    if getattr(settings, "REDIS_URL", ""):
        try:
            # Sent by name: the task module imports this one, not the other way round.
            current_app.send_task(
                RUN_JOB_TASK,
                args=(job_id,),
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
            )
        except Exception:
            logger.warning("export job %s not queued (is Redis down?): it stays pending and is retried", job_id)
        return
    _threads.submit(job_id)


class _ExportThreads:
    """At most EXPORT_THREADS daemon threads per process taking job ids from one in-memory queue. A job id
    already waiting is not queued twice; ids still waiting when the process ends are lost, and recovered."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.waiting: set[int] = set()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.busy = 0  # jobs waiting or running
        self.idle = threading.Condition(self.lock)

    def submit(self, job_id: int) -> None:
        with self.lock:
            if job_id in self.waiting:
                return
            self.waiting.add(job_id)
            self.busy += 1
            self.threads = [thread for thread in self.threads if thread.is_alive()]
            if len(self.threads) < EXPORT_THREADS:
                thread = threading.Thread(target=self.work, name="guanjia-export", daemon=True)
                self.threads.append(thread)
                thread.start()
        self.queue.put(job_id)

    def work(self) -> None:
        while True:
            job_id = self.queue.get()
            with self.lock:
                self.waiting.discard(job_id)
            try:
                _run_in_thread(job_id)
            except Exception:
                logger.exception("export job %s: the background thread failed", job_id)
            finally:
                with self.lock:
                    self.busy -= 1
                    self.idle.notify_all()

    def drain(self, timeout: float | None) -> int:
        """Wait until no job is waiting or running here (or ``timeout`` passed); returns how many still are."""
        with self.lock:
            self.idle.wait_for(lambda: self.busy == 0, timeout)
            return self.busy


_threads = _ExportThreads()


def background_exports_drain(timeout: float | None = None) -> int:
    """For a short-lived process (``manage.py sweeper --once``): wait for the exports this process runs in its
    threads to finish, so they are not cut off when it exits. Returns how many were still unfinished."""
    return _threads.drain(timeout)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        export_job_run(job_id=job_id)
    finally:
        connection.close()


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run one queued job; if another worker already claimed it (or it is finished) this returns None.

    Each start counts an attempt; progress refreshes ``heartbeat_at``. A run whose job was meanwhile given up
    as dead and handed to another run (``export_jobs_recover``) stops at its next progress report and saves
    nothing, so two runs never both write the file.
    """
    started = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, rows_done=0, error="", attempts=F("attempts") + 1, heartbeat_at=started
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    attempt = job.attempts
    mine = ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt)
    request = ExportRequest(job.project, job.kind, Period(job.period_start, job.period_end))

    def progress(done: int) -> None:
        if not mine.update(rows_done=done, rows_total=max(done, job.rows_total), heartbeat_at=timezone.now()):
            raise _TakenOver

    handle, path = tempfile.mkstemp(prefix="guanjia-export-", suffix=".xlsx")
    os.close(handle)
    try:
        rows = export_write(request=request, path=path, progress=progress)
        with open(path, "rb") as stream, transaction.atomic():
            current = mine.select_for_update().first()
            if current is None:
                raise _TakenOver
            job = current
            job.file.save(job.filename, File(stream), save=False)
            job.size_bytes = os.path.getsize(path)
            job.rows_done = job.rows_total = rows
            job.status = JobStatus.DONE
            job.finished_at = job.heartbeat_at = timezone.now()
            job.save()
            record(subject=job, verb="export.finished", actor=None, project=job.project, data={"rows": rows})
    except _TakenOver:
        logger.warning("export job %s attempt %s was given up as dead meanwhile: result dropped", job_id, attempt)
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        mine.update(status=JobStatus.FAILED, error=f"{JobError.CRASHED}: {error}"[:2000], finished_at=timezone.now())
    finally:
        os.unlink(path)
    job.refresh_from_db()
    return job


def export_jobs_recover(now: datetime) -> dict[str, int]:
    """Periodic: queue again the pending jobs the queue lost, and take running jobs without progress for
    STALE_RUNNING_AFTER as dead: back to pending (queued again) until MAX_ATTEMPTS starts, then failed with
    a message the page shows. Each change is a conditional update, so several sweepers never double it."""
    requeued = failed = 0
    lost = ExportJob.objects.filter(status=JobStatus.PENDING).filter(
        Q(heartbeat_at__lt=now - REQUEUE_PENDING_AFTER)
        | Q(heartbeat_at__isnull=True, created_at__lt=now - REQUEUE_PENDING_AFTER)
    )
    for pk, beat in list(lost.values_list("pk", "heartbeat_at")[:100]):
        if ExportJob.objects.filter(pk=pk, status=JobStatus.PENDING, heartbeat_at=beat).update(heartbeat_at=now):
            _queue_on_commit(pk)
            requeued += 1
    dead = ExportJob.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - STALE_RUNNING_AFTER) | Q(heartbeat_at__isnull=True)
    )
    for pk, attempts, beat in list(dead.values_list("pk", "attempts", "heartbeat_at")[:100]):
        same = ExportJob.objects.filter(pk=pk, status=JobStatus.RUNNING, attempts=attempts, heartbeat_at=beat)
        if attempts >= MAX_ATTEMPTS:
            error = f"{JobError.INTERRUPTED}: no progress since {beat} after {attempts} attempts"
            if same.update(status=JobStatus.FAILED, error=error, finished_at=now, heartbeat_at=now):
                logger.warning("export job %s given up after %s attempts", pk, attempts)
                failed += 1
        elif same.update(status=JobStatus.PENDING, rows_done=0, heartbeat_at=now):
            logger.warning("export job %s showed no progress since %s: queued again", pk, beat)
            _queue_on_commit(pk)
            requeued += 1
    return {"requeued": requeued, "failed": failed}


# --- S03: the kept monthly export -----------------------------------------------------------------------------


def monthly_exports_keep(
    *, now: datetime, force: bool = False, projects: QuerySet[Project] | None = None, actor: Any = None
) -> int:
    """From the 1st of a month until the policy's export day (V10: the 10th; on demand with ``force``), queue
    the export of the previous month's complaint and repair flows and visit records of every project, to be
    kept: a 1st the sweep missed is caught up before the day the export is due. Only the job rows are written
    here; the files are made in the background like any long export, so the sweep that calls this never waits
    behind an export. Idempotent: a month already kept (or queued) is not queued again, and two workers never
    export the same month twice (the unique monthly row and the claim in ``export_job_run``). Returns the
    number of jobs queued now."""
    today = timezone.localtime(now).date()
    period = Period.month_of(today).previous_month()
    candidates = list(projects if projects is not None else Project.objects.all())
    if not force:
        by_project, _companies = policies_for(candidates)
        candidates = [p for p in candidates if today.day < by_project[p.pk].records_export_day()]
    if not candidates:
        return 0
    kept = set(
        ExportJob.objects.filter(
            purpose=JobPurpose.MONTHLY, period_start=period.start, project__in=candidates
        ).values_list("project_id", "kind")
    )
    queued = 0
    for project in candidates:
        for kind in MONTHLY_KINDS:
            if (project.pk, kind) in kept:
                continue
            if _monthly_job(project, kind, period, actor, now=now) is not None:
                queued += 1
    return queued


def monthly_exports_remind(*, now: datetime) -> int:
    """V10: from the start of the policy's export day (the 10th) of a month, a project whose kept export of the
    previous month is not done (a kind missing, queued, running or failed) is flagged on its timeline and its
    CS supervisor and office manager are told, exactly once per project and month. Returns the number of
    projects reminded now."""
    today = timezone.localtime(now).date()
    period = Period.month_of(today).previous_month()
    month = f"{period.start:%Y-%m}"
    projects = list(Project.objects.all())
    by_project, _companies = policies_for(projects)
    due = [p for p in projects if today.day >= by_project[p.pk].records_export_day()]
    if not due:
        return 0
    done = set(
        ExportJob.objects.filter(
            purpose=JobPurpose.MONTHLY, period_start=period.start, status=JobStatus.DONE, project__in=due
        ).values_list("project_id", "kind")
    )
    flagged = set(
        Event.objects.filter(verb=MONTHLY_LATE_VERB, project__in=due, data__month=month).values_list(
            "project_id", flat=True
        )
    )
    reminded = 0
    for project in due:
        missing = [str(kind) for kind in MONTHLY_KINDS if (project.pk, kind) not in done]
        if not missing or project.pk in flagged:
            continue
        day = by_project[project.pk].records_export_day()
        with transaction.atomic():
            record(
                subject=project,
                verb=MONTHLY_LATE_VERB,
                actor=None,
                project=project,
                at=now,
                data={"month": month, "kinds": missing, "due_day": day},
            )
            notify(
                recipients=staff_with_roles(project, MONTHLY_REMIND_ROLES),
                kind=MONTHLY_LATE_VERB,
                title=_("%(project)s %(month)s 月度导出（含回访记录）未在 %(day)s 日前完成，请尽快导出保存 (V10)")
                % {"project": project.name, "month": month, "day": day},
                url=reverse("exports:home"),
                project=project,
                level=Level.WARNING,
                dedupe_key=f"export:monthly_late:{project.pk}:{month}",
            )
        reminded += 1
    return reminded


def _monthly_job(project: Project, kind: str, period: Period, actor: Any, *, now: datetime) -> ExportJob | None:
    """Create and queue the month's kept-export row if it is missing; None when it already exists (done, on
    its way, or created by another worker a moment ago)."""
    if ExportJob.objects.filter(
        project=project, kind=kind, purpose=JobPurpose.MONTHLY, period_start=period.start
    ).exists():
        return None
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                project=project,
                kind=kind,
                purpose=JobPurpose.MONTHLY,
                period_start=period.start,
                period_end=period.end,
                requested_by=actor,
                heartbeat_at=now,
            )
            record(
                subject=job,
                verb="export.monthly_kept",
                actor=actor,
                project=project,
                data={"kind": kind, "month": f"{period.start:%Y-%m}"},
            )
            _queue_on_commit(job.pk)
    except IntegrityError:
        return None  # another worker created it a moment ago
    return job


def monthly_export_request(*, user: Any, project: Project, month: Period, now: datetime) -> int:
    """The page's "keep last month now": the office's managers queue the kept files on demand; a kept export
    that failed is tried again. Returns the number of jobs queued (0: already kept or on its way)."""
    if not (can_export(user) and can_see_project(user, project)):
        raise PermissionError("may not export this project")
    queued = 0
    for kind in MONTHLY_KINDS:
        if _monthly_job(project, kind, month, user, now=now) is not None:
            queued += 1
            continue
        failed = ExportJob.objects.filter(
            project=project, kind=kind, purpose=JobPurpose.MONTHLY, period_start=month.start, status=JobStatus.FAILED
        ).first()
        if failed is not None and _retry(failed, now=now):
            queued += 1
    return queued


def _retry(job: ExportJob, *, now: datetime) -> bool:
    with transaction.atomic():
        if not ExportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.PENDING, attempts=0, rows_done=0, error="", finished_at=None, heartbeat_at=now
        ):
            return False
        _queue_on_commit(job.pk)
    return True


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
