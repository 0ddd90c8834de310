"""S03: the complaint, repair and return-visit flows and the front desk's ledgers as spreadsheets, any period,
one row per case, Chinese headers, phones masked, scoped; streamed with flat memory; long exports as jobs
with progress; the monthly export kept."""

from __future__ import annotations

import io
import os
import tracemalloc
from datetime import date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanjia.accounts.models import Role
from guanjia.complaints.models import Complaint
from guanjia.complaints.services import complaint_register
from guanjia.frontdesk.models import CustodyItem
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_staff
from guanjia.timeline.models import Event
from guanjia.visits.models import ReturnVisit

from .bulk import bulk_complaints

URL = "/api/v1/exports/{}.xlsx"


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def last_month() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def workbook(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def sheet_rows(book, index: int = 0) -> list[tuple]:
    """Every row padded to the headers' width (a read-only workbook leaves trailing empty cells out)."""
    rows = [tuple(row) for row in book.worksheets[index].iter_rows(values_only=True)]
    width = len(rows[0]) if rows else 0
    return [row + (None,) * (width - len(row)) for row in rows]


def register(world, received_at: datetime, **kw):
    values = {"channel": "phone", "description": "电梯停运", "customer": world.customer, "unit": world.unit, **kw}
    return complaint_register(project=world.estate, actor=world.front_desk, received_at=received_at, **values)


@pytest.fixture
def month_of_cases(world):
    """Two complaints in last month at 滨江花园, one the month before, one at 翠湖苑 last month."""
    month = last_month()
    first = register(world, at(month.replace(day=3)))
    second = register(
        world, at(month.replace(day=20)), customer=None, customer_name="路人", contact_phone="13800001111"
    )
    register(world, at(month.replace(day=1) - timedelta(days=2)))
    complaint_register(
        project=world.other_estate,
        actor=make_staff(Role.FRONT_DESK, projects=(world.other_estate,), username="desk2"),
        channel="visit",
        description="噪音",
        customer=world.other_customer,
        received_at=at(month.replace(day=5)),
    )
    return month, [first, second]


def test_s03_complaints_export_one_row_per_case_with_chinese_headers(world, api_as, month_of_cases):
    month, complaints = month_of_cases
    response = api_as(world.supervisor).get(
        URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"}
    )
    rows = sheet_rows(workbook(response))
    headers = rows[0]
    for header in ("编号", "受理时间", "客户", "房号", "渠道", "被投诉部门", "级别", "性质", "状态", "响应期限",
                   "是否按时响应", "完成时间", "是否按时完成", "处理结果"):  # fmt: skip
        assert header in headers
    body = rows[1:]
    assert [r[0] for r in body] == [c.number for c in complaints]  # one row per case, in order received
    first = dict(zip(headers, body[0], strict=True))
    assert first["客户"] == "李明"
    assert first["房号"] == "3栋2单元1201"
    assert first["渠道"] == "电话"
    assert first["受理时间"] == at(month.replace(day=3)).astimezone(timezone.get_current_timezone()).replace(
        tzinfo=None
    )
    assert first["响应期限"] is not None
    assert first["是否按时响应"] == "否"  # entered after the fact: the response limit had long passed


def test_s03_phones_are_masked_in_exports(world, api_as, month_of_cases):
    month, _complaints = month_of_cases
    response = api_as(world.office_manager).get(
        URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"}
    )
    rows = sheet_rows(workbook(response))
    phones = [dict(zip(rows[0], r, strict=True))["联系电话"] for r in rows[1:]]
    assert phones == ["139****5678", "138****1111"]
    everything = repr(rows)
    assert "13912345678" not in everything and "13800001111" not in everything


def test_s03_from_to_period_includes_both_days(world, api_as, month_of_cases):
    month, complaints = month_of_cases
    params = {
        "project": world.estate.pk,
        "from": f"{month.replace(day=3):%Y-%m-%d}",
        "to": f"{month.replace(day=3):%Y-%m-%d}",
    }
    rows = sheet_rows(workbook(api_as(world.supervisor).get(URL.format("complaints"), params)))
    assert [r[0] for r in rows[1:]] == [complaints[0].number]


def test_s03_repairs_export(world, api_as):
    month = last_month()
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(
            description="厨房水龙头漏水", unit=world.unit, customer=world.customer, received_at=at(month.replace(day=9))
        ),
        actor=world.front_desk,
    )
    rows = sheet_rows(
        workbook(
            api_as(world.supervisor).get(URL.format("repairs"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
        )
    )
    for header in (
        "编号",
        "报修时间",
        "房号",
        "项目",
        "收费(元)",
        "技工",
        "接单时间",
        "到场时间",
        "完成时间",
        "是否及时",
    ):
        assert header in rows[0]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["编号"] == repair.number
    assert row["项目"] == "非标准项目"
    assert row["联系电话"] == "139****5678"


def test_s03_return_visits_export(world, api_as, month_of_cases):
    month, complaints = month_of_cases
    ReturnVisit.objects.create(
        project=world.estate,
        case_type="complaint",
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=complaints[0].pk,
        due_at=at(month.replace(day=10), 18),
        visitor_role=Role.CS_SUPERVISOR,
        planned_at=at(month.replace(day=5)),
        status="done",
        method="phone",
        visitor=world.supervisor,
        done_at=at(month.replace(day=8)),
        satisfaction=2,
        unsatisfied=True,
        customer=world.customer,
        unit=world.unit,
    )
    rows = sheet_rows(
        workbook(
            api_as(world.supervisor).get(
                URL.format("return-visits"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"}
            )
        )
    )
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["类别"] == "投诉"
    assert row["案件编号"] == complaints[0].number
    assert row["回访人"] == "周主管"
    assert row["方式"] == "电话回访"
    assert row["满意度"] == "不满意"
    assert row["是否满意"] == "否"
    assert row["是否按时"] == "是"


def test_s03_ledgers_export_has_custody_and_visitor_sheets(world, api_as):
    month = last_month()
    CustodyItem.objects.create(
        project=world.estate,
        kind="parcel",
        description="顺丰快递",
        owner_unit=world.unit,
        owner_name="李明",
        owner_phone="13912345678",
        received_at=at(month.replace(day=4)),
        received_by=world.front_desk,
    )
    book = workbook(
        api_as(world.supervisor).get(URL.format("ledgers"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    )
    assert book.sheetnames == ["寄存物品", "访客"]
    items = sheet_rows(book, 0)
    assert len(items) == 2
    row = dict(zip(items[0], items[1], strict=True))
    assert row["物品"] == "顺丰快递"
    assert row["电话"] == "139****5678"
    assert sheet_rows(book, 1)[0][0] == "访客姓名"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "March"}, "month"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"month": "2026-03", "from": "2026-03-01", "to": "2026-03-02"}, "month"),
        ({"project": "999999"}, "project"),
        ({"project": "abc"}, "project"),
    ],
)
def test_s03_bad_parameters_answer_400_naming_the_field(world, api_as, params, field):
    params = {"project": world.estate.pk, **params}
    response = api_as(world.supervisor).get(URL.format("complaints"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_s03_outsider_manager_cannot_export_another_project(world, api_as, month_of_cases):
    month, _ = month_of_cases
    stranger = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="stranger")
    response = api_as(stranger).get(URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    assert response.status_code == 400
    assert "project" in response.json()
    # Their own project exports only their own project's case.
    own = sheet_rows(workbook(api_as(stranger).get(URL.format("complaints"), {"month": f"{month:%Y-%m}"})))
    assert len(own) == 2 and own[1][0].startswith("TS")


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "outsider"])
def test_s03_only_managers_and_supervisors_export(world, api_as, persona):
    response = api_as(world.persona(persona)).get(URL.format("complaints"), {"project": world.estate.pk})
    assert response.status_code == 403


def test_s03_general_manager_exports_any_project_of_the_company(world, api_as, month_of_cases):
    month, _ = month_of_cases
    response = api_as(world.general_manager).get(
        URL.format("complaints"), {"project": world.other_estate.pk, "month": f"{month:%Y-%m}"}
    )
    assert len(sheet_rows(workbook(response))) == 2


def test_s03_export_is_recorded_on_the_timeline(world, api_as, month_of_cases):
    month, _ = month_of_cases
    workbook(
        api_as(world.supervisor).get(URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    )
    event = Event.objects.get(verb="export.downloaded")
    assert event.actor == world.supervisor
    assert event.data["rows"] == 2


def _peak_export(world, rows: int, tmp_path) -> int:
    from guanjia.core.periods import Period
    from guanjia.exports.selectors import ExportRequest
    from guanjia.exports.services import export_write

    start = at(date(2025, 1, 1), 0)
    bulk_complaints(world.estate, world.front_desk, rows, start=start, unit=world.unit, prefix=f"M{rows}-")
    period = Period(date(2025, 1, 1), (start + timedelta(minutes=rows)).date())
    request = ExportRequest(world.estate, "complaints", period)
    path = str(tmp_path / f"{rows}.xlsx")
    tracemalloc.start()
    try:
        written = export_write(request=request, path=path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == rows
    return peak


def test_s03_export_streams_with_flat_memory(world, tmp_path, monkeypatch):
    # Given 1,000 and then 10,000 complaints; when each is exported; then peak memory does not grow with the
    # rows (a list of rows would grow ~10x). Memory is bounded by the rows of two database chunks in flight,
    # so chunks are made small enough here that 1,000 rows already take several.
    from guanjia.exports import selectors

    monkeypatch.setattr(selectors, "CHUNK_SIZE", 200)
    small = _peak_export(world, 1000, tmp_path)
    Complaint.objects.all().delete()
    big = _peak_export(world, 10_000, tmp_path)
    assert big < small * 1.5, (small, big)


# --- pages and long exports as jobs --------------------------------------------------------------------------


def test_s03_exports_page_for_supervisor_not_front_desk(world, web_as, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("exports:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "导出" in html and 'name="month"' in html and 'name="kind"' in html
    client.logout()
    assert web_as(world.front_desk).get(reverse("exports:home")).status_code == 403


def test_s03_small_export_downloads_at_once_from_the_page(world, web_as, month_of_cases):
    month, _ = month_of_cases
    response = web_as(world.supervisor).post(
        reverse("exports:start"), {"project": world.estate.pk, "kind": "complaints", "month": f"{month:%Y-%m}"}
    )
    assert len(sheet_rows(workbook(response))) == 3


def test_s03_page_bad_month_answers_400_naming_the_field(world, web_as):
    response = web_as(world.supervisor).post(
        reverse("exports:start"), {"project": world.estate.pk, "kind": "complaints", "month": "2026-13"}
    )
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.fixture
def inline_jobs(monkeypatch):
    """Run background exports in the test's own thread and transaction (the test database is not shared)."""
    from guanjia.exports import services

    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))


def test_s03_large_export_runs_as_a_job_with_progress(
    world, web_as, month_of_cases, monkeypatch, inline_jobs, django_capture_on_commit_callbacks
):
    from guanjia.exports import views
    from guanjia.exports.models import ExportJob

    month, _ = month_of_cases
    monkeypatch.setattr(views, "DIRECT_MAX_ROWS", 1)
    client = web_as(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports:start"), {"project": world.estate.pk, "kind": "complaints", "month": f"{month:%Y-%m}"}
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.rows_total, job.rows_done, job.percent) == ("done", 2, 2, 100)
    assert "下载" in client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert len(sheet_rows(workbook(client.get(reverse("exports:job_file", args=[job.pk]))))) == 3
    # The job is the exporter's: someone of another project does not see it.
    stranger = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="stranger")
    client.force_login(stranger)
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:job_file", args=[job.pk])).status_code == 404


def test_s03_running_job_shows_a_polling_progress_bar(world, web_as):
    from guanjia.exports.models import ExportJob

    job = ExportJob.objects.create(
        project=world.estate, kind="complaints", period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
        status="running", rows_total=40_000, rows_done=10_000, requested_by=world.supervisor,
    )  # fmt: skip
    html = web_as(world.supervisor).get(reverse("exports:job", args=[job.pk])).content.decode()
    assert '<progress max="100" value="25"' in html
    assert 'hx-trigger="every 1s"' in html


# --- S03: the monthly export is kept -------------------------------------------------------------------------


def test_s03_monthly_export_kept_on_the_first_and_idempotent(
    world, month_of_cases, inline_jobs, django_capture_on_commit_callbacks
):
    from guanjia.exports.models import ExportJob
    from guanjia.exports.services import monthly_exports_keep

    month, complaints = month_of_cases
    first_of_month = at(month + timedelta(days=1), 0)
    assert monthly_exports_keep(now=first_of_month + timedelta(days=9)) == 0  # V10: the 10th is past the window
    with django_capture_on_commit_callbacks(execute=True):  # the queued jobs run in the background
        assert monthly_exports_keep(now=first_of_month) == 6  # two projects × complaints, repairs, visits (V10)
    assert monthly_exports_keep(now=first_of_month + timedelta(hours=3)) == 0  # again: nothing new
    kept = ExportJob.objects.filter(project=world.estate, purpose="monthly").order_by("kind")
    assert [(j.kind, j.status, j.period_start, j.rows_done) for j in kept] == [
        ("complaints", "done", month.replace(day=1), len(complaints)),
        ("repairs", "done", month.replace(day=1), 0),
        ("return_visits", "done", month.replace(day=1), 0),
    ]
    book = load_workbook(kept[0].file.open("rb"), read_only=True)
    assert [r[0] for r in list(book.worksheets[0].iter_rows(values_only=True))[1:]] == [c.number for c in complaints]
    assert Event.objects.filter(verb="export.monthly_kept").count() == 6


def test_s03_keep_last_month_on_demand_from_the_page(
    world, web_as, month_of_cases, inline_jobs, django_capture_on_commit_callbacks
):
    from guanjia.exports.models import ExportJob

    client = web_as(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):  # the queued jobs run in the background
        assert client.post(reverse("exports:keep_month")).status_code == 302
    assert client.post(reverse("exports:keep_month")).status_code == 302
    assert ExportJob.objects.filter(project=world.estate, purpose="monthly", status="done").count() == 3
    html = client.get(reverse("exports:home")).content.decode()
    assert "月度存档" in html


def test_s03_front_desk_cannot_keep_the_month(world, web_as):
    assert web_as(world.front_desk).post(reverse("exports:keep_month")).status_code == 403


def test_s03_periodic_job_is_registered(world):
    from guanjia.cases.periodic import _jobs

    assert "monthly_exports" in _jobs


def test_s03_temporary_files_are_removed(world, api_as, month_of_cases, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    month, _ = month_of_cases
    workbook(
        api_as(world.supervisor).get(URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    )
    assert os.listdir(tmp_path) == []
