"""The spreadsheets the roster import hands out: the blank template and the error report."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from guanjia.cases.spreadsheets import safe_row
from guanjia.estates.roster.columns import COLUMNS, ERROR_HEADER, HELP_SHEET_NAME, MERGE_HELP, SHEET_NAME
from guanjia.estates.roster.rows import RowError
from guanjia.estates.roster.services import ParsedRoster

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEEE6")
_ERROR_FILL = PatternFill("solid", fgColor="FDE8E8")
ROW_HEADER = "原行号"


def template_workbook() -> bytes:
    """The blank roster sheet with Chinese headers, drop-down lists, text columns, and a help sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    sheet.append([c.header for c in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            # Without this Excel turns 13912345678 into 1.39E+10 and drops the last digits of ID numbers.
            sheet.column_dimensions[letter].number_format = "@"
        choices = {"status": "已入住,空置,装修中", "kind": "业主,租户,家庭成员"}.get(column.key)
        if choices:
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}50001")
            sheet.add_data_validation(validation)
        if column.key == "move_in":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"

    help_sheet = book.create_sheet(HELP_SHEET_NAME)
    help_sheet.append(["列名", "是否必填", "填写说明", "示例"])
    for column in COLUMNS:
        help_sheet.append([column.header, "必填" if column.required else "选填", column.help, column.example])
    help_sheet.append([])
    help_sheet.append(["示例（填在“房屋与客户”表中，每行一位客户）"])
    help_sheet.append([c.header for c in COLUMNS])
    for example in _EXAMPLES:
        help_sheet.append(list(example))
    help_sheet.append([])
    help_sheet.append([MERGE_HELP])
    for cell in help_sheet[1]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    for letter, width in zip("ABCD", (12, 10, 60, 28), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2, max_col=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return _save(book)


_EXAMPLES = (
    ("3栋", "2", "1201", "12", "89.50", "已入住", "李明", "业主", "13912345678、0755-86001234", "", "2021-05-01", ""),
    ("3栋", "2", "1201", "", "", "", "王芳", "家庭成员", "13800138000", "", "2021-05-01", ""),
    ("3栋", "2", "1202", "12", "92.00", "空置", "", "", "", "", "", ""),
    ("5栋", "1", "0301", "3", "120.00", "已入住", "李明", "业主", "13912345678", "", "2023-10-01", "第二套房"),
)


def error_report_workbook(parsed: ParsedRoster, errors: Iterable[RowError]) -> bytes:
    """The uploaded rows as they were, plus an 错误 column (every problem of the row, one per line) and the row's
    number in the uploaded file (empty rows are left out, so numbers may skip)."""
    by_row: dict[int | None, list[str]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(f"{error.column}：{error.message}" if error.column else error.message)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_NAME)
    width = len(parsed.headers)
    sheet.append([*parsed.headers, ERROR_HEADER, ROW_HEADER])
    for problem in by_row.get(None, []):
        sheet.append([*([None] * width), _error_cell(sheet, [problem]), None])
    for row in parsed.rows:
        cells = list(row.cells[:width]) + [None] * max(0, width - len(row.cells))
        sheet.append([*safe_row(sheet, cells), _error_cell(sheet, by_row.get(row.number, [])), row.number])
    return _save(book)


def _error_cell(sheet: Any, problems: list[str]) -> WriteOnlyCell | None:
    if not problems:
        return None
    cell = WriteOnlyCell(sheet, value="\n".join(problems))
    cell.fill = _ERROR_FILL
    return cell


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
