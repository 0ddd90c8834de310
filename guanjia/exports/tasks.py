"""Celery task of the exports (used when REDIS_URL is set; without it a thread runs the job)."""

from __future__ import annotations

from celery import shared_task

from guanjia.exports.services import RUN_JOB_TASK, export_job_run


@shared_task(name=RUN_JOB_TASK, ignore_result=True)
def export_job_task(job_id: int) -> None:
    export_job_run(job_id=job_id)
