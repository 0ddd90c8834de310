"""Export jobs survive a lost queue and a dead worker; the kept monthly export never runs inside the sweep or
the request. Time is passed in (``now``): nothing here depends on the day the suite runs."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.cases.periodic import run_periodic
from guanjia.complaints.services import complaint_register
from guanjia.exports import services, views
from guanjia.exports.models import ExportJob, JobStatus

DEAD_BROKER = "redis://127.0.0.1:1/13"  # nothing listens on port 1: a broker that is down


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def inline_jobs(monkeypatch):
    """Run queued jobs in the test's own thread and transaction (the test database is not shared)."""
    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))


@pytest.fixture
def broker_down(settings):
    """REDIS_URL is set but Redis does not answer: queueing a task fails."""
    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    settings.REDIS_URL = DEAD_BROKER
    app.conf.update(broker_url=DEAD_BROKER, task_always_eager=False)
    forget_broker_connections(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_broker_connections(app)


def forget_broker_connections(app) -> None:
    """Celery keeps the connection pool, producer pool and result backend it first made; a test that points it
    at another broker must drop them all, or the next test still talks to this one."""
    app._pool = None
    app.amqp._producer_pool = None
    vars(app._local).pop("backend", None)  # the result backend, made once per thread


def job_in(world, status: str, *, beat: datetime, attempts: int = 0, **kw) -> ExportJob:
    values = {
        "project": world.estate,
        "kind": "complaints",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 1, 31),
        "requested_by": world.supervisor,
        "status": status,
        "attempts": attempts,
        "heartbeat_at": beat,
        **kw,
    }
    return ExportJob.objects.create(**values)


def job_html(client, job: ExportJob) -> str:
    response = client.get(reverse("exports:job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- Queueing while Redis is down ---------------------------------------------------------------------------


def test_export_queued_while_redis_is_down_stays_pending_then_runs_when_requeued(
    world, web_as, monkeypatch, broker_down, django_capture_on_commit_callbacks, caplog
):
    register_last_month(world)
    monkeypatch.setattr(views, "DIRECT_MAX_ROWS", 0)
    client = web_as(world.supervisor)
    month = last_month_of(timezone.localdate())
    form = {"project": world.estate.pk, "kind": "complaints", "month": f"{month:%Y-%m}"}
    with (
        caplog.at_level(logging.WARNING, logger="guanjia.exports.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("exports:start"), form)
    assert response.status_code == 302  # not a 500
    job = ExportJob.objects.get()
    assert job.status == JobStatus.PENDING
    assert "not queued" in caplog.text
    assert 'hx-trigger="every 1s"' in job_html(client, job)  # the page keeps watching it

    # Redis is back (here: jobs run inline); the sweep finds the lost job and queues it again.
    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))
    queued_at = job.heartbeat_at
    assert run_periodic(queued_at + timedelta(minutes=1))["export_recovery"] == {"requeued": 0, "failed": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert run_periodic(queued_at + timedelta(minutes=3))["export_recovery"] == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.attempts) == (JobStatus.DONE, 1, 1)
    html = job_html(client, job)
    assert "下载" in html
    assert "hx-trigger" not in html  # done: the page stops polling


def register_last_month(world):
    month = last_month_of(timezone.localdate())
    return complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="phone",
        description="电梯停运",
        customer=world.customer,
        unit=world.unit,
        received_at=at(month.replace(day=10)),
    )


def last_month_of(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


# --- A worker that dies -------------------------------------------------------------------------------------


def test_running_job_without_progress_is_retried_then_failed_with_a_message(
    world, web_as, django_capture_on_commit_callbacks
):
    now = timezone.now()
    job = job_in(world, JobStatus.RUNNING, beat=now, attempts=1, rows_total=40_000, rows_done=10_000)
    client = web_as(world.supervisor)

    # Still within the time a live export may take between two progress reports: left alone.
    assert services.export_jobs_recover(now + timedelta(minutes=4)) == {"requeued": 0, "failed": 0}
    with django_capture_on_commit_callbacks() as queued:
        assert services.export_jobs_recover(now + timedelta(minutes=6)) == {"requeued": 1, "failed": 0}
    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_done) == (JobStatus.PENDING, 1, 0)

    # Its third start dies as well: no more tries, the page says why and stops polling.
    later = now + timedelta(minutes=30)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=3, heartbeat_at=later)
    with django_capture_on_commit_callbacks() as queued:
        assert services.export_jobs_recover(later + timedelta(minutes=6)) == {"requeued": 0, "failed": 1}
    assert queued == []
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    html = job_html(client, job)
    assert "导出失败" in html
    assert "后台导出多次中断" in html
    assert "hx-trigger" not in html


def test_a_job_that_raises_fails_at_once_with_a_readable_message(world, web_as, monkeypatch):
    def broken(**kwargs):
        raise ValueError("disk full")

    monkeypatch.setattr(services, "export_write", broken)
    job = job_in(world, JobStatus.PENDING, beat=timezone.now())
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "disk full" in job.error  # the detail stays for the operator
    html = job_html(web_as(world.supervisor), job)
    assert "导出出错，请重新导出" in html
    assert "disk full" not in html


def test_a_run_whose_job_was_handed_over_saves_nothing(world, monkeypatch):
    """The first worker was only slow: when it reports progress after its job was given up and handed to a
    second run, it stops, and the second run's file is the one kept."""
    job = job_in(world, JobStatus.PENDING, beat=timezone.now())

    def slow_then_taken_over(*, request, path, progress=None):
        # While this run "hangs", the sweep gives the job up and another run claims it.
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=2)
        progress(2000)
        raise AssertionError("progress should have stopped this run")

    monkeypatch.setattr(services, "export_write", slow_then_taken_over)
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (JobStatus.RUNNING, 2, "")


# --- The kept monthly export: queued by the sweep, run in the background ------------------------------------


def test_sweep_on_the_first_only_queues_the_monthly_exports_and_they_complete_when_run(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    register_last_month(world)
    first_of_month = at(timezone.localdate().replace(day=1), 0)
    with django_capture_on_commit_callbacks() as queued:
        result = run_periodic(first_of_month + timedelta(minutes=1))
    assert result["monthly_exports"] == 6  # two projects × complaints, repairs, visit records (V10)
    assert len(queued) == 6
    kept = ExportJob.objects.filter(purpose="monthly")
    assert {j.status for j in kept} == {JobStatus.PENDING}
    assert not any(j.file for j in kept)  # the sweep wrote no file: it did not wait for an export

    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))
    for callback in queued:
        callback()
    mine = ExportJob.objects.get(purpose="monthly", project=world.estate, kind="complaints")
    assert (mine.status, mine.rows_done) == (JobStatus.DONE, 1)
    assert mine.file
    assert {j.status for j in kept.all()} == {JobStatus.DONE}
    # Later rounds the same day queue nothing again.
    assert run_periodic(first_of_month + timedelta(hours=2))["monthly_exports"] == 0


def test_keep_month_now_queues_without_exporting_in_the_request_and_retries_a_failed_one(
    world, web_as, django_capture_on_commit_callbacks, inline_jobs
):
    client = web_as(world.supervisor)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("exports:keep_month"), follow=True)
    assert response.status_code == 200
    assert "上月存档已开始在后台导出" in response.content.decode()
    assert len(queued) == 3  # complaints, repairs, visit records (V10)
    kept = ExportJob.objects.filter(purpose="monthly", project=world.estate)
    assert {j.status for j in kept} == {JobStatus.PENDING}
    assert response.content.decode().count('hx-trigger="every 1s"') == 3  # the page shows them coming

    # One of them failed; asking again tries that one again, and only that one.
    failed = kept.get(kind="repairs")
    ExportJob.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, error="interrupted", attempts=3)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("exports:keep_month"))
    assert len(queued) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (JobStatus.DONE, 1)
