"""Customer search at 100,000 customers: median and p95 of ``customer_search`` for every query form.

    .venv/bin/python -m bench search                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanjia .venv/bin/python -m bench search

The data lives in a throwaway test database (Django's test-database machinery: ``test_<name>`` on
PostgreSQL, a temporary file for SQLite), never in var/. All 100,000 customers belong to one estate, the
worst case for a search scoped to one project. Environment: BENCH_CUSTOMERS (default 100000), BENCH_RUNS
(default 50).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅文斌宇浩凯亮婷雪琳晨欣怡"
    "子涵梓轩然思远佳慧俊峰志海燕晓东"
)
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 166 176 177 180 181 186 187 188 189 199".split()
)


def main() -> None:
    customers = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
    runs = int(os.environ.get("BENCH_RUNS", "50"))
    _django()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    workdir = tempfile.mkdtemp(prefix="guanjia-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(workdir) / "bench_search.sqlite3")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        user, project, sample = _populate(customers)
        print(f"{customers:,} customers loaded into {connection.vendor} in {time.perf_counter() - started:.1f}s")
        _measure(user, project, sample, runs)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


def _django() -> None:
    from django.conf import settings

    if not settings.configured:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


@cache
def _keys(name: str) -> tuple[str, str]:
    from guanjia.estates.services import name_search_keys

    return name_search_keys(name)


def _populate(total: int) -> tuple[Any, Any, dict[str, Any]]:
    """One estate: 80 buildings (every tenth without entrances), 34 floors, 5 homes a floor; 1-4 people a home."""
    from django.db import connection, transaction

    from guanjia.accounts.models import Role
    from guanjia.estates.models import Building, Customer, CustomerKind, CustomerPhone, Residency, Unit
    from guanjia.testing.factories import make_company, make_project, make_staff

    rng = random.Random(20261122)
    company = make_company(name="安居物业", code="anju")
    project = make_project(company, name="万家花园", code="wanjia")
    make_project(company, name="翠湖苑", code="cuihu")  # a second estate, so scoping has something to exclude
    user = make_staff(Role.FRONT_DESK, projects=(project,), username="bench")
    butler = make_staff(Role.BUTLER, projects=(project,), username="bench-butler")

    with transaction.atomic():
        buildings = Building.objects.bulk_create(Building(project=project, number=str(n)) for n in range(1, 81))
        units = [
            Unit(project=project, building=b, entrance=e, room=f"{floor}{r:02d}", floor=floor, butler=butler)
            for b in buildings
            for e in (("",) if int(b.number) % 10 == 0 else ("1", "2", "3"))
            for floor in range(1, 35)
            for r in range(1, 6)
        ]
        units = Unit.objects.bulk_create(units, batch_size=5000)
        used_phones: set[str] = set()
        people: list[tuple[Customer, Unit, list[str]]] = []
        home = next(u for u in units if u.building.number == "3" and u.entrance == "2" and u.room == "1201")
        while len(people) < total:
            unit = rng.choice(units) if people else home
            for i in range(min(rng.choice((1, 2, 2, 3, 3, 4)), total - len(people))):
                given = rng.choice((1, 2, 2)) if people else 2  # the benched resident has a three-character name
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given))
                initials, full = _keys(name)
                kind = (
                    CustomerKind.OWNER if i == 0 else rng.choice((CustomerKind.HOUSEHOLD_MEMBER, CustomerKind.TENANT))
                )
                customer = Customer(project=project, name=name, kind=kind, name_initials=initials, name_pinyin=full)
                phones = [_phone(rng, used_phones) for _ in range(1 if rng.random() < 0.75 else 2)]
                people.append((customer, unit, phones))
        Customer.objects.bulk_create([c for c, _u, _p in people], batch_size=5000)
        CustomerPhone.objects.bulk_create(
            (CustomerPhone(customer=c, number=n, position=i) for c, _u, ps in people for i, n in enumerate(ps)),
            batch_size=5000,
        )
        Residency.objects.bulk_create((Residency(customer=c, unit=u) for c, u, _p in people), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # A resident of 3栋2单元1201, the home the queries below look for.
    target, _home, target_phones = people[0]
    target_phone = target_phones[0]
    common_surname = max(SURNAMES, key=lambda s: sum(1 for c, _u, _p in people[:5000] if c.name.startswith(s)))
    return user, project, {"customer": target, "phone": target_phone, "surname": common_surname}


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        if rng.random() < 0.05:
            number = f"0{rng.choice(('755', '20', '21', '10'))}-{rng.randrange(10_000_000, 99_999_999)}"
        else:
            number = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(0, 100_000_000):08d}"
        if number not in used:
            used.add(number)
            return number


def _measure(user: Any, project: Any, sample: dict[str, Any], runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanjia.estates.selectors import customer_search

    customer = sample["customer"]
    phone = sample["phone"].replace("-", "")
    forms = [
        ("name, exact", customer.name),
        ("name, common surname", sample["surname"]),
        ("name, given name inside", customer.name[-1]),
        ("pinyin initials, whole name", customer.name_initials),
        ("pinyin initials, 2 letters", customer.name_initials[:2]),
        ("pinyin initials, 1 letter", customer.name_initials[:1]),
        ("full pinyin prefix", customer.name_pinyin[: max(4, len(customer.name_pinyin) - 2)]),
        ("phone, full number", phone),
        ("phone, last 4 digits (and room)", phone[-4:]),
        ("phone, 5 digits in the middle", phone[3:8]),
        ("unit 3-2-1201", "3-2-1201"),
        ("unit 3栋2单元1201", "3栋2单元1201"),
        ("unit 3-1201", "3-1201"),
        ("unit 3栋1201", "3栋1201"),
        ("unit 3#1201", "3#1201"),
        ("room only 1201 (and phone)", "1201"),
        ("no match", "鑫鑫鑫"),
    ]
    header = f"{'query form':<34}{'query':<16}{'results':>8}{'queries':>8}{'median ms':>11}{'p95 ms':>9}"
    print(f"customer_search at {project.customers.count():,} customers ({connection.vendor}, {runs} runs each)")
    print(header)
    print("-" * len(header))
    for label, query in forms:
        timings = []
        for _ in range(runs):
            user.__dict__.pop("_guanjia_project_ids", None)  # a fresh request looks its projects up again
            started = time.perf_counter()
            results = customer_search(user=user, project=project, query=query)
            timings.append((time.perf_counter() - started) * 1000)
        user.__dict__.pop("_guanjia_project_ids", None)
        with CaptureQueriesContext(connection) as ctx:
            customer_search(user=user, project=project, query=query)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        print(
            f"{_pad(label, 34)}{_pad(query, 16)}{len(results):>8}{len(ctx):>8}"
            f"{statistics.median(timings):>11.1f}{p95:>9.1f}",
            flush=True,
        )


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


if __name__ == "__main__":
    main()
