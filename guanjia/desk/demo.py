"""Demo data for `make run`: one company, two estates, their homes and residents, staff of every role, a
repair price list and four weeks of cases. Seeded, so every run (and every screenshot) shows the same people.

``plan()`` decides the estates in memory (pure, deterministic); ``load()`` writes them with ``bulk_create``,
then replays the last four weeks of complaints, repairs, ledgers and duty logs through the services on a
simulated clock (``guanjia.desk.history``), all in one transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from guanjia.accounts.models import Role, User
from guanjia.desk import history
from guanjia.estates.models import (
    Building,
    Company,
    Customer,
    CustomerKind,
    CustomerPhone,
    Project,
    Residency,
    Unit,
    UnitStatus,
)
from guanjia.estates.services import name_search_keys
from guanjia.repairs.models import PriceCategory, PriceItem

SEED = 20260901
DEMO_PASSWORD = "guanjia123"  # noqa: S105 (the published password of the demo, printed at start-up)
ADMIN_USERNAME = "admin"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def served_url(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    """The address a browser on this machine opens for a server bound to ``host``:``port`` (an IPv6 address in
    brackets; "all interfaces" as this machine's loopback address)."""
    name = host.strip().strip("[]") or DEFAULT_HOST
    if name == "0.0.0.0":  # noqa: S104 (bound to every interface: this machine reaches it on loopback)
        name = "127.0.0.1"
    elif name == "::":
        name = "::1"
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"


DEFAULT_URL = served_url()

COMPANY = {"name": "安居物业服务有限公司", "code": "anju"}


@dataclass(frozen=True)
class EstateSpec:
    code: str
    name: str
    address: str
    phone: str
    buildings: int
    entrances: int
    floors: int
    per_floor: int


ESTATES = (
    EstateSpec("binjiang", "滨江花园", "杭州市滨江区江南大道 1888 号", "0571-86601234", 6, 2, 11, 2),
    EstateSpec("cuihu", "翠湖苑", "杭州市西湖区翠湖路 16 号", "0571-87702345", 4, 2, 9, 2),
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    name: str
    role: str
    estate: str | None  # None: company-wide
    buildings: tuple[str, ...] = ()  # a butler's buildings (O03)


STAFF = (
    StaffSpec("zongjingli", "郑国强", Role.GENERAL_MANAGER, None),
    StaffSpec("jingli", "吴建华", Role.OFFICE_MANAGER, "binjiang"),
    StaffSpec("kefuzhuguan", "周丽娟", Role.CS_SUPERVISOR, "binjiang"),
    StaffSpec("qiantai", "陈晓燕", Role.FRONT_DESK, "binjiang"),
    StaffSpec("qiantai2", "林雨婷", Role.FRONT_DESK, "binjiang"),
    StaffSpec("guanjia", "王芳", Role.BUTLER, "binjiang", ("1", "2", "3")),
    StaffSpec("guanjia2", "何志明", Role.BUTLER, "binjiang", ("4", "5", "6")),
    StaffSpec("kehuzhuli", "李静", Role.CUSTOMER_ASSISTANT, "binjiang"),
    StaffSpec("gongchengzhuguan", "张卫东", Role.ENGINEERING_SUPERVISOR, "binjiang"),
    StaffSpec("jishi", "刘建军", Role.TECHNICIAN, "binjiang"),
    StaffSpec("jishi2", "马海涛", Role.TECHNICIAN, "binjiang"),
    StaffSpec("zhixu", "赵强", Role.SECURITY, "binjiang"),
    StaffSpec("huanjing", "孙美玲", Role.ENVIRONMENT, "binjiang"),
    StaffSpec("waibao", "黄永福", Role.CONTRACTOR, "binjiang"),
    StaffSpec("jingli2", "高明", Role.OFFICE_MANAGER, "cuihu"),
    StaffSpec("kefuzhuguan2", "徐丹", Role.CS_SUPERVISOR, "cuihu"),
    StaffSpec("qiantai3", "杨柳", Role.FRONT_DESK, "cuihu"),
    StaffSpec("guanjia3", "朱晓红", Role.BUTLER, "cuihu", ("1", "2", "3", "4")),
    StaffSpec("jishi3", "胡大勇", Role.TECHNICIAN, "cuihu"),
)

# (code, name, category, unit, fee, note): common items of a residential repair price list.
PRICE_LIST = (
    ("SL01", "更换水龙头", PriceCategory.PLUMBING, "个", "30", "人工费，材料由客户提供或按价另计"),
    ("SL02", "疏通下水道", PriceCategory.PLUMBING, "次", "50", ""),
    ("SL03", "疏通马桶", PriceCategory.PLUMBING, "次", "50", ""),
    ("SL04", "更换角阀", PriceCategory.PLUMBING, "个", "25", "人工费"),
    ("SL05", "更换软管", PriceCategory.PLUMBING, "根", "15", "人工费"),
    ("SL06", "水管漏水维修", PriceCategory.PLUMBING, "处", "60", "不含开槽"),
    ("DL01", "更换灯泡", PriceCategory.LIGHTING, "个", "10", "人工费"),
    ("DL02", "更换灯管", PriceCategory.LIGHTING, "根", "15", "人工费"),
    ("DL03", "安装吸顶灯", PriceCategory.LIGHTING, "盏", "40", ""),
    ("DD01", "更换开关插座面板", PriceCategory.ELECTRICAL, "个", "15", "人工费"),
    ("DD02", "检查跳闸故障", PriceCategory.ELECTRICAL, "次", "30", ""),
    ("DD03", "更换空气开关", PriceCategory.ELECTRICAL, "个", "30", "人工费"),
    ("DD04", "安装排气扇", PriceCategory.ELECTRICAL, "台", "50", ""),
    ("MC01", "更换门锁芯", PriceCategory.LOCKS, "个", "40", "人工费，锁芯按价另计"),
    ("MC02", "更换门把手", PriceCategory.LOCKS, "个", "30", ""),
    ("MC03", "开锁（需核实身份）", PriceCategory.LOCKS, "次", "80", "须出示身份证件，核对住户信息"),
    ("MC04", "调整门窗合页", PriceCategory.DOORS_WINDOWS, "扇", "20", ""),
    ("MC05", "更换纱窗", PriceCategory.DOORS_WINDOWS, "扇", "35", "人工费"),
    ("MC06", "更换门吸", PriceCategory.DOORS_WINDOWS, "个", "10", ""),
    ("WY01", "更换马桶水箱配件", PriceCategory.BATHROOM, "套", "40", "人工费"),
    ("WY02", "更换花洒", PriceCategory.BATHROOM, "个", "25", "人工费"),
    ("WY03", "更换地漏", PriceCategory.BATHROOM, "个", "30", ""),
    ("WY04", "卫生间补胶防霉", PriceCategory.BATHROOM, "米", "8", ""),
    ("JD01", "热水器简单检修", PriceCategory.APPLIANCES, "次", "50", "不含配件"),
    ("QM01", "墙面局部修补", PriceCategory.WALLS_FLOORS, "平方米", "40", ""),
    ("QM02", "地砖更换", PriceCategory.WALLS_FLOORS, "块", "30", "人工费"),
    ("QT01", "安装晾衣架", PriceCategory.OTHER, "套", "60", ""),
)

#: Common surnames, the most frequent first.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
)
#: Given names as people are actually called: common two-character names and single-character ones.
GIVEN_TWO = tuple(
    "建国 建华 志强 志明 海涛 晓东 俊杰 子轩 浩然 宇轩 梓涵 欣怡 雨欣 思琪 晓燕 丽娟 秀英 桂英 "
    "玉兰 春梅 海燕 文静 婷婷 佳怡 雪梅 明辉 国华 建军 永刚 德明 立新 振华 文博 一鸣 天佑 嘉怡 "
    "诗涵 雅婷 美玲 淑芬 秀兰 玉珍 红霞 丽华 建平 卫东 小红 晓明 子豪 俊熙 梓萱 语桐 家豪 宏伟 "
    "志刚 海峰 春华 秋菊 金凤 国强 红梅 少华 晓丽 子墨 思远 雨涵 浩宇 博文 静怡 欣妍 诗琪 承志 "
    "益民 振宇 玉梅 慧敏 凤英 德华".split()
)
GIVEN_ONE = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚鹏辉斌浩凯亮婷雪琳晨欣峰瑶颖倩波宁蕾健飞")
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 170 176 177 180 181 "
    "182 183 185 186 187 188 189 191 193 195 198 199"
).split()


@dataclass
class PlannedCustomer:
    name: str
    kind: str
    phones: list[tuple[str, str]]  # (number, label)
    move_in: date | None


@dataclass
class PlannedUnit:
    building: str
    entrance: str
    room: str
    floor: int
    area_m2: Decimal
    status: str
    customers: list[PlannedCustomer] = field(default_factory=list)


@dataclass
class Plan:
    units: dict[str, list[PlannedUnit]]  # by estate code


def plan(seed: int = SEED) -> Plan:
    """Every unit and resident of the demo, decided by a seeded generator (no database)."""
    rng = random.Random(seed)
    used_phones: set[str] = set()
    units: dict[str, list[PlannedUnit]] = {}
    for estate in ESTATES:
        rows: list[PlannedUnit] = []
        for b in range(1, estate.buildings + 1):
            for e in range(1, estate.entrances + 1):
                for floor in range(1, estate.floors + 1):
                    for pos in range(1, estate.per_floor + 1):
                        status = rng.choices(
                            (UnitStatus.OCCUPIED, UnitStatus.VACANT, UnitStatus.DECORATING), weights=(84, 9, 7)
                        )[0]
                        unit = PlannedUnit(
                            building=str(b),
                            entrance=str(e),
                            room=f"{floor}{pos:02d}",
                            floor=floor,
                            area_m2=Decimal(rng.choice(("89.50", "105.20", "128.00", "143.60"))),
                            status=status,
                        )
                        unit.customers = _residents(rng, status, used_phones)
                        rows.append(unit)
        units[estate.code] = rows
    return Plan(units=units)


def _residents(rng: random.Random, status: str, used: set[str]) -> list[PlannedCustomer]:
    if status == UnitStatus.VACANT and rng.random() < 0.4:
        return []
    surname = rng.choice(SURNAMES)
    moved_in = None if status != UnitStatus.OCCUPIED else date(2014, 6, 1) + timedelta(days=rng.randrange(4200))
    labels = ("本人", "家属", "办公")
    owner_phones = [(_mobile(rng, used), labels[0])]
    if rng.random() < 0.3:
        second = _mobile(rng, used) if rng.random() < 0.8 else _landline(rng, used)
        owner_phones.append((second, rng.choice(labels[1:])))
    owner = PlannedCustomer(_name(rng, surname), CustomerKind.OWNER, owner_phones, moved_in)
    people = [owner]
    if status != UnitStatus.OCCUPIED:
        return people
    if rng.random() < 0.12:  # let to a tenant; the owner lives elsewhere
        owner.move_in = None
        tenant_moved = date(2023, 1, 1) + timedelta(days=rng.randrange(1300))
        people.append(
            PlannedCustomer(
                _name(rng, rng.choice(SURNAMES)), CustomerKind.TENANT, [(_mobile(rng, used), "本人")], tenant_moved
            )
        )
        return people
    for _i in range(rng.choice((0, 0, 1, 1, 2))):
        member_surname = surname if rng.random() < 0.6 else rng.choice(SURNAMES)
        people.append(
            PlannedCustomer(
                _name(rng, member_surname), CustomerKind.HOUSEHOLD_MEMBER, [(_mobile(rng, used), "本人")], moved_in
            )
        )
    return people


def _name(rng: random.Random, surname: str) -> str:
    return surname + (rng.choice(GIVEN_ONE) if rng.random() < 0.3 else rng.choice(GIVEN_TWO))


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def _landline(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"0571-8{rng.randrange(10**7):07d}"
        if number not in used:
            used.add(number)
            return number


def is_loaded() -> bool:
    return Company.objects.exists()


def load(seed: int = SEED, *, now: datetime | None = None, cases: bool = True) -> dict[str, int]:
    """Write the demo into an empty database; returns counts for the command to print.

    The estates are set up the day before the history starts; with ``cases`` the four weeks up to ``now``
    (default: the real now) are replayed. Nothing is dated after ``now``.
    """
    end = now or timezone.now()
    clock = history.Clock(history.history_start(end) - timedelta(days=1))
    with history.simulated_time(clock), transaction.atomic():
        counts = _load_estates(seed)
        if cases:
            projects = list(Project.objects.filter(code__in=[e.code for e in ESTATES]).order_by("pk"))
            counts |= history.load_history(projects, clock=clock, end=end, seed=seed)
    return counts


def _load_estates(seed: int) -> dict[str, int]:
    the_plan = plan(seed)
    company = Company.objects.create(**COMPANY)
    projects = {
        spec.code: Project.objects.create(
            company=company, code=spec.code, name=spec.name, address=spec.address, phone=spec.phone
        )
        for spec in ESTATES
    }
    staff = _load_staff(company, projects)
    counts = {"projects": len(projects), "staff": len(staff), "units": 0, "customers": 0, "price_items": 0}
    for code, project in projects.items():
        butlers = {b: user for spec, user in staff if spec.estate == code for b in spec.buildings}
        units_done, customers_done = _load_estate(project, the_plan.units[code], butlers)
        counts["units"] += units_done
        counts["customers"] += customers_done
        counts["price_items"] += _load_price_list(
            project, markup=Decimal("1.00") if code == "binjiang" else Decimal("1.10")
        )
    return counts


def _load_staff(company: Company, projects: dict[str, Project]) -> list[tuple[StaffSpec, User]]:
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
    rng = random.Random(SEED + 1)
    used: set[str] = set()
    made: list[tuple[StaffSpec, User]] = []
    for spec in STAFF:
        user = User.objects.create(
            username=spec.username,
            password=password,
            name=spec.name,
            role=spec.role,
            phone=_mobile(rng, used),
            company=company,
            company_wide=spec.estate is None,
        )
        if spec.estate:
            user.projects.set([projects[spec.estate]])
        made.append((spec, user))
    User.objects.create(
        username=ADMIN_USERNAME,
        password=password,
        name="系统管理员",
        role=Role.GENERAL_MANAGER,
        company=company,
        company_wide=True,
        is_staff=True,
        is_superuser=True,
    )
    return made


def _load_estate(project: Project, planned: list[PlannedUnit], butlers: dict[str, User]) -> tuple[int, int]:
    buildings = {
        number: Building.objects.create(project=project, number=number)
        for number in sorted({u.building for u in planned}, key=int)
    }
    units = Unit.objects.bulk_create(
        Unit(
            project=project,
            building=buildings[u.building],
            entrance=u.entrance,
            room=u.room,
            floor=u.floor,
            area_m2=u.area_m2,
            status=u.status,
            butler=butlers.get(u.building),
        )
        for u in planned
    )
    pairs = [(unit, person) for unit, spec in zip(units, planned, strict=True) for person in spec.customers]
    customers = Customer.objects.bulk_create(
        Customer(
            project=project,
            name=person.name,
            kind=person.kind,
            name_initials=name_search_keys(person.name)[0],
            name_pinyin=name_search_keys(person.name)[1],
        )
        for _unit, person in pairs
    )
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=customer, number=number, label=label, position=i)
        for customer, (_unit, person) in zip(customers, pairs, strict=True)
        for i, (number, label) in enumerate(person.phones)
    )
    Residency.objects.bulk_create(
        Residency(customer=customer, unit=unit, kind=person.kind, move_in_date=person.move_in)
        for customer, (unit, person) in zip(customers, pairs, strict=True)
    )
    return len(units), len(customers)


def _load_price_list(project: Project, markup: Decimal) -> int:
    items = PriceItem.objects.bulk_create(
        PriceItem(
            project=project,
            code=code,
            name=name,
            category=category,
            unit=unit,
            fee_yuan=(Decimal(fee) * markup).quantize(Decimal("1")),
            labour_note=note,
        )
        for code, name, category, unit, fee, note in PRICE_LIST
    )
    return len(items)


def login_help(url: str = DEFAULT_URL) -> str:
    """How to log in to the demo, in Chinese and English (printed by `load_demo` and `serve`)."""
    width = max(len(s.username) for s in STAFF)  # usernames are ASCII, so padding lines them up
    lines = [
        "",
        "=" * 64,
        f"管家 Guanjia 已就绪 / is ready:  {url}",
        f"演示密码 / demo password:  {DEMO_PASSWORD}   （所有账号相同 / same for every account）",
        "",
        f"  {'用户名 username':<{width + 2}}{'role':<24}岗位 · 姓名 · 项目 / role · name · estate",
    ]
    estate_names = {e.code: e.name for e in ESTATES}
    for spec in STAFF:
        role = Role(spec.role)
        estate = estate_names[spec.estate] if spec.estate else "全公司 / company-wide"
        lines.append(f"  {spec.username:<{width + 2}}{role.value:<24}{role.label} · {spec.name} · {estate}")
    lines += [
        f"  {ADMIN_USERNAME:<{width + 2}}{'superuser':<24}系统管理员 · {url}/admin/",
        "",
        "建议先用 qiantai（前台）、guanjia（管家）、jingli（管理处经理）或 zongjingli（总经理）登录。",
        "Try qiantai (front desk), guanjia (butler), jingli (office manager) or zongjingli (general manager).",
        f"API: {url}/api/docs/  ·  token: POST {url}/api/v1/auth/token",
        "=" * 64,
        "",
    ]
    return "\n".join(lines)
