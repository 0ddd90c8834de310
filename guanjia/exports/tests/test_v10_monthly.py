"""V10: visit records are exported with the kept monthly export by the 10th of the next month; a month not
kept by the start of that day is reminded to the CS supervisor and the office manager, exactly once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from guanjia.exports.models import ExportJob, JobStatus
from guanjia.exports.services import MONTHLY_KINDS, monthly_exports_keep, monthly_exports_remind
from guanjia.notifications.models import Notification
from guanjia.repairs.models import Repair
from guanjia.timeline.models import Event
from guanjia.visits.services import return_visit_plan

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = date(2026, 11, 1)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def inline_jobs(monkeypatch):
    from guanjia.exports import services

    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))


def kept(project, *kinds: str, status: str = JobStatus.DONE) -> None:
    for kind in kinds:
        ExportJob.objects.create(
            project=project,
            kind=kind,
            purpose="monthly",
            period_start=NOVEMBER,
            period_end=date(2026, 11, 30),
            status=status,
        )


def late(user) -> int:
    return Notification.objects.filter(kind="export.monthly_late", recipient=user).count()


def test_v10_kept_monthly_export_includes_the_return_visit_records(
    world, inline_jobs, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(at(11, 4, 16), tick=False)
    repair = Repair.objects.create(
        project=world.estate,
        number="BX2611040001",
        unit=world.unit,
        customer=world.customer,
        received_at=at(11, 4, 9),
        registered_by=world.front_desk,
        description="漏水",
    )
    return_visit_plan(case=repair, case_type="repair", completed_at=at(11, 4, 15), actor=None)
    time_machine.move_to(at(12, 1, 0, 5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_exports_keep(now=at(12, 1, 0, 5)) == 6  # two projects × complaints, repairs, visits
    job = ExportJob.objects.get(project=world.estate, purpose="monthly", kind="return_visits")
    assert (job.status, job.period_start, job.rows_done) == (JobStatus.DONE, NOVEMBER, 1)
    book = load_workbook(job.file.open("rb"), read_only=True)
    assert "BX2611040001" in [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]


def test_v10_a_missed_first_is_caught_up_until_the_10th(world):
    assert monthly_exports_keep(now=at(12, 10, 0, 0)) == 0  # from the start of the 10th: reminded instead
    assert monthly_exports_keep(now=at(12, 9, 23, 59)) == 6  # the 1st was missed: kept before the 10th
    assert monthly_exports_keep(now=at(12, 9, 23, 59)) == 0  # idempotent
    assert set(ExportJob.objects.filter(project=world.estate).values_list("kind", flat=True)) == set(MONTHLY_KINDS)


def test_v10_month_not_kept_by_the_10th_reminds_supervisor_and_office_manager_exactly_once(world):
    kept(world.other_estate, *MONTHLY_KINDS)
    kept(world.estate, "complaints", "repairs")
    kept(world.estate, "return_visits", status=JobStatus.FAILED)
    assert monthly_exports_remind(now=at(12, 9, 23, 59)) == 0  # not yet due
    assert monthly_exports_remind(now=at(12, 10, 0, 0)) == 1  # the start of the 10th: the estate's visits
    assert monthly_exports_remind(now=at(12, 10, 8, 0)) == 0
    assert monthly_exports_remind(now=at(12, 20, 8, 0)) == 0
    assert (late(world.supervisor), late(world.office_manager)) == (1, 1)
    assert late(world.front_desk) == late(world.general_manager) == 0
    event = Event.objects.get(verb="export.monthly_late")
    assert (event.project, event.data["month"], event.data["kinds"]) == (world.estate, "2026-11", ["return_visits"])


def test_v10_month_kept_in_time_is_not_reminded(world):
    kept(world.estate, *MONTHLY_KINDS)
    kept(world.other_estate, *MONTHLY_KINDS)
    assert monthly_exports_remind(now=at(12, 10, 0, 0)) == 0
    assert not Notification.objects.filter(kind="export.monthly_late").exists()


def test_v10_export_day_is_policy_data_overridable_per_project(world):
    from guanjia.policy.services import policy_set

    kept(world.other_estate, *MONTHLY_KINDS)
    policy_set(
        company=world.company,
        project=world.estate,
        key="visit.records_export_day",
        value=5,
        actor=world.general_manager,
    )
    assert monthly_exports_keep(now=at(12, 5, 0, 0)) == 0  # the estate's window closed; 翠湖苑 already kept
    assert monthly_exports_remind(now=at(12, 4, 23, 59)) == 0
    assert monthly_exports_remind(now=at(12, 5, 0, 0)) == 1
    assert late(world.supervisor) == 1


def test_v10_reminder_is_a_registered_periodic_job(world):
    from guanjia.cases.periodic import _jobs

    assert {"monthly_exports", "monthly_exports_remind"} <= set(_jobs)
