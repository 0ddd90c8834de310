"""Cells of the spreadsheets Guanjia writes (exports, the roster's error report): text is always text.

What a customer or a member of staff typed goes into a cell as it was typed, but never as a formula: a
complaint that reads ``=HYPERLINK("http://…")`` or ``=1+1`` would otherwise run in the spreadsheet of whoever
opens the export (formula injection, OWASP "CSV injection"). Text that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is written as a string cell with Excel's quote prefix, so it shows as typed and stays
text when the cell is edited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

#: The first characters that make a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet: Any, value: Any) -> Any:
    """``value`` ready for ``sheet.append``: unchanged, or a string cell that cannot be a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl makes any text that begins with "=" a formula
        cell.quotePrefix = True
        return cell
    return value


def safe_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row of a write-only sheet in which no value can become a formula."""
    return [text_cell(sheet, value) for value in values]
