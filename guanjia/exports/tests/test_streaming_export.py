"""S03 at any size: the streaming writer gives the same cells as the openpyxl writer and the per-cell
subqueries it replaced (``old_export``, kept as the oracle); a large API export answers 202 with a job to
poll and download; progress is reported while the rows are written."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from guanjia.accounts.models import Role
from guanjia.core.periods import Period
from guanjia.estates.models import CustomerPhone
from guanjia.exports import selectors, services
from guanjia.exports.models import ExportJob, JobStatus
from guanjia.exports.selectors import ExportRequest, export_sheets, repair_sheet
from guanjia.exports.xlsx import write_rows
from guanjia.reports.tests.conftest import Generator, local
from guanjia.testing.factories import make_customer, make_staff

from . import old_export
from .bulk import bulk_complaints
from .test_exports import URL, at, last_month, register, sheet_rows, workbook

MAY = Period.month(2026, 5)
NOW = local(2026, 5, 20, 12)


def cells(path: str) -> list[list[Any]]:
    """Every sheet's cells as (value, type, quote prefix, bold), so text, numbers, times and styles compare
    (an empty cell is empty whatever type an empty string was written with)."""
    book = load_workbook(path)
    return [
        [
            [(c.value, c.data_type if c.value is not None else "", bool(c.quotePrefix), bool(c.font.b)) for c in row]
            for row in sheet.iter_rows()
        ]
        + [sheet.freeze_panes, [sheet.column_dimensions[k].width for k in "ABCDEFGHIJKLMNO"]]
        for sheet in book.worksheets
    ]


def sheet_xml(path: str) -> list[bytes]:
    """Every worksheet part of the file, as written."""
    with zipfile.ZipFile(path) as book:
        return [book.read(n) for n in sorted(book.namelist()) if n.startswith("xl/worksheets/")]


def phones_and_people(gen: Generator, world: Any) -> None:
    """Complaints whose phone comes from each place it can: the contact phone given, or else the customer's
    first phone (the lowest position, then the oldest), or none; named by the customer or by the name given."""
    many = make_customer(world.estate, name="多号", phones=())
    for number, position in (("13900000002", 2), ("13900000001", 0), ("13900000003", 0), ("021-5555", 1)):
        CustomerPhone.objects.create(customer=many, number=number, position=position)
    none = make_customer(world.estate, name="无号", phones=())
    short = make_customer(world.estate, name="短号", phones=("123",))
    cases: list[dict[str, Any]] = [
        {"customer": many, "contact_phone": ""},
        {"customer": many, "contact_phone": "021-5555 1234"},
        {"customer": none, "contact_phone": ""},
        {"customer": short, "contact_phone": ""},
        {"customer": None, "customer_name": "路人", "contact_phone": "13712345678"},
        {"customer": None, "customer_name": "", "contact_phone": ""},
        {"customer": many, "contact_phone": "", "completed_at": local(2026, 5, 12, 9), "result": "已处理 & <好>"},
    ]
    for n, values in enumerate(cases):
        gen.complaint(project=world.estate, received_at=local(2026, 5, 11, n, 30), **values)


def seeded_month(world: Any, seed: int) -> None:
    gen = Generator(world, seed)
    gen.month(complaints=40, repairs=30)
    bulk_complaints(world.estate, world.front_desk, 300, start=local(2026, 5, 2), unit=world.unit)
    hostile = ["=1+1", "+86 打不通", "-2", "@SUM(A1)", "a & b <c>", "\t=1", "  "]
    for n, text in enumerate(hostile):
        gen.complaint(project=world.estate, received_at=local(2026, 5, 10, n), description=text, result=text)
    phones_and_people(gen, world)


@pytest.mark.parametrize("seed", [3, 11])
def test_s03_streaming_export_has_the_cells_of_the_old_writer(world, tmp_path, seed, monkeypatch):
    seeded_month(world, seed)
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 64)  # several chunks: each enriched on its own
    for kind, old_sheets in (
        ("complaints", lambda: [old_export.complaint_sheet(world.estate, MAY, NOW)]),
        ("return_visits", lambda: [old_export.return_visit_sheet(world.estate, MAY, NOW)]),
        ("repairs", lambda: [repair_sheet(world.estate, MAY, NOW)]),
    ):
        request = ExportRequest(world.estate, kind, MAY)
        new_path, old_path = str(tmp_path / f"new-{kind}.xlsx"), str(tmp_path / f"old-{kind}.xlsx")
        sheets = export_sheets(request, now=NOW)
        new_rows = write_rows(new_path, [(s.title, s.headers, selectors.iter_rows(s)) for s in sheets])
        old_rows = old_export.export_write(sheets=old_sheets(), path=old_path)
        assert new_rows == old_rows > 5, kind
        assert cells(new_path) == cells(old_path), kind


def test_s03_export_writes_the_bytes_it_wrote_before(world, tmp_path, monkeypatch):
    """Issue 14 made the row path faster; the worksheets are byte for byte what the writer wrote before (the
    complaint and visit rows as the old per-cell subqueries read them, the other sheets as read today)."""
    seeded_month(world, 5)
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 64)
    old = {
        "complaints": lambda: [old_export.sheet_rows_of(old_export.complaint_sheet(world.estate, MAY, NOW))],
        "return_visits": lambda: [old_export.sheet_rows_of(old_export.return_visit_sheet(world.estate, MAY, NOW))],
    }
    for kind in ("complaints", "return_visits", "repairs"):
        path = str(tmp_path / f"{kind}.xlsx")
        with translation.override("zh-hans"):  # as services.export_write, at the test's own time
            sheets = export_sheets(ExportRequest(world.estate, kind, MAY), now=NOW)
            written = write_rows(path, [(s.title, s.headers, selectors.iter_rows(s)) for s in sheets])
            expected = old[kind]() if kind in old else [list(selectors.iter_rows(s)) for s in sheets]
        assert written == sum(len(rows) for rows in expected) > 5, kind
        old_xml = [old_export.sheet_xml(s.headers, rows) for s, rows in zip(sheets, expected, strict=True)]
        assert sheet_xml(path) == old_xml, kind


def test_s03_export_queries_do_not_grow_with_its_rows(world, tmp_path, monkeypatch, django_assert_num_queries):
    """Per chunk: the rows, the limits of their cases, the first phones of the customers they name; never a
    query per row."""
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 50)
    customer = make_customer(world.estate, name="顾客", phones=("13800000001", "13800000002"))
    gen = Generator(world, 1)
    for n in range(100):
        gen.complaint(project=world.estate, received_at=local(2026, 5, 3) + timedelta(minutes=n), customer=customer)
    request = ExportRequest(world.estate, "complaints", MAY)
    services.export_write(request=request, path=str(tmp_path / "warm.xlsx"))  # content types cached
    with django_assert_num_queries(1 + 2 * 2):  # the rows, then per chunk of 50: limits and phones
        assert services.export_write(request=request, path=str(tmp_path / "x.xlsx")) == 100


def test_s03_text_xml_cannot_hold_is_dropped_not_a_crash(tmp_path):
    path = str(tmp_path / "x.xlsx")
    write_rows(path, [("表", [("列", 8)], [("电梯\x07停运\x00", "=A1", 3, None, "x")])])
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[2]] == ["电梯停运", "=A1", 3, None, "x"]
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix


def test_s03_export_reports_progress_while_writing(world, tmp_path, monkeypatch):
    bulk_complaints(world.estate, world.front_desk, 250, start=local(2026, 5, 2))
    monkeypatch.setattr(services, "CHUNK_SIZE", 100)
    seen: list[int] = []
    written = services.export_write(
        request=ExportRequest(world.estate, "complaints", MAY), path=str(tmp_path / "x.xlsx"), progress=seen.append
    )
    assert written == 250
    assert seen == [100, 200, 250]


@pytest.fixture
def inline_jobs(monkeypatch):
    monkeypatch.setattr(services, "_start_background", lambda job_id: services.export_job_run(job_id=job_id))


def test_s03_large_api_export_answers_202_with_a_job_to_poll_and_download(
    world, api_as, client, settings, inline_jobs, django_capture_on_commit_callbacks
):
    month = last_month()
    for day in (3, 9, 20):
        register(world, at(month.replace(day=day)), description="=HYPERLINK(1)" if day == 9 else "电梯停运")
    params = {"project": world.estate.pk, "month": f"{month:%Y-%m}"}
    api = api_as(world.supervisor)
    settings.EXPORT_DIRECT_MAX_ROWS = 3
    assert len(sheet_rows(workbook(api.get(URL.format("complaints"), params)))) == 4  # 3 rows: still at once
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = api.get(URL.format("complaints"), params)
    assert response.status_code == 202, response.content
    job = response.json()
    assert set(job) >= {"id", "status", "progress", "url"}
    assert job["status"] == JobStatus.PENDING and response["Location"] == job["url"]
    assert job["url"].endswith(reverse("api-export-job", args=[job["id"]]))
    polled = api.get(job["url"]).json()
    assert (polled["status"], polled["progress"], polled["rows_done"]) == ("done", 100, 3)
    book = workbook(api.get(polled["file"]))
    rows = sheet_rows(book)
    assert len(rows) == 4 and "=HYPERLINK(1)" in rows[2]
    assert ExportJob.objects.get(pk=job["id"]).requested_by == world.supervisor
    # Login required, and the job is not seen from another project.
    assert client.get(job["url"]).status_code in (401, 403)
    assert client.get(polled["file"]).status_code in (401, 403)
    stranger = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="stranger")
    assert api_as(stranger).get(job["url"]).status_code == 404
    assert api_as(stranger).get(polled["file"]).status_code == 404
    assert api_as(world.front_desk).get(job["url"]).status_code == 403


def test_s03_job_file_is_not_there_before_the_job_is_done(world, api_as, settings, monkeypatch):
    monkeypatch.setattr(services, "_start_background", lambda job_id: None)  # queued, never run
    month = last_month()
    for day in (3, 9):
        register(world, at(month.replace(day=day)))
    settings.EXPORT_DIRECT_MAX_ROWS = 1
    api = api_as(world.supervisor)
    response = api.get(URL.format("complaints"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    assert response.status_code == 202
    body = api.get(response.json()["url"]).json()
    assert (body["status"], body["progress"], body["file"]) == ("pending", 0, None)
    assert api.get(reverse("api-export-job-file", args=[body["id"]])).status_code == 404


def test_s03_row_count_decides_without_reading_the_rows(world, django_assert_max_num_queries):
    bulk_complaints(world.estate, world.front_desk, 50, start=local(2026, 5, 2) + timedelta(hours=1))
    with django_assert_max_num_queries(2):
        assert selectors.export_row_count(ExportRequest(world.estate, "complaints", MAY)) == 50
