"""The monthly report (S01) and a 100,000-row export (S03) over 1,000,000 generated cases.

    .venv/bin/python -m bench reports                     # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports .venv/bin/python -m bench reports

The data lives in a throwaway test database (``test_<name>`` on PostgreSQL, a temporary file for SQLite).
Cases are generated in SQL (INSERT … SELECT over a number table), not through the services: half complaints
with their response and resolve limits, half repairs with their arrival limit, spread over 24 months, and a
return visit for every completed case. The monthly report is ``guanjia.reports.selectors.monthly_figures``
(and the S02 month-end lists when present); the export is ``guanjia.exports.services.export_write`` of the
complaints of a period holding 100,000 of them. Each is timed without tracing, then run again under
tracemalloc for its peak; ru_maxrss is the process's high-water mark so far.

Environment: BENCH_CASES (default 1000000), BENCH_EXPORT_ROWS (default 100000), BENCH_RUNS (default 3).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 24


def main() -> None:
    cases = int(os.environ.get("BENCH_CASES", "1000000"))
    export_rows = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    _django()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    workdir = tempfile.mkdtemp(prefix="guanjia-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(workdir) / "bench_reports.sqlite3")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        rows: list[tuple[str, str, float, float, float]] = []
        started = time.perf_counter()
        world = _populate(cases)
        generated = time.perf_counter() - started
        print(f"{world['counts']} generated in {connection.vendor} in {generated:.1f}s", flush=True)
        rows.append(("generate " + _fmt_counts(world["counts"]), "", generated, 0.0, _maxrss()))
        rows += _measure_report(world, runs)
        rows += _measure_export(world, export_rows, runs)
        _table(connection.vendor, rows)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


def _django() -> None:
    from django.conf import settings

    if not settings.configured:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    for app in ("guanjia.exports", "guanjia.reports"):
        if app not in settings.INSTALLED_APPS and (ROOT / app.replace(".", "/")).is_dir():
            settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, app]
    import django

    django.setup()


def _maxrss() -> float:
    """The process's peak resident set in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in counts.items())


# --- Generation ---------------------------------------------------------------------------------------------


class SQL:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def plus_seconds(self, base: str, seconds: str) -> str:
        if self.pg:
            return f"({base} + ({seconds}) * interval '1 second')"
        return f"datetime({base}, '+' || ({seconds}) || ' seconds')"

    def ts(self, value: datetime) -> str:
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"TIMESTAMPTZ '{text}+00'" if self.pg else f"'{text}'"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"


def _pick(expr: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE ({expr}) % {len(values)} {whens} END)"


def _insert_select(model: Any, exprs: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (every concrete column but the id) SELECT exprs … FROM source. Columns not in
    ``exprs`` take the field's default (or NULL), so columns added by others later need no change here."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in exprs:
            values.append(exprs[field.column].replace("%", "%%"))  # a literal % next to the placeholders
        elif field.has_default():
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            values.append("NULL")
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("CURRENT_TIMESTAMP")
        else:
            values.append("''")
    source = source.replace("%", "%%")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.rowcount


def _number_table(sql: SQL, top: int) -> None:
    """Create ``bench_seq``, the numbers 1 to ``top`` (column ``n``) that the INSERT … SELECTs read; the caller
    drops it when the world is generated."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_seq (n integer PRIMARY KEY)")
        if sql.pg:
            cursor.execute("INSERT INTO bench_seq SELECT generate_series(1, %s)", [top])
        else:
            cursor.execute(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
                "INSERT INTO bench_seq SELECT n FROM s",
                [top],
            )


def _insert_visits(sql: SQL, *, visitor_id: int) -> int:
    """A return visit for every completed complaint and repair, due a day after its completion, by
    ``visitor_id``: 1 in 17 still planned, the others done within 30 hours with a satisfaction of 1 to 5 (2 in 5
    of them unsatisfied). Returns how many were written."""
    from django.contrib.contenttypes.models import ContentType

    from guanjia.accounts.models import Role
    from guanjia.complaints.models import Complaint
    from guanjia.repairs.models import Repair
    from guanjia.visits.models import ReturnVisit

    written = 0
    visited = sql.plus_seconds("completed_at", "3600 * (id % 30)")
    for model, case_type, role in ((Complaint, "complaint", Role.CS_SUPERVISOR), (Repair, "repair", Role.FRONT_DESK)):
        ct = ContentType.objects.get_for_model(model).pk
        written += _insert_select(
            ReturnVisit,
            {"project_id": "project_id", "case_type": f"'{case_type}'", "content_type_id": str(ct),
             "object_id": "id", "due_at": sql.plus_seconds("completed_at", "86400"), "visitor_role": f"'{role}'",
             "status": "(CASE WHEN id % 17 = 0 THEN 'planned' ELSE 'done' END)", "planned_at": "completed_at",
             "customer_id": "customer_id", "unit_id": "unit_id", "method": "'phone'",
             "visitor_id": str(visitor_id),
             "done_at": f"(CASE WHEN id % 17 = 0 THEN NULL ELSE {visited} END)",
             "satisfaction": "(CASE WHEN id % 17 = 0 THEN NULL ELSE 1 + id % 5 END)",
             "unsatisfied": "(id % 17 <> 0 AND id % 5 < 2)"},
            f"{model._meta.db_table} WHERE completed_at IS NOT NULL",
        )  # fmt: skip
    return written


def _populate(total: int) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from guanjia.accounts.models import Role
    from guanjia.cases.models import Deadline
    from guanjia.complaints.models import Complaint
    from guanjia.estates.models import Building, Customer, Unit
    from guanjia.repairs.models import Repair
    from guanjia.testing.factories import make_company, make_project, make_staff

    sql = SQL(connection.vendor)
    company = make_company(name="安居物业", code="anju")
    project = make_project(company, name="万家花园", code="wanjia")
    make_project(company, name="翠湖苑", code="cuihu")
    supervisor = make_staff(Role.CS_SUPERVISOR, projects=(project,), username="bench-supervisor")
    desk = make_staff(Role.FRONT_DESK, projects=(project,), username="bench-desk")
    tech = make_staff(Role.TECHNICIAN, projects=(project,), username="bench-tech")
    per_kind = total // 2
    end = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=MONTHS * 30.44)).replace(day=1)
    step = max(1, int((end - start).total_seconds() // per_kind))  # seconds between two cases of a kind
    counts: dict[str, int] = {}
    with transaction.atomic():
        buildings = Building.objects.bulk_create(Building(project=project, number=str(n)) for n in range(1, 21))
        units = Unit.objects.bulk_create(
            (Unit(project=project, building=b, entrance="1", room=f"{f}{r:02d}", floor=f) for b in buildings
             for f in range(1, 26) for r in range(1, 3)),
            batch_size=2000,
        )  # fmt: skip
        customers = Customer.objects.bulk_create(
            (Customer(project=project, name=f"业主{i}") for i in range(len(units))), batch_size=2000
        )
        unit_ids, customer_ids = [u.pk for u in units], [c.pk for c in customers]
        assert unit_ids == list(range(unit_ids[0], unit_ids[0] + len(unit_ids))), "unit ids not contiguous"
        assert customer_ids == list(range(customer_ids[0], customer_ids[0] + len(customer_ids)))
        _number_table(sql, per_kind)
        nu, u0, c0 = len(unit_ids), unit_ids[0], customer_ids[0]
        received = sql.plus_seconds(sql.ts(start), f"n * {step}")
        done = "(n % 10 <> 0)"
        counts["complaints"] = _insert_select(
            Complaint,
            {
                "project_id": str(project.pk),
                "number": f"'TS' || {sql.text('n')}",
                "customer_id": f"({c0} + n % {nu})",
                "unit_id": f"({u0} + n % {nu})",
                "received_at": received,
                "registered_at": received,
                "registered_by_id": str(desk.pk),
                "status": f"(CASE WHEN {done} THEN 'completed' ELSE 'acknowledged' END)",
                "channel": _pick("n", ["phone", "visit", "letter", "online", "other"]),
                "description": "'楼道灯不亮，已多次反映'",
                "against_department": _pick("n / 3", ["engineering", "security", "environment", "customer_service"]),
                "nature": _pick("n / 7", ["valid", "valid", "valid", "invalid", "undetermined"]),
                "grade": _pick("n / 11", ["general"] * 20 + ["significant", "significant", "major", "critical"]),
                "computed_grade": "'general'",
                "completed_at": f"(CASE WHEN {done} THEN {sql.plus_seconds(received, '3600 * (1 + n % 30)')} END)",
                "result": f"(CASE WHEN {done} THEN '已处理' ELSE '' END)",
                "repeat_count": "(CASE WHEN n % 97 = 0 THEN 2 ELSE 0 END)",
            },
            "bench_seq",
        )
        counts["repairs"] = _insert_select(
            Repair,
            {
                "project_id": str(project.pk),
                "number": f"'BX' || {sql.text('n')}",
                "customer_id": f"({c0} + (n * 7) % {nu})",
                "unit_id": f"({u0} + (n * 7) % {nu})",
                "received_at": received,
                "registered_at": received,
                "registered_by_id": str(desk.pk),
                "status": f"(CASE WHEN {done} THEN 'closed' ELSE 'accepted' END)",
                "description": "'厨房水龙头漏水'",
                "department": "'engineering'",
                "assignee_id": str(tech.pk),
                "accepted_at": sql.plus_seconds(received, "300"),
                "arrive_due_at": sql.plus_seconds(received, "1200"),
                "arrived_at": sql.plus_seconds(received, "300 + 60 * (n % 20)"),
                "completed_at": f"(CASE WHEN {done} THEN {sql.plus_seconds(received, '5400')} END)",
                "fee_yuan": "(n % 5) * 10",
            },
            "bench_seq",
        )
        complaint_ct = ContentType.objects.get_for_model(Complaint).pk
        repair_ct = ContentType.objects.get_for_model(Repair).pk
        limit_common = {
            "project_id": "project_id",
            "subject_id": "id",
            "created_at": "received_at",
            "fired": "false" if sql.pg else "0",
        }
        counts["limits"] = _insert_select(
            Deadline,
            {**limit_common, "subject_type_id": str(complaint_ct), "kind": "'response'",
             "due_at": sql.plus_seconds("received_at", "1800"),
             "state": "(CASE WHEN id % 13 = 0 THEN 'missed' ELSE 'met' END)",
             "met_at": sql.plus_seconds("received_at", "60 * (id % 40)"),
             "late": "(id % 40 > 30)"},
            Complaint._meta.db_table,
        )  # fmt: skip
        counts["limits"] += _insert_select(
            Deadline,
            {**limit_common, "subject_type_id": str(complaint_ct), "kind": "'resolve'",
             "due_at": sql.plus_seconds("received_at", "86400"), "state": "'met'",
             "met_at": "completed_at", "late": "false" if sql.pg else "0"},
            f"{Complaint._meta.db_table} WHERE completed_at IS NOT NULL",
        )  # fmt: skip
        counts["limits"] += _insert_select(
            Deadline,
            {**limit_common, "subject_type_id": str(repair_ct), "kind": "'arrive'", "due_at": "arrive_due_at",
             "state": "(CASE WHEN arrived_at > arrive_due_at THEN 'missed' ELSE 'met' END)",
             "met_at": "arrived_at", "late": "(arrived_at > arrive_due_at)"},
            Repair._meta.db_table,
        )  # fmt: skip
        counts["visits"] = _insert_visits(sql, visitor_id=supervisor.pk)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_seq")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"project": project, "supervisor": supervisor, "start": start, "end": end, "step": step, "counts": counts}


# --- Measurements -------------------------------------------------------------------------------------------


def _run(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall time over ``runs`` untraced runs, then the tracemalloc peak (MiB) of one traced run."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak, result


def _measure_report(world: dict[str, Any], runs: int) -> list[tuple[str, str, float, float, float]]:
    from guanjia.exports.selectors import Period, followup_figures

    month = (world["end"] - timedelta(days=45)).date().replace(day=1)
    rows = []
    import importlib

    try:
        reports: Any = importlib.import_module("guanjia.reports.selectors")
    except ImportError:
        reports = None
    if reports is not None and hasattr(reports, "monthly_figures"):
        project = world["project"]
        elapsed, peak, figures = _run(lambda: reports.monthly_figures(projects=[project], month=month), runs)
        total = figures.get("complaints", {}).get("total", "?")
        rows.append(
            (f"monthly report {month:%Y-%m} (reports.monthly_figures)", f"{total} complaints", elapsed, peak, _maxrss())
        )
        lists = [
            name for name in ("repeat_complaints", "repeat_repairs", "unsatisfied_visits") if hasattr(reports, name)
        ]
        if lists:

            def month_end() -> int:
                return sum(len(getattr(reports, name)(projects=[project], month=month)) for name in lists)

            elapsed, peak, found = _run(month_end, runs)
            rows.append(
                (f"month-end lists, every entry (S02: {', '.join(lists)})", f"{found} rows", elapsed, peak, _maxrss())
            )
        if hasattr(reports, "month_end_page"):

            def first_pages() -> str:
                pages = [reports.month_end_page(name, projects=[project], month=month) for name in lists]
                return ", ".join(f"{len(p['results'])} of {p['count']}" for p in pages)

            elapsed, peak, shown = _run(first_pages, runs)
            rows.append(("month-end lists, counts + first page each", shown, elapsed, peak, _maxrss()))
        rows.append(_measure_api(world, month, runs))
    else:
        print("guanjia.reports.selectors.monthly_figures not found: timing the exports app's SQL figures instead")
    period = Period.month(month.year, month.month)
    elapsed, peak, _ = _run(lambda: followup_figures(project=world["project"], year=period.start.year), runs)
    rows.append((f"S07 follow-up figures {period.start.year} (exports.followup_figures)", "", elapsed, peak, _maxrss()))
    return rows


def _measure_api(world: dict[str, Any], month: Any, runs: int) -> tuple[str, str, float, float, float]:
    """``GET reports/monthly`` for the project-month through the test client (server time: routing, scope,
    figures, lists, JSON), with its body size and number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world["supervisor"])
    params = {"project": world["project"].pk, "month": f"{month:%Y-%m}"}

    def get() -> int:
        response = client.get("/api/v1/reports/monthly", params)
        assert response.status_code == 200, response.content[:500]
        return len(response.content)

    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()  # the test client's host is allowed
    try:
        elapsed, peak, size = _run(get, runs)
        with CaptureQueriesContext(connection) as queries:
            get()
    finally:
        teardown_test_environment()
    result = f"{size / 2**10:,.0f} KiB body, {len(queries)} queries"
    return (f"GET reports/monthly {month:%Y-%m} (API, in-process)", result, elapsed, peak, _maxrss())


def _measure_export(world: dict[str, Any], wanted: int, runs: int) -> list[tuple[str, str, float, float, float]]:
    from django.utils import timezone

    from guanjia.complaints.models import Complaint
    from guanjia.exports.selectors import ExportRequest, Period
    from guanjia.exports.services import export_write

    project = world["project"]
    first = timezone.localtime(world["start"]).date() + timedelta(days=31)
    first_at = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    nth = (
        Complaint.objects.filter(project=project, received_at__gte=first_at)
        .order_by("received_at")
        .values_list("received_at", flat=True)[wanted - 1]
    )
    period = Period(first, timezone.localtime(nth).date() - timedelta(days=1))
    request = ExportRequest(project, "complaints", period)
    path = os.path.join(tempfile.mkdtemp(prefix="guanjia-bench-"), "export.xlsx")
    elapsed, peak, rows = _run(lambda: export_write(request=request, path=path), max(1, runs - 2))
    size = os.path.getsize(path) / 2**20
    result = f"{rows:,} rows, {size:.1f} MiB, {rows / elapsed:,.0f} rows/s"
    return [(f"export complaints {period.start}–{period.end}", result, elapsed, peak, _maxrss())]


def _table(vendor: str, rows: list[tuple[str, str, float, float, float]]) -> None:
    print()
    print(f"| {vendor} | result | wall time | tracemalloc peak | ru_maxrss so far |")
    print("|---|---|---:|---:|---:|")
    for name, result, elapsed, peak, rss in rows:
        peak_text = f"{peak:.1f} MiB" if peak else "–"
        print(f"| {name} | {result} | {elapsed:.2f} s | {peak_text} | {rss:.0f} MiB |")
    print(flush=True)


if __name__ == "__main__":
    main()
