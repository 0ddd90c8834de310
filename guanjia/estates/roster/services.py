"""Importing an estate's roster (O01) from an .xlsx sheet: read it, check every row, then write all of it in
one transaction or nothing at all.

``roster_parse`` reads the file (file-level problems raise ``RosterFileError``); ``roster_validate`` checks every
row against the file and the project and returns every problem it finds; ``roster_import`` does both and, when
nothing is wrong, writes buildings, units, customers, phones and residencies with ``bulk_create`` in batches and
records one ``roster.imported`` event on the project.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_manage_master_data, can_see_project
from guanjia.estates.models import Building, Customer, CustomerPhone, Project, Residency, Unit
from guanjia.estates.roster.columns import BY_KEY, COLUMNS, HEADER_LOOKUP, HELP_SHEET_NAME, SHEET_NAME
from guanjia.estates.roster.columns import normalize_header as _normalize_header
from guanjia.estates.roster.rows import CustomerPlan, RosterPlan, RosterRow, RowError, UnitKey, UnitPlan, plan_rows
from guanjia.timeline.services import record

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
#: Columns read per row; a sheet with thousands of stray formatted columns is not read to its end.
MAX_COLUMNS = 40
#: A title line or two above the header is common; the header is looked for in the first rows.
HEADER_SEARCH_ROWS = 10
BATCH_SIZE = 1000
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)


class RosterFileError(Exception):
    """The file as a whole cannot be used: not an .xlsx, too large, a required column missing, no rows."""


@dataclass
class ParsedRoster:
    file_name: str
    sheet_name: str
    header_row: int
    headers: tuple[str, ...]
    rows: list[RosterRow]


@dataclass
class ImportResult:
    file_name: str
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    imported: bool = False
    parsed: ParsedRoster | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def roster_parse(file: IO[bytes] | Any) -> ParsedRoster:
    """Read the roster sheet of ``file`` (an upload or any binary file with a ``name``).

    Raises RosterFileError naming the problem when the file as a whole cannot be used.
    """
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    _check_size(file)
    if name.lower().endswith((".xls", ".csv", ".et", ".numbers")):
        raise RosterFileError(_("只支持 Excel .xlsx 文件，请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。"))
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise RosterFileError(_("文件不是有效的 Excel (.xlsx) 文件，请使用下载的模板填写。")) from exc
    try:
        sheet = _roster_sheet(workbook)
        return _read_sheet(name, sheet)
    except RosterFileError:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl; the user needs one answer
        raise RosterFileError(_("文件内容已损坏，无法读取，请另存为 .xlsx 后重新上传。")) from exc
    finally:
        workbook.close()


def roster_validate(parsed: ParsedRoster, project: Project, *, create_buildings: bool = False) -> list[RowError]:
    """Every problem of every row, in row order; an empty list means the file can be imported as it is."""
    _plan, errors = plan_rows(parsed.rows, project, create_buildings=create_buildings)
    return errors


def roster_import(
    *, project: Project, file: IO[bytes] | Any, actor: Any, create_buildings: bool = False, dry_run: bool = False
) -> ImportResult:
    """Validate the whole file, then (unless ``dry_run`` or anything is wrong) write it in one transaction.

    Raises PermissionDenied when ``actor`` may not manage ``project``'s master data.
    """
    if actor is not None and not (can_manage_master_data(actor) and can_see_project(actor, project)):
        raise PermissionDenied(_("只有管理处经理、客服主管或总经理可以导入房屋与客户。"))
    result = ImportResult(file_name=os.path.basename(str(getattr(file, "name", "") or "")))
    try:
        result.parsed = roster_parse(file)
    except RosterFileError as exc:
        result.errors = [RowError(None, "", str(exc))]
        return result
    plan, result.errors = plan_rows(result.parsed.rows, project, create_buildings=create_buildings)
    result.counts = plan.counts(rows=len(result.parsed.rows))
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            _write(plan, project)
            record(
                subject=project,
                project=project,
                verb="roster.imported",
                actor=actor,
                data={**result.counts, "file": result.file_name},
            )
    except IntegrityError:
        # Someone added one of these units or buildings between the check and the write.
        result.errors = [RowError(None, "", _("导入期间房屋或楼栋已被他人修改，未导入任何数据，请重新导入。"))]
        return result
    result.imported = True
    return result


# --- reading -------------------------------------------------------------------------------------------


def _check_size(file: Any) -> None:
    size = getattr(file, "size", None)
    if size is None and hasattr(file, "seek"):
        position = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(position)
    if size is not None and size > MAX_FILE_BYTES:
        raise RosterFileError(_("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    if size == 0:
        raise RosterFileError(_("文件是空的。"))


def _roster_sheet(workbook: Any) -> Any:
    if SHEET_NAME in workbook.sheetnames:
        return workbook[SHEET_NAME]
    sheets = [s for s in workbook.worksheets if s.title != HELP_SHEET_NAME]
    if not sheets:
        raise RosterFileError(_("文件中没有工作表“%(sheet)s”。") % {"sheet": SHEET_NAME})
    return sheets[0]


def _read_sheet(name: str, sheet: Any) -> ParsedRoster:
    lines = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header_row, headers, index = _find_header(lines)
    rows: list[RosterRow] = []
    for number, cells in enumerate(lines, start=header_row + 1):
        values = {key: _clean(cells[i]) if i < len(cells) else None for key, i in index.items()}
        if all(v is None for v in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(_("文件超过 %(max)d 行，请拆分后分批导入。") % {"max": MAX_ROWS})
        rows.append(RosterRow(number=number, values=values, cells=tuple(cells)))
    if not rows:
        raise RosterFileError(_("文件中没有数据行：请在表头下方逐行填写房屋与客户。"))
    return ParsedRoster(file_name=name, sheet_name=sheet.title, header_row=header_row, headers=headers, rows=rows)


def _find_header(lines: Iterator[tuple[Any, ...]]) -> tuple[int, tuple[str, ...], dict[str, int]]:
    first_filled: tuple[Any, ...] | None = None
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        cells = next(lines, None)
        if cells is None:
            break
        if first_filled is None and any(_clean(c) is not None for c in cells):
            first_filled = cells
        keys = [HEADER_LOOKUP.get(_normalize_header(c)) for c in cells]
        if "building" in keys and "room" in keys:
            return number, tuple(str(c or "").strip() for c in cells), _column_index(cells, keys)
    if first_filled is None:
        raise RosterFileError(_("文件中没有数据：请使用下载的模板填写。"))
    keys = [HEADER_LOOKUP.get(_normalize_header(c)) for c in first_filled]
    _column_index(first_filled, keys)
    raise AssertionError("unreachable: a header without 楼栋 or 房号 fails in _column_index")


def _column_index(cells: tuple[Any, ...], keys: list[str | None]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        if key in index:
            raise RosterFileError(
                _("表头“%(column)s”出现了两次（第 %(a)s 列和第 %(b)s 列），请只保留一列。")
                % {"column": BY_KEY[key].header, "a": _letter(index[key]), "b": _letter(i)}
            )
        index[key] = i
    missing = [BY_KEY[k].header for k in REQUIRED_KEYS if k not in index]
    if missing:
        raise RosterFileError(
            _("缺少必填列：%(columns)s。请使用下载的模板，表头保持不变。") % {"columns": "、".join(missing)}
        )
    return index


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- writing -------------------------------------------------------------------------------------------


def _write(plan: RosterPlan, project: Project) -> None:
    """Caller holds the transaction. Ids come back from bulk_create (PostgreSQL, SQLite ≥ 3.35)."""
    buildings = {number: Building(project=project, number=number, name=name) for number, name in plan.new_buildings}
    Building.objects.bulk_create(buildings.values(), batch_size=BATCH_SIZE)
    building_ids = {**plan.building_ids, **{f"+{n}": b.pk for n, b in buildings.items()}}

    units = {key: _unit_row(project, building_ids[u.building], u) for key, u in plan.units.items()}
    Unit.objects.bulk_create(units.values(), batch_size=BATCH_SIZE)

    new = [c for c in plan.customers if c.existing_id is None]
    rows = [_customer_row(project, c) for c in new]
    Customer.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    for plan_customer, row in zip(new, rows, strict=True):
        plan_customer.existing_id = row.pk

    CustomerPhone.objects.bulk_create(_phones(plan.customers), batch_size=BATCH_SIZE)
    Residency.objects.bulk_create(_residencies(plan.customers, units), batch_size=BATCH_SIZE)


def _unit_row(project: Project, building_id: int, u: UnitPlan) -> Unit:
    assert u.status is not None, "validation gives every unit a status"
    return Unit(
        project=project,
        building_id=building_id,
        entrance=u.entrance,
        room=u.room,
        floor=u.floor,
        area_m2=u.area,
        status=u.status,
    )


def _residencies(customers: list[CustomerPlan], units: dict[UnitKey, Unit]) -> Iterable[Residency]:
    for c in customers:
        assert c.existing_id is not None, "customers are written before their residencies"
        for unit_key, move_in, _row, kind in c.residencies:
            yield Residency(customer_id=c.existing_id, unit=units[unit_key], kind=kind, move_in_date=move_in)


def _customer_row(project: Project, c: CustomerPlan) -> Customer:
    return Customer(
        project=project,
        name=c.name,
        kind=c.kind,
        name_initials=c.initials,
        name_pinyin=c.pinyin,
        id_number_last4=c.id_last4,
        id_number_hash=c.id_hash,
        note="；".join(c.notes),
    )


def _phones(customers: list[CustomerPlan]) -> Iterable[CustomerPhone]:
    linked = [c.existing_id for c in customers if c.linked and c.new_phones]
    start: dict[int, int] = {}
    for i in range(0, len(linked), BATCH_SIZE):
        chunk = linked[i : i + BATCH_SIZE]
        rows = CustomerPhone.objects.filter(customer_id__in=chunk).values("customer_id").annotate(top=Max("position"))
        start.update({r["customer_id"]: r["top"] + 1 for r in rows})
    for c in customers:
        assert c.existing_id is not None
        first = start.get(c.existing_id, 0)
        for i, number in enumerate(c.new_phones):
            yield CustomerPhone(customer_id=c.existing_id, number=number, position=first + i)


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportResult",
    "ParsedRoster",
    "RosterFileError",
    "RosterRow",
    "RowError",
    "roster_import",
    "roster_parse",
    "roster_validate",
]
