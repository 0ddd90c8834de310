"""Checking roster rows (O01) and turning them into a plan of what to write.

Every cell is checked and every problem is kept (row as Excel numbers it, column header, problem in Chinese),
so the user fixes the whole file in one pass. Rules the file itself must keep:

- several rows may name the same unit (one row per customer); its floor, area and status may be given on
  one of them, and where given on several they must agree;
- a customer on several rows with the same name and a shared phone is one customer with several units;
- the same name twice in one unit is a duplicate row;
- a unit that already exists in the project is not imported again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanjia.core import clean
from guanjia.estates.models import Building, CustomerKind, CustomerPhone, Project, Unit, UnitStatus
from guanjia.estates.roster.columns import BY_KEY, COLUMNS
from guanjia.estates.services import id_number_keys, name_search_keys

#: A unit is (building ref, entrance, room); a building ref is "#<id>" for a stored one, "+<number>" for a new one.
UnitKey = tuple[str, str, str]
NAME_MAX = 50
BUILDING_NUMBER_MAX = 16
BUILDING_NAME_MAX = 50
NOTE_MAX = 500
QUERY_CHUNK = 500
_BAD: Any = object()  # a cell that failed its check (the problem is already recorded)
_COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}
_PHONE_SPLIT = re.compile(r"[、,，;；/／|\n\r]+")
_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_BUILDING_RE = re.compile(r"([0-9A-Z][0-9A-Z-]*)(栋|幢|号楼|号|座)?")


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as Excel numbers it (None for the whole file), the column's header, the problem."""

    row: int | None
    column: str
    message: str


@dataclass
class RosterRow:
    number: int
    values: dict[str, Any]
    cells: tuple[Any, ...]


@dataclass
class UnitPlan:
    building: str
    entrance: str
    room: str
    label: str
    first_row: int
    floor: int | None = None
    area: Decimal | None = None
    status: str | None = None
    status_bad: bool = False
    set_by: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)


@dataclass
class CustomerPlan:
    name: str
    kind: str
    first_row: int
    initials: str
    pinyin: str
    phones: list[str] = field(default_factory=list)
    id_last4: str = ""
    id_hash: str = ""
    id_row: int = 0
    notes: list[str] = field(default_factory=list)
    #: (unit, move-in date, row, kind of this residency)
    residencies: list[tuple[UnitKey, date | None, int, str]] = field(default_factory=list)
    existing_id: int | None = None
    linked: bool = False
    new_phones: list[str] = field(default_factory=list)


@dataclass
class RosterPlan:
    building_ids: dict[str, int]
    new_buildings: list[tuple[str, str]]
    units: dict[UnitKey, UnitPlan]
    customers: list[CustomerPlan]

    def counts(self, *, rows: int) -> dict[str, int]:
        return {
            "rows": rows,
            "buildings": len(self.new_buildings),
            "units": len(self.units),
            "customers": sum(1 for c in self.customers if not c.linked),
            "customers_linked": sum(1 for c in self.customers if c.linked),
            "phones": sum(len(c.new_phones) for c in self.customers),
            "residencies": sum(len(c.residencies) for c in self.customers),
        }


class _Problem(Exception):
    pass


def plan_rows(
    rows: Iterable[RosterRow], project: Project, *, create_buildings: bool
) -> tuple[RosterPlan, list[RowError]]:
    checker = _Checker(project, create_buildings=create_buildings)
    for row in rows:
        checker.check(row)
    return checker.finish()


class _Checker:
    def __init__(self, project: Project, *, create_buildings: bool) -> None:
        self.project = project
        self.buildings = _Buildings(project, create=create_buildings)
        self.existing_units = {
            (f"#{b}", e.upper(), r.upper())
            for b, e, r in Unit.objects.filter(project=project).values_list("building_id", "entrance", "room")
        }
        self.errors: list[RowError] = []
        self.units: dict[UnitKey, UnitPlan] = {}
        self.reported_existing: set[UnitKey] = set()
        self.customers: list[CustomerPlan] = []
        self.by_name_phone: dict[tuple[str, str], CustomerPlan] = {}
        self.statuses = _choice_names(UnitStatus)
        self.kinds = _choice_names(CustomerKind)
        self.today = timezone.localdate()
        self.search_keys = lru_cache(maxsize=None)(name_search_keys)

    # -- one row --------------------------------------------------------------------------------------

    def check(self, row: RosterRow) -> None:
        unit = self._unit(row)
        self._customer(row, unit)

    def _unit(self, row: RosterRow) -> UnitKey | None:
        building = self._cell(row, "building", self.buildings.resolve)
        entrance = self._cell(row, "entrance", _entrance)
        room = self._cell(row, "room", _room)
        values = {
            "floor": self._cell(row, "floor", _floor),
            "area": self._cell(row, "area", _area),
            "status": self._cell(row, "status", lambda v: _choice(v, self.statuses, _STATUS_HINT)),
        }
        if _BAD in (building, entrance, room):
            return None
        key: UnitKey = (building, entrance, room)
        label = f"{self.buildings.label(building)}{entrance + '单元' if entrance else ''}{room}"
        if key in self.existing_units:
            if key not in self.reported_existing:
                self.reported_existing.add(key)
                self._error(row, "room", _("房屋 %(unit)s 已存在于本项目，不能重复导入") % {"unit": label})
            return None
        plan = self.units.get(key)
        if plan is None:
            plan = self.units[key] = UnitPlan(building, entrance, room, label, row.number)
        plan.status_bad = plan.status_bad or values["status"] is _BAD
        for attr, value in values.items():
            if value is None or value is _BAD:
                continue
            current = getattr(plan, attr)
            if current is None:
                setattr(plan, attr, value)
                plan.set_by[attr] = row.number
            elif current != value:
                self._error(
                    row,
                    attr,
                    _("与第 %(row)d 行的同一房屋 %(unit)s 不一致（那一行是“%(other)s”）")
                    % {"row": plan.set_by[attr], "unit": label, "other": self._show(attr, current)},
                )
        return key

    def _customer(self, row: RosterRow, unit: UnitKey | None) -> None:
        name = self._cell(row, "name", lambda v: _text(v, NAME_MAX))
        if not name:
            for key in ("kind", "phones", "id_number", "move_in", "note"):
                if row.values.get(key) is not None:
                    self._error(row, key, _("未填写客户姓名，无法保存%(column)s") % {"column": BY_KEY[key].header})
            return
        kind = self._cell(row, "kind", lambda v: _choice(v, self.kinds, _KIND_HINT))
        if kind is None:
            self._error(row, "kind", _("请填写客户类别（业主、租户或家庭成员）"))
        phones = self._cell(row, "phones", _phones)
        id_keys = self._cell(row, "id_number", _id_number)
        move_in = self._cell(row, "move_in", self._date)
        note = self._cell(row, "note", lambda v: _text(v, NOTE_MAX))
        if unit is None or kind is None or _BAD in (name, kind, phones, id_keys, move_in, note):
            return
        names = self.units[unit].names
        if name in names:
            self._error(
                row, "name", _("与第 %(row)d 行重复：同一房屋已有客户“%(name)s”") % {"row": names[name], "name": name}
            )
            return
        names[name] = row.number
        # The kind belongs to the residency: the same person may own one unit and rent another (O01).
        customer = self._same_customer(row, name, kind, phones)
        if id_keys:
            if customer.id_hash and customer.id_hash != id_keys[1]:
                self._error(row, "id_number", self._differs(customer.id_row, "*" * 4 + customer.id_last4))
                return
            customer.id_last4, customer.id_hash, customer.id_row = id_keys[0], id_keys[1], row.number
        for number in phones:
            if number not in customer.phones:
                customer.phones.append(number)
            self.by_name_phone[(name, number)] = customer
        if note and note not in customer.notes:
            customer.notes.append(note)
        customer.residencies.append((unit, move_in, row.number, kind))

    def _same_customer(self, row: RosterRow, name: str, kind: str, phones: list[str]) -> CustomerPlan:
        """The customer this row belongs to: one already met with this name and a shared phone, or a new one."""
        found: list[CustomerPlan] = []
        for number in phones:
            known = self.by_name_phone.get((name, number))
            if known is not None and all(known is not f for f in found):
                found.append(known)
        if not found:
            initials, pinyin = self.search_keys(name)
            customer = CustomerPlan(name=name, kind=kind, first_row=row.number, initials=initials, pinyin=pinyin)
            self.customers.append(customer)
            return customer
        first = found[0]
        for other in found[1:]:  # this row's phones join two customers met separately: they are one person
            first.phones += [p for p in other.phones if p not in first.phones]
            first.residencies += other.residencies
            first.notes += [n for n in other.notes if n not in first.notes]
            first.id_last4, first.id_hash = first.id_last4 or other.id_last4, first.id_hash or other.id_hash
            for number in other.phones:
                self.by_name_phone[(name, number)] = first
            self.customers = [c for c in self.customers if c is not other]
        return first

    # -- the whole file -------------------------------------------------------------------------------

    def finish(self) -> tuple[RosterPlan, list[RowError]]:
        for unit in self.units.values():
            if unit.status is None and not unit.status_bad:
                self.errors.append(
                    RowError(unit.first_row, BY_KEY["status"].header, _("请填写房屋状态（已入住、空置或装修中）"))
                )
        for customer in self.customers:
            customer.new_phones = list(customer.phones)
        if not self.errors:
            self._link_existing_customers()
        self.errors.sort(key=lambda e: (e.row or 0, _COLUMN_ORDER.get(e.column, 99)))
        plan = RosterPlan(
            building_ids=self.buildings.ids,
            new_buildings=list(self.buildings.new.items()),
            units=self.units,
            customers=self.customers,
        )
        return plan, self.errors

    def _link_existing_customers(self) -> None:
        """A customer already in the project (same name, a shared phone) gets the new units, not a twin."""
        numbers = sorted({n for c in self.customers for n in c.phones})
        owner: dict[tuple[str, str], int] = {}
        stored: dict[int, set[str]] = {}
        for i in range(0, len(numbers), QUERY_CHUNK):
            rows = CustomerPhone.objects.filter(
                customer__project=self.project, number__in=numbers[i : i + QUERY_CHUNK]
            ).values_list("number", "customer_id", "customer__name")
            for number, customer_id, name in rows:
                stored.setdefault(customer_id, set()).add(number)
                owner[(name, number)] = min(owner.get((name, number), customer_id), customer_id)
        for customer in self.customers:
            ids = {owner[(customer.name, n)] for n in customer.phones if (customer.name, n) in owner}
            if ids:
                customer.existing_id, customer.linked = min(ids), True
                customer.new_phones = [n for n in customer.phones if n not in stored[customer.existing_id]]

    # -- helpers --------------------------------------------------------------------------------------

    def _cell(self, row: RosterRow, key: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(row.values.get(key))
        except _Problem as problem:
            self._error(row, key, str(problem))
            return _BAD

    def _error(self, row: RosterRow, key: str, message: str) -> None:
        self.errors.append(RowError(row.number, BY_KEY[key].header, message))

    def _differs(self, row: int, other: str) -> str:
        return _("与第 %(row)d 行的同一客户（姓名、电话相同）不一致（那一行是“%(other)s”）") % {
            "row": row,
            "other": other,
        }

    def _show(self, attr: str, value: Any) -> str:
        if attr == "status":
            return str(UnitStatus(value).label)
        if attr == "kind":
            return str(CustomerKind(value).label)
        return str(value)

    def _date(self, value: Any) -> date | None:
        if value is None:
            return None
        day = _day(value)
        if day is None:
            raise _Problem(_("“%(value)s”不是有效日期，请填写日期或 YYYY-MM-DD 格式") % {"value": _as_text(value)})
        if day > self.today:
            raise _Problem(_("入住日期 %(date)s 晚于今天") % {"date": day.isoformat()})
        return day


class _Buildings:
    """The project's buildings by every name a file may use for them ("3", "3栋", "3号楼", the building's name)."""

    def __init__(self, project: Project, *, create: bool) -> None:
        self.create = create
        self.by_text: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        self.new: dict[str, str] = {}
        for building in Building.objects.filter(project=project):
            ref = f"#{building.pk}"
            self.ids[ref] = building.pk
            self.labels[ref] = building.label
            for text in (building.number, building.name, building.label):
                if text:
                    self.by_text.setdefault(_compact(text), ref)

    def label(self, ref: str) -> str:
        return self.labels[ref]

    def resolve(self, value: Any) -> str:
        text = _compact(_as_text(value))
        if not text:
            raise _Problem(_("请填写楼栋"))
        match = _BUILDING_RE.fullmatch(text)
        number, name = (match[1], text if match[2] == "座" else "") if match else (text, text)
        found = self.by_text.get(text) or self.by_text.get(number)
        if found:
            return found
        if not self.create:
            raise _Problem(
                _("楼栋“%(value)s”在本项目中不存在：请先建立该楼栋，或勾选“自动创建不存在的楼栋”")
                % {"value": _as_text(value)}
            )
        if len(number) > BUILDING_NUMBER_MAX or len(name) > BUILDING_NAME_MAX:
            raise _Problem(_("楼栋“%(value)s”过长，楼栋号最多 16 个字") % {"value": _as_text(value)})
        ref = f"+{number}"
        self.new.setdefault(number, name)
        self.labels.setdefault(ref, name or f"{number}栋")
        return ref


# --- cell checks: each returns the clean value or raises _Problem with the message for the user ---------

_STATUS_HINT = "已入住、空置 或 装修中"
_KIND_HINT = "业主、租户 或 家庭成员"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _day(value: Any) -> date | None:
    """A date cell, or text such as 2021-05-01, 2021/5/1 or 2021年5月1日; None when it is no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _text(value: Any, limit: int) -> str:
    text = _as_text(value)
    if len(text) > limit:
        raise _Problem(_("内容过长（%(length)d 个字），最多 %(max)d 个字") % {"length": len(text), "max": limit})
    return text


def _entrance(value: Any) -> str:
    text = re.sub(r"单元$", "", _compact(_as_text(value)))
    return _text(text, 8)


def _room(value: Any) -> str:
    text = _compact(_as_text(value))
    if not text:
        raise _Problem(_("请填写房号"))
    return _text(text, 16)


def _floor(value: Any) -> int | None:
    if value is None:
        return None
    text = re.sub(r"(层|楼|F)$", "", _compact(_as_text(value)))
    if not re.fullmatch(r"-?\d{1,3}", text) or not -20 <= int(text) <= 300:
        raise _Problem(_("楼层“%(value)s”无效，请填写整数，如 12 或 -1") % {"value": _as_text(value)})
    return int(text)


def _area(value: Any) -> Decimal | None:
    if value is None:
        return None
    text = re.sub(r"(㎡|平方米|平米|M2|M²)$", "", _compact(_as_text(value)))
    try:
        area = Decimal(text)
    except InvalidOperation:
        area = Decimal("NaN")
    if not area.is_finite() or not Decimal(0) < area < Decimal(1_000_000):
        raise _Problem(_("建筑面积“%(value)s”无效，请填写大于 0 的数字，如 89.50") % {"value": _as_text(value)})
    return area.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _choice_names(choices: type[TextChoices]) -> dict[str, str]:
    """The Chinese label, the label in the current language and the stored value all name a choice."""
    names = {str(label): value for value, label in choices.choices}
    with translation.override("zh-hans"):
        names.update({str(label): value for value, label in choices.choices})
    names.update({value: value for value in choices.values})
    return names


def _choice(value: Any, names: dict[str, str], hint: str) -> str | None:
    text = _compact(_as_text(value))
    if not text:
        return None
    if text in names or text.lower() in names:
        return names.get(text) or names[text.lower()]
    raise _Problem(_("“%(value)s”无效，应为 %(hint)s") % {"value": _as_text(value), "hint": hint})


def _phones(value: Any) -> list[str]:
    numbers: list[str] = []
    bad: list[str] = []
    for part in _PHONE_SPLIT.split(_as_text(value)):
        part = part.strip()
        if not part:
            continue
        # "139 1234 5678" is one number written in groups; "13912345678 13800138000" is two.
        pieces = [part] if _is_phone(part) else part.split()
        for piece in pieces:
            if not _is_phone(piece):
                bad.append(piece)
            elif (number := clean.phone(piece)) not in numbers:
                numbers.append(number)
    if bad:
        raise _Problem(_("电话号码格式不正确：%(phones)s") % {"phones": "、".join(bad)})
    return numbers


def _is_phone(text: str) -> bool:
    try:
        clean.phone(text)
    except ValidationError:
        return False
    return True


def _id_number(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(int(value))) >= 16:
        raise _Problem(_("证件号码被 Excel 存成了数字，末尾几位已丢失：请把该列设为文本格式，重新填写后再上传"))
    try:
        return id_number_keys(_as_text(value))
    except ValidationError:
        raise _Problem(_("证件号码格式不正确")) from None
