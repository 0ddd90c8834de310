"""Roster import at scale (O01): a 20,000-row .xlsx is parsed, checked and imported on a throwaway database.

    python -m bench import                                    # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanjia_bench python -m bench import
                                                              # PostgreSQL: test_guanjia_bench, created and dropped
    BENCH_IMPORT_ROWS=50000 python -m bench import            # another size

The database is always one the bench creates and drops (Django's test-database machinery), never the
configured one, so var/guanjia.sqlite3 and any real PostgreSQL database are left alone.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "20000"))
SEED = 20260501

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉玲建国志强子涵浩然梓萱一诺欣怡宇轩"
    "思远雨桐佳怡俊杰晨曦嘉懿文博"
)


@contextmanager
def throwaway_database() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    tmp = tempfile.mkdtemp(prefix="guanjia-bench-")
    if connection.vendor == "sqlite":
        # A file, not memory: closer to a real server's disk-backed database.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def roster_rows(count: int, rng: random.Random) -> list[list[Any]]:
    """Realistic rows: 3栋2单元1201 style units, one row per customer, some vacant units, some owners of two."""
    rows: list[list[Any]] = []
    owners: list[tuple[str, str, str | None]] = []
    phones = iter(rng.sample(range(10**8, 10**9), count * 2))
    today = date.today()

    def person() -> tuple[str, str]:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return name, f"1{rng.choice('3578899')}{next(phones)}"

    def move_in() -> Any:
        day = today - timedelta(days=rng.randint(30, 3650))
        roll = rng.random()
        return datetime(day.year, day.month, day.day) if roll < 0.5 else day.isoformat() if roll < 0.8 else None

    building = 0
    while len(rows) < count:
        building += 1
        for entrance in range(1, 4):
            for floor in range(1, 31):
                for door in range(1, 5):
                    if len(rows) >= count:
                        return rows
                    unit = [f"{building}栋", str(entrance), f"{floor}{door:02d}", floor]
                    area = round(rng.uniform(58, 180), 2)
                    roll = rng.random()
                    if roll < 0.08:
                        rows.append([*unit, area, "空置", None, None, None, None, None, None])
                        continue
                    status = "装修中" if roll < 0.13 else "已入住"
                    if owners and rng.random() < 0.03:  # an owner of a second unit: same name, phone and ID
                        name, phone, id_number = rng.choice(owners)
                    else:
                        name, phone = person()
                        id_number = id_card(rng) if rng.random() < 0.3 else None
                        owners.append((name, phone, id_number))
                    phone_cell = f"{phone}、0755-8{rng.randint(1000000, 9999999)}" if rng.random() < 0.15 else phone
                    when = move_in()
                    rows.append([*unit, area, status, name, "业主", phone_cell, id_number, when, None])
                    if rng.random() < 0.35 and len(rows) < count:
                        member, member_phone = person()
                        rows.append([*unit[:3], None, None, None, member, "家庭成员", member_phone, None, when, None])
                    if rng.random() < 0.08 and len(rows) < count:
                        tenant, tenant_phone = person()
                        rows.append([*unit[:3], None, None, None, tenant, "租户", tenant_phone, None, None, "租期一年"])
    return rows


def id_card(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))
    return f"440305{born:%Y%m%d}{rng.randint(100, 999)}{rng.choice('0123456789X')}"


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    from guanjia.estates.roster.columns import COLUMNS, SHEET_NAME

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_NAME)
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    book.save(path)


def main() -> None:
    with throwaway_database() as connection:
        from django.test.utils import CaptureQueriesContext

        from guanjia.estates.models import Company, Customer, Project, Residency, Unit
        from guanjia.estates.roster.services import roster_import, roster_parse, roster_validate

        project = Project.objects.create(
            company=Company.objects.create(name="基准物业", code="bench"), name="基准花园", code="bench"
        )
        timings: dict[str, tuple[float, float]] = {}
        with tempfile.TemporaryDirectory(prefix="guanjia-bench-") as tmp:
            path = Path(tmp) / "基准花园名册.xlsx"
            started = time.perf_counter()
            write_xlsx(path, roster_rows(ROWS, random.Random(SEED)))
            generated = time.perf_counter() - started
            size_mb = path.stat().st_size / 1024 / 1024

            with path.open("rb") as fh, timed(timings, "parse (roster_parse)"):
                parsed = roster_parse(fh)
            with timed(timings, "validate (roster_validate)"):
                errors = roster_validate(parsed, project, create_buildings=True)
            assert not errors, errors[:5]
            with (
                path.open("rb") as fh,
                CaptureQueriesContext(connection) as queries,
                timed_write(timings, "write (bulk inserts, in import)"),
                timed(timings, "import end to end (roster_import)"),
            ):
                result = roster_import(project=project, file=fh, actor=None, create_buildings=True)
            assert result.imported, result.errors[:5]

        rows = len(parsed.rows)
        stored = {
            "units": Unit.objects.filter(project=project).count(),
            "customers": Customer.objects.filter(project=project).count(),
            "residencies": Residency.objects.filter(unit__project=project).count(),
        }
        assert stored["units"] == result.counts["units"] and stored["customers"] == result.counts["customers"]
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"file: {rows} rows, {size_mb:.1f} MB, generated in {generated:.1f} s")
        print(f"imported: {result.counts}; {len(queries.captured_queries)} queries")
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        print()
        print(f"| {'phase':<34} | {'rows':>6} | {'wall s':>7} | {'CPU s':>7} | {'rows/s':>7} |")
        print(f"|{'-' * 36}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
        for phase, (wall, cpu) in timings.items():
            print(f"| {phase:<34} | {rows:>6} | {wall:>7.2f} | {cpu:>7.2f} | {rows / wall:>7.0f} |")


@contextmanager
def timed(timings: dict[str, tuple[float, float]], phase: str) -> Iterator[None]:
    """Wall-clock and CPU seconds of the block: on a busy machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    timings[phase] = (time.perf_counter() - wall, time.process_time() - cpu)


@contextmanager
def timed_write(timings: dict[str, tuple[float, float]], phase: str) -> Iterator[None]:
    """Time the write step inside roster_import (the bulk inserts, before the commit)."""
    from guanjia.estates.roster import services

    write = services._write

    def measured(plan: Any, project: Any) -> None:
        with timed(timings, phase):
            write(plan, project)

    services._write = measured
    try:
        yield
    finally:
        services._write = write


if __name__ == "__main__":
    main()
