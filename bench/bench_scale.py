"""Issue 14 at scale: the board, its poll, the monthly report, an export, the sweep and registration over HTTP.

    .venv/bin/python -m bench scale                                   # 100k and 1M cases, SQLite in a temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanjia_bench .venv/bin/python -m bench scale --cases 100000,1000000
    .venv/bin/python -m bench scale --cases 10000000                  # PostgreSQL only in practice

For each size a throwaway database (``test_<name>`` on PostgreSQL, a temporary file on SQLite) is filled by
set-based SQL (``generate_series`` on PostgreSQL, a recursive CTE on SQLite, then ``INSERT … SELECT``), never row
by row: 200 projects (fewer below 1M), 30 units and 30 customers per 100 cases (each customer living in one unit,
with a phone; an estate's units and customers side by side, as its roster import enters them), half complaints
and half repairs received evenly over 24 months from customers of every estate in turn, the last 5 % still open
with their pending limits due over the coming week (and ``next_due_at`` filled when cases store it), the older
ones closed with their limits met (some late; a complaint's two limits side by side, as its registration writes
them) and a return visit for each.

Then, for one project (logged in as its supervisor, assigned to it alone):

- board: ``GET /complaints/board/`` server time in-process (Django test client), p50 / p95 and queries;
- poll: the board's list refresh (``?partial=list``, HX-Request) asked again with If-None-Match; 304 if the
  view supports an ETag, else the full list (board and poll with the clock stopped at the moment the data was
  generated, so no limit turns a colour during the runs);
- report: ``GET /api/v1/reports/monthly/?project=…&month=…`` for last month;
- export: ``exports.services.export_write`` of the project's complaints over the whole history: rows/s of the
  first run (its rows read from disk or the OS cache) and the median of the next nine, and the tracemalloc peak;
- sweep: ``cases.services.sweep(now)`` with nothing due, then at the time the next 500 pending limits are due
  (deadlines/s: the first run, which also loads the handlers, and the median of the next three), each rolled
  back so every run and size starts alike;
- POST complaints: gunicorn ×2 as the README's production recipe runs it (its workers and threads; ``config.wsgi``,
  settings ``config.settings.local``) on 127.0.0.1 against the
  bench database, requests from a thread pool with a front desk's token, first each on a new connection, then
  on connections kept alive (one per client thread, as a browser or a proxy keeps them): req/s; queries per
  request counted in-process for the same request.

An operation the code does not offer yet prints "n/a". Speed is printed, never asserted.
Options: --cases N[,N…] (default 100000,1000000), --runs (board/poll/report repetitions, default 20),
--posts (default 400), --threads (default 8), --only PART[,PART…] (board, report, export, sweep, post; default all),
--keep (keep each size's database, test_guanjia_bench_<size>, and reuse it on the next run instead of generating).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.bench_reports import SQL, _django, _insert_select, _insert_visits, _number_table, _pick

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 24
OPEN_SHARE = 0.05
BUILDINGS_PER_PROJECT = 10


# --- Running ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--cases", default=os.environ.get("BENCH_SCALE_CASES", "100000,1000000"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated parts to measure: board,report,export,sweep,post")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each size's database (test_guanjia_bench_<size>) and reuse it when it is there already",
    )
    args = parser.parse_args(argv or [])
    sizes = [int(s.replace("_", "")) for s in str(args.cases).split(",") if s.strip()]
    _django()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    results: dict[int, dict[str, Result]] = {}
    for size in sizes:
        workdir = tempfile.mkdtemp(prefix="guanjia-bench-scale-")
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            folder = Path(tempfile.gettempdir()) if args.keep else Path(workdir)
            test["NAME"] = str(folder / f"guanjia_bench_scale_{size}.sqlite3")
        elif args.keep:
            test["NAME"] = f"test_guanjia_bench_{size}"
        # Never serialized: Django would read a kept database whole into memory (that is for TransactionTestCase).
        old_config = setup_databases(verbosity=0, interactive=False, keepdb=args.keep, serialized_aliases=set())
        results[size] = {}
        try:
            started = time.perf_counter()
            world = _kept_world() if args.keep else None
            if world is None:
                world = _populate(size)
                if args.keep:
                    _keep_world(world)
            generated = time.perf_counter() - started
            counts = ", ".join(f"{v:,} {k}" for k, v in world["counts"].items())
            print(f"{size:,} cases on {connection.vendor}: {counts} generated in {generated:.1f}s", flush=True)
            results[size] = {"generate": Result(generated, "s", note=counts)}
            results[size].update(_measure(world, args))
        except Exception:  # one size failing still prints the others
            traceback.print_exc()
        finally:
            connection.close()
            if not args.keep:
                teardown_databases(old_config, verbosity=0)
            shutil.rmtree(workdir, ignore_errors=True)
    _table(connection.vendor, sizes, results)


class Result:
    """One measured figure: ``value`` in ``unit`` (None: not available), queries per operation, a note."""

    def __init__(self, value: float | None, unit: str, queries: int | None = None, note: str = "") -> None:
        self.value, self.unit, self.queries, self.note = value, unit, queries, note

    def text(self) -> str:
        if self.value is None:
            return "n/a" + (f", {self.queries} q" if self.queries is not None else "")
        value = f"{self.value:,.1f}" if self.value >= 10 else f"{self.value:.2f}"
        return f"{value} {self.unit}" + (f", {self.queries} q" if self.queries is not None else "")


def _safe(name: str, fn: Callable[[], dict[str, Result]]) -> dict[str, Result]:
    try:
        return fn()
    except Exception as exc:  # an operation not available yet must not stop the others
        print(f"  {name}: n/a ({type(exc).__name__}: {str(exc)[:200]})", flush=True)
        return {}


# --- Generation -------------------------------------------------------------------------------------------------


def _populate(total: int) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from guanjia.accounts.models import Role
    from guanjia.cases.models import Deadline
    from guanjia.complaints.models import Complaint
    from guanjia.estates.models import Building, Customer, CustomerPhone, Project, Residency, Unit
    from guanjia.repairs.models import Repair
    from guanjia.testing.factories import make_company, make_staff

    sql = SQL(connection.vendor)
    n_projects = max(2, min(200, total // 5000))
    n_units = max(1000, total * 3 // 10)
    per_kind = total // 2
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=MONTHS * 30.44)
    step = max(1, int((now - start).total_seconds() // per_kind))
    open_from = int(per_kind * (1 - OPEN_SHARE))  # cases n > open_from are still open
    counts: dict[str, int] = {}
    company = make_company(name="安居物业", code="anju")
    with transaction.atomic():
        if sql.pg:
            # A throwaway database filled by consistent set-based SQL: no foreign-key trigger per row (checking
            # tens of millions of references one by one at COMMIT took most of the 10M generation).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        projects = Project.objects.bulk_create(
            Project(company=company, name=f"小区{i:03d}", code=f"p{i:03d}") for i in range(n_projects)
        )
        p0 = projects[0].pk
        assert [p.pk for p in projects] == list(range(p0, p0 + n_projects)), "project ids not contiguous"
        buildings = Building.objects.bulk_create(
            (Building(project=p, number=str(b)) for p in projects for b in range(1, BUILDINGS_PER_PROJECT + 1)),
            batch_size=2000,
        )
        b0 = buildings[0].pk
        assert buildings[-1].pk == b0 + len(buildings) - 1, "building ids not contiguous"
        _number_table(sql, max(per_kind, n_units))
        # Unit n and customer n (customer n lives in unit n) belong to project (n - 1) * P / U: an estate's units and
        # residents are entered together when it comes on board (a roster import), so they lie side by side.
        project_index = f"((CAST(n - 1 AS BIGINT) * {n_projects}) / {n_units})"
        project_of = f"({p0} + {project_index})"
        counts["units"] = _insert_select(
            Unit,
            {
                "project_id": project_of,
                "building_id": f"({b0} + {project_index} * {BUILDINGS_PER_PROJECT} "
                f"+ (n - 1) % {BUILDINGS_PER_PROJECT})",
                "entrance": "'1'",
                "room": sql.text("n"),
                "floor": "(1 + n % 30)",
                "status": "'occupied'",
            },
            f"bench_seq WHERE n <= {n_units} ORDER BY n",
        )
        counts["customers"] = _insert_select(
            Customer,
            {"project_id": project_of, "name": f"'业主' || {sql.text('n')}", "kind": "'owner'"},
            f"bench_seq WHERE n <= {n_units} ORDER BY n",
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {Unit._meta.db_table}")
            u0, u1 = cursor.fetchone()
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {Customer._meta.db_table}")
            c0, c1 = cursor.fetchone()
        assert u1 - u0 + 1 == n_units and c1 - c0 + 1 == n_units, "unit or customer ids not contiguous"
        _insert_select(
            Residency,
            {"customer_id": f"({c0} + n - 1)", "unit_id": f"({u0} + n - 1)"},
            f"bench_seq WHERE n <= {n_units}",
        )
        _insert_select(
            CustomerPhone,
            {"customer_id": f"({c0} + n - 1)", "number": sql.text("(13800000000 + n)")},
            f"bench_seq WHERE n <= {n_units}",
        )
        # Case n (per kind) is received at start + n * step from customer m of unit m, m spread over all units.
        m = f"((CAST(n AS BIGINT) * 7919) % {n_units})"
        received = sql.plus_seconds(sql.ts(start), f"n * {step}")
        is_open = f"(n > {open_from})"
        week = 7 * 24 * 3600
        later = sql.plus_seconds(sql.ts(now), f"600 + (n * 37) % {week}")  # open cases: due over the coming week
        staff: dict[str, Any] = {}
        target = projects[0]
        for role, username in (
            (Role.CS_SUPERVISOR, "bench-supervisor"),
            (Role.FRONT_DESK, "bench-desk"),
            (Role.TECHNICIAN, "bench-tech"),
            (Role.OFFICE_MANAGER, "bench-manager"),
        ):
            staff[username] = make_staff(role, projects=(target,), username=username)
        desk = staff["bench-desk"]
        case_common = {
            "project_id": f"({p0} + ({m} * {n_projects}) / {n_units})",  # the project of unit m + 1
            "customer_id": f"({c0} + {m})",
            "unit_id": f"({u0} + {m})",
            "received_at": received,
            "registered_at": received,
            "registered_by_id": str(desk.pk),
            "first_responder_id": str(desk.pk),
        }
        has_next_due = "next_due_at" in {f.name for f in Complaint._meta.concrete_fields}
        complaint_values = {
            **case_common,
            "number": f"'TS' || {sql.text('n')}",
            "status": f"(CASE WHEN {is_open} THEN {_pick('n', ['registered', 'dispatched', 'acknowledged'])} "
            "ELSE 'closed' END)",
            "channel": _pick("n", ["phone", "visit", "letter", "online", "other"]),
            "description": "'楼道灯不亮，已多次反映'",
            "against_department": _pick("n / 3", ["engineering", "security", "environment", "customer_service"]),
            "nature": _pick("n / 7", ["valid", "valid", "valid", "invalid", "undetermined"]),
            "grade": _pick("n / 11", ["general"] * 20 + ["significant", "significant", "major", "critical"]),
            "computed_grade": "'general'",
            "completed_at": f"(CASE WHEN {is_open} THEN NULL ELSE {sql.plus_seconds(received, '3600 * (1 + n % 30)')} "
            "END)",
            "result": f"(CASE WHEN {is_open} THEN '' ELSE '已处理' END)",
            "repeat_count": "(CASE WHEN n % 97 = 0 THEN 2 ELSE 0 END)",
        }
        repair_values = {
            **case_common,
            "number": f"'BX' || {sql.text('n')}",
            "status": f"(CASE WHEN {is_open} THEN 'accepted' ELSE 'closed' END)",
            "description": "'厨房水龙头漏水'",
            "department": "'engineering'",
            "assignee_id": str(staff["bench-tech"].pk),
            "accepted_at": sql.plus_seconds(received, "300"),
            "arrive_due_at": f"(CASE WHEN {is_open} THEN {later} ELSE {sql.plus_seconds(received, '1200')} END)",
            "arrived_at": f"(CASE WHEN {is_open} THEN NULL ELSE {sql.plus_seconds(received, '300 + 60 * (n % 20)')} "
            "END)",
            "completed_at": f"(CASE WHEN {is_open} THEN NULL ELSE {sql.plus_seconds(received, '5400')} END)",
            "fee_yuan": "(n % 5) * 10",
        }
        if has_next_due:
            repair_values["next_due_at"] = f"(CASE WHEN {is_open} THEN {later} END)"
        counts["complaints"] = _insert_select(Complaint, complaint_values, f"bench_seq WHERE n <= {per_kind}")
        counts["repairs"] = _insert_select(Repair, repair_values, f"bench_seq WHERE n <= {per_kind}")
        complaint_ct = ContentType.objects.get_for_model(Complaint).pk
        repair_ct = ContentType.objects.get_for_model(Repair).pk
        false = "false" if sql.pg else "0"
        common = {"project_id": "project_id", "subject_id": "id", "created_at": "received_at", "fired": false}
        c_table, r_table = Complaint._meta.db_table, Repair._meta.db_table
        open_c = "status IN ('registered', 'dispatched', 'acknowledged')"
        # Every complaint's response limit (k = 1): met (1 in 13 late); its resolve limit (k = 2): met when closed,
        # pending (due at the stored next_due) when open. Written side by side, as registration writes the two.
        pending_due = sql.plus_seconds(sql.ts(now), f"600 + (id * 37) % {week}")

        def by_kind(response: str, resolve: str) -> str:
            return f"(CASE WHEN k = 1 THEN {response} ELSE {resolve} END)"

        counts["limits"] = _insert_select(
            Deadline,
            {**common, "subject_type_id": str(complaint_ct), "kind": by_kind("'response'", "'resolve'"),
             "due_at": by_kind(sql.plus_seconds("received_at", "1800"),
                               f"(CASE WHEN {open_c} THEN {pending_due} "
                               f"ELSE {sql.plus_seconds('received_at', '86400')} END)"),
             "state": by_kind("(CASE WHEN id % 13 = 0 THEN 'missed' ELSE 'met' END)",
                              f"(CASE WHEN {open_c} THEN 'pending' ELSE 'met' END)"),
             "met_at": by_kind(sql.plus_seconds("received_at", "60 * (id % 40)"), "completed_at"),
             "late": by_kind("(id % 40 > 30)", false)},
            f"{c_table} CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 AS k) kinds ORDER BY id, k",
        )  # fmt: skip
        counts["limits"] += _insert_select(
            Deadline,
            {**common, "subject_type_id": str(repair_ct), "kind": "'arrive'", "due_at": "arrive_due_at",
             "state": "(CASE WHEN arrived_at IS NULL THEN 'pending' WHEN arrived_at > arrive_due_at THEN 'missed' "
                      "ELSE 'met' END)",
             "met_at": "arrived_at", "late": "(arrived_at IS NOT NULL AND arrived_at > arrive_due_at)"},
            r_table,
        )  # fmt: skip
        if has_next_due:  # the stored next limit of open complaints: their pending resolve limit
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {c_table} SET next_due_at = {pending_due} WHERE {open_c}"  # same expression, same id
                )
        counts["visits"] = _insert_visits(sql, visitor_id=staff["bench-supervisor"].pk)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_seq")
    with connection.cursor() as cursor:
        # As autovacuum leaves a database that has run for a while: hint bits set and pages marked all-visible (the
        # first reader of a freshly loaded table would otherwise write every page it reads back to disk).
        cursor.execute("VACUUM (ANALYZE)" if sql.pg else "ANALYZE")
    counts = {"projects": n_projects, **counts}
    return {"project": target, "staff": staff, "now": now, "start": start, "counts": counts}


def _keep_world(world: dict[str, Any]) -> None:
    """Write what the measurements need to know of a generated database into it (``--keep``)."""
    from django.db import connection

    facts = {
        "project": world["project"].pk,
        "now": world["now"].isoformat(),
        "start": world["start"].isoformat(),
        "counts": world["counts"],
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_world (facts TEXT NOT NULL)")
        cursor.execute("INSERT INTO bench_world (facts) VALUES (%s)", [json.dumps(facts)])


def _kept_world() -> dict[str, Any] | None:
    """The world of a database kept by an earlier ``--keep`` run, or None when there is none to reuse."""
    from datetime import datetime

    from django.db import connection

    from guanjia.accounts.models import User
    from guanjia.estates.models import Project

    if "bench_world" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT facts FROM bench_world")
        facts = json.loads(cursor.fetchone()[0])
    return {
        "project": Project.objects.get(pk=facts["project"]),
        "staff": {u.username: u for u in User.objects.filter(username__startswith="bench-")},
        "now": datetime.fromisoformat(facts["now"]),
        "start": datetime.fromisoformat(facts["start"]),
        "counts": facts["counts"],
    }


# --- Measurements -----------------------------------------------------------------------------------------------


def _measure(world: dict[str, Any], args: argparse.Namespace) -> dict[str, Result]:
    results: dict[str, Result] = {}
    if getattr(args, "only", ""):
        from django.urls import get_resolver

        # Load the URLconf as the parts left out would have (a running worker has it loaded): not measured.
        get_resolver().reverse_dict  # noqa: B018
    for name, fn in (
        ("board", lambda: _board(world, args.runs)),
        ("report", lambda: _report(world, args.runs)),
        ("export", lambda: _export(world)),
        ("sweep", lambda: _sweep(world)),
        ("post", lambda: _post_http(world, args.posts, args.threads)),
    ):
        if getattr(args, "only", "") and name not in str(args.only).split(","):
            continue
        results.update(_safe(name, fn))
    return results


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, int, Any]:
    """p50 and p95 in ms over ``runs`` calls after five warm-up calls (psycopg prepares a statement on its fifth
    execution: the first size measured would otherwise count planning the others no longer do), and the queries
    of the last call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        result = fn()
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(captured.captured_queries), result


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _board(world: dict[str, Any], runs: int) -> dict[str, Result]:
    import time_machine

    # At the moment the data was generated, clock stopped: "nothing changed" must also mean no limit turning a
    # colour meanwhile (complaints posted by an earlier run of the bench reach their 5- and 30-minute marks
    # every few milliseconds for a while, and each such moment rightly refreshes the list).
    with time_machine.travel(world["now"], tick=False):
        return _board_at_rest(world, runs)


def _board_at_rest(world: dict[str, Any], runs: int) -> dict[str, Result]:
    client = _client(world["staff"]["bench-supervisor"])
    out: dict[str, Result] = {}
    p50, p95, queries, response = _timed(lambda: client.get("/complaints/board/"), runs)
    assert response.status_code == 200, response.status_code
    out["board p50"] = Result(p50, "ms", queries)
    out["board p95"] = Result(p95, "ms", queries)
    htmx = {"HTTP_HX_REQUEST": "true"}
    first = client.get("/complaints/board/?partial=list", **htmx)
    etag = first.headers.get("ETag")
    headers = {**htmx, **({"HTTP_IF_NONE_MATCH": etag} if etag else {})}
    p50, p95, queries, response = _timed(lambda: client.get("/complaints/board/?partial=list", **headers), runs)
    note = "304" if response.status_code == 304 else f"{response.status_code}, no ETag: full list"
    out["poll p50"] = Result(p50, "ms", queries, note)
    out["poll p95"] = Result(p95, "ms", queries, note)
    return out


def _report(world: dict[str, Any], runs: int) -> dict[str, Result]:
    from django.utils import timezone

    month = (timezone.localtime(world["now"]).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    client = _client(world["staff"]["bench-supervisor"])
    url = f"/api/v1/reports/monthly/?project={world['project'].pk}&month={month}"
    p50, p95, queries, response = _timed(lambda: client.get(url), max(3, runs // 4))
    if response.status_code != 200:
        return {"report p50": Result(None, "", note=f"HTTP {response.status_code}")}
    size = len(response.content) / 1024
    return {"report p50": Result(p50, "ms", queries, f"{size:.0f} KiB"), "report p95": Result(p95, "ms", queries)}


#: Export runs after the first, whose median is printed.
EXPORT_RUNS = 9


def _export(world: dict[str, Any]) -> dict[str, Result]:
    from django.utils import timezone

    from guanjia.exports.selectors import ExportRequest, Period
    from guanjia.exports.services import export_write

    period = Period(timezone.localtime(world["start"]).date(), timezone.localtime(world["now"]).date())
    request = ExportRequest(world["project"], "complaints", period)
    path = os.path.join(tempfile.mkdtemp(prefix="guanjia-bench-"), "export.xlsx")
    speeds = []
    # The first run reads the rows from disk or the OS cache; then the median of nine (three varied by up to a
    # fifth from one moment to the next on this machine, for the same rows).
    for _ in range(1 + EXPORT_RUNS):
        if os.path.exists(path):  # a new file each time, as each export gets (truncating the last one cost 1–3 ms)
            os.unlink(path)
        started = time.perf_counter()
        rows = export_write(request=request, path=path)
        elapsed = time.perf_counter() - started
        speeds.append(rows / elapsed if elapsed else None)
    tracemalloc.start()
    try:
        export_write(request=request, path=path)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    note = f"{rows:,} rows"
    warm = [speed for speed in speeds[1:] if speed is not None]
    return {
        "export first": Result(speeds[0], "rows/s", note=note),
        "export rows/s": Result(statistics.median(warm) if warm else None, "rows/s", note=note),
        "export peak": Result(peak, "MiB", note=note),
    }


class _Rollback(Exception):
    pass


def _sweep(world: dict[str, Any]) -> dict[str, Result]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from guanjia.cases.models import Deadline, DeadlineState
    from guanjia.cases.services import sweep

    now = world["now"]
    out: dict[str, Result] = {}
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as idle_q:
            started = time.perf_counter()
            result = sweep(now)
            times.append((time.perf_counter() - started) * 1000)
    fired_idle = sum(result.as_dict().values())
    out["sweep idle"] = Result(statistics.median(times), "ms", len(idle_q.captured_queries), f"{fired_idle} fired")
    pending = Deadline.objects.filter(state=DeadlineState.PENDING).order_by("due_at", "id")
    nth = pending.values_list("due_at", flat=True)[499:500]
    if not nth:
        return out
    at = nth[0]
    rates: list[float | None] = []
    for _ in range(4):  # the first run also loads the handlers' code and data; then the median of three
        fired = 0
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as firing_q:
                started = time.perf_counter()
                result = sweep(at)
                elapsed = time.perf_counter() - started
                fired = len(result.missed) + len(result.reminded)
                raise _Rollback
        except _Rollback:
            pass
        rates.append(fired / elapsed if fired else None)
    per = len(firing_q.captured_queries) / fired if fired else None
    note = f"{fired} fired, {per:.1f} q each" if per else "nothing fired"
    warm = [rate for rate in rates[1:] if rate is not None]
    out["sweep first"] = Result(rates[0], "deadlines/s", note=note)
    out["sweep firing"] = Result(statistics.median(warm) if warm else None, "deadlines/s", note=note)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_by_part(server_group: int) -> dict[str, float] | None:
    """CPU seconds used so far by the app (gunicorn's process group), the database (every ``postgres`` process)
    and the client (this process: its request threads); None where ``/proc`` does not tell. The machine's cores
    are shared by the three, so this says where a request's time goes when the rate is bound by them."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    parts = {"app": 0.0, "database": 0.0}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        # From the state on: pgrp is [2]; utime, stime, and those of its ended children (a backend that ended
        # is counted by the postmaster that waited for it) are [11] to [14].
        fields = text[text.rindex(")") + 2 :].split()
        used = sum(int(value) for value in fields[11:15]) / tick
        if int(fields[2]) == server_group:
            parts["app"] += used
        elif name.startswith("postgres"):
            parts["database"] += used
    times = os.times()
    parts["client"] = times.user + times.system
    return parts


def _recipe_gunicorn_options() -> list[str]:
    """The gunicorn options of the README's production recipe (workers, threads), without its --bind: the bench
    serves the way the recipe does."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recipe = readme.split("<!-- production-recipe:begin -->", 1)[1].split("<!-- production-recipe:end -->", 1)[0]
    line = next(line for line in recipe.splitlines() if "gunicorn config.wsgi" in line)
    words = line.split("#", 1)[0].split("gunicorn config.wsgi", 1)[1].split()
    if "--bind" in words:
        at = words.index("--bind")
        del words[at : at + 2]
    return words


def _post_http(world: dict[str, Any], posts: int, threads: int) -> dict[str, Result]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from guanjia.estates.models import Customer

    desk = world["staff"]["bench-desk"]
    project = world["project"]
    customers = list(Customer.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)[:500])
    token = Token.objects.get_or_create(user=desk)[0].key

    def body(i: int) -> bytes:
        data = {
            "project": project.pk,
            "customer": customers[i % len(customers)],
            "channel": "phone",
            "description": "地下车库漏水，车被淋湿",
            "location": "地下车库B2",
            "against_department": "engineering",
        }
        return json.dumps(data).encode()

    # Queries of one registration, in-process (rolled back).
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            response = api.post("/api/v1/complaints/", body(0), content_type="application/json")
            raise _Rollback
    except _Rollback:
        pass
    queries = len(captured.captured_queries) if response.status_code == 201 else None
    if connection.vendor != "postgresql":
        return {"post": Result(None, "", queries, "HTTP part on PostgreSQL only")}
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "config.wsgi", *_recipe_gunicorn_options(), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # until gunicorn listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)

        def post(i: int) -> int:
            request = urllib.request.Request(
                f"{base}/api/v1/complaints/",
                data=body(i),
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    return int(answer.status)
            except urllib.error.HTTPError as exc:
                return exc.code

        kept = threading.local()

        def post_kept_alive(i: int) -> int:
            """As a browser or a proxy keeping its connection: one HTTP/1.1 connection per client thread."""
            connection = getattr(kept, "connection", None) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            kept.connection = connection
            try:
                connection.request(
                    "POST",
                    "/api/v1/complaints/",
                    body=body(i),
                    headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
                )
                answer = connection.getresponse()
                answer.read()
                return int(answer.status)
            except (http.client.HTTPException, OSError):
                connection.close()
                kept.connection = None
                return 0

        rates: dict[str, Result] = {}
        for key, client in (("post", post), ("post kept", post_kept_alive)):
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(client, range(threads * 2)))  # warm both workers
                cpu_before = _cpu_by_part(process.pid)
                started = time.perf_counter()
                statuses = list(pool.map(client, range(posts)))
                elapsed = time.perf_counter() - started
                cpu_after = _cpu_by_part(process.pid)
            ok = statuses.count(201)
            note = f"{ok}/{posts} created, {threads} threads"
            note += "" if ok == posts else f", statuses {sorted(set(statuses))}"
            if ok and cpu_before and cpu_after:
                spent = {part: (cpu_after[part] - cpu_before[part]) * 1000 / ok for part in cpu_after}
                note += "; CPU per request: " + ", ".join(f"{part} {ms:.1f} ms" for part, ms in spent.items())
            rates[key] = Result(ok / elapsed if ok else None, "req/s", queries, note)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return rates


# --- The table --------------------------------------------------------------------------------------------------

ROWS = (
    ("generate", "generate (set-based SQL)"),
    ("board p50", "board, server time in-process p50"),
    ("board p95", "board, server time in-process p95"),
    ("poll p50", "board poll, nothing changed (If-None-Match) p50"),
    ("poll p95", "board poll, nothing changed p95"),
    ("report p50", "`reports/monthly` one project-month (API) p50"),
    ("report p95", "`reports/monthly` one project-month (API) p95"),
    ("export first", "xlsx export, all of one project's complaints, first run"),
    ("export rows/s", "xlsx export, all of one project's complaints, median of the next nine"),
    ("export peak", "xlsx export, tracemalloc peak"),
    ("sweep idle", "sweep, nothing due"),
    ("sweep first", "sweep, firing the next 500 limits, first run"),
    ("sweep firing", "sweep, firing the next 500 limits, median of the next three (each rolled back)"),
    ("post", "`POST complaints/` over HTTP, gunicorn ×2, a new connection per request"),
    ("post kept", "`POST complaints/` over HTTP, gunicorn ×2, connections kept alive"),
)


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"


def _table(vendor: str, sizes: list[int], results: dict[int, dict[str, Result]]) -> None:
    print()
    print(f"{vendor}; server time in-process (Django test client) unless said; q = queries per operation")
    print()
    heads = [f"at {_label(s)}" for s in sizes]
    growth = [f"{_label(a)} → {_label(b)}" for a, b in itertools.pairwise(sizes)]
    print("| operation | " + " | ".join(heads + growth) + " | note |")
    print("|---|" + "---:|" * (len(heads) + len(growth)) + "---|")
    for key, label in ROWS:
        cells = [results[s].get(key, Result(None, "")) for s in sizes]
        ratios = []
        for a, b in itertools.pairwise(cells):
            ratios.append(f"{b.value / a.value:.2f}×" if a.value and b.value is not None else "n/a")
        note = next((c.note for c in reversed(cells) if c.note), "")
        print(f"| {label} | " + " | ".join([c.text() for c in cells] + ratios) + f" | {note} |")
    print(flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
