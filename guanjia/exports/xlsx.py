"""A streaming .xlsx writer for the exports: rows go straight into the deflated sheet XML of the zip file.

openpyxl's write-only workbook builds a cell object per value (about 6,000 rows of 18 columns a second);
this writes each row as one string, so an export is bound by the database, not by the writer, and memory
stays flat (one row and the zip's buffer). What it writes is the small part of SpreadsheetML the exports use:
text as inline strings, numbers, booleans, date-times (Excel serials, shown ``yyyy-mm-dd h:mm:ss``), a bold
header row frozen at the top, column widths. No cell is ever a formula: text is always an inline string, and
text that begins like a formula (``cases.spreadsheets.FORMULA_TRIGGERS``) also carries Excel's quote prefix,
so it stays text when the cell is edited. Characters XML cannot hold (control characters) are dropped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from guanjia.cases.spreadsheets import FORMULA_TRIGGERS

#: Control characters an XML 1.0 document cannot contain (as openpyxl refuses them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Style indexes of ``STYLES``' cellXfs.
_DATE, _BOLD, _QUOTED, _DAY = 1, 2, 3, 4
#: Rows gathered before a write to the zip stream.
_BATCH = 500

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    f"{_HEAD}<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


#: Characters that need work before text goes into XML: markup to escape, control characters to drop.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = datetime(1899, 12, 30)


class Stamp(float):
    """A date-time already as Excel's serial number (``exports.stamps.Clock``): written like a ``datetime``."""

    __slots__ = ()


def _text(value: str) -> str:
    if _SPECIAL.search(value) is None:
        return value
    return escape(_ILLEGAL.sub("", value))


def _serial(value: datetime) -> float:
    """Excel's serial number of a naive date-time (days since 1899-12-30; read back to the millisecond)."""
    delta = value - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _cell(ref: str, value: Any) -> str:
    """One ``<c>`` element ('' for an empty cell)."""
    kind = type(value)
    if kind is str:
        if not value:
            return ""
        style = f' s="{_QUOTED}"' if value.startswith(FORMULA_TRIGGERS) else ""
        return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float:
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if kind is datetime:
        return f'<c r="{ref}" s="{_DATE}"><v>{_serial(value)!r}</v></c>'
    if kind is Stamp:
        return f'<c r="{ref}" s="{_DATE}"><v>{value!r}</v></c>'
    if kind is date:
        return f'<c r="{ref}" s="{_DAY}"><v>{to_excel(value)!r}</v></c>'
    if isinstance(value, str):
        return _cell(ref, str(value))
    if isinstance(value, int | float):
        return _cell(ref, float(value))
    return _cell(ref, str(value))


class SheetWriter:
    """One worksheet being written: ``append`` rows (sequences of values), ``close`` when done."""

    def __init__(self, stream: IO[bytes], headers: Sequence[tuple[str, int]]) -> None:
        self.stream = stream
        self.letters = [get_column_letter(i) for i in range(1, max(len(headers), 1) + 256)]
        self.row = 0
        self.pending: list[str] = []
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
            for i, (_title, width) in enumerate(headers, start=1)
        )
        self.stream.write(
            (
                f"{_HEAD}<worksheet {_NS} {_REL_NS}>"
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
            ).encode()
        )
        self.row = 1
        header_cells = "".join(
            f'<c r="{self.letters[i]}1" t="inlineStr" s="{_BOLD}"><is><t>{_text(str(title))}</t></is></c>'
            for i, (title, _width) in enumerate(headers)
        )
        self.pending.append(f'<row r="1">{header_cells}</row>')

    def append(self, values: Iterable[Any]) -> None:
        """One row; the common types are written inline here (the hot loop of an export)."""
        self.row += 1
        n = str(self.row)
        cells: list[str] = []
        add = cells.append
        for letter, value in zip(self.letters, values, strict=False):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if value.startswith(FORMULA_TRIGGERS):
                    add(f'<c r="{letter}{n}" t="inlineStr" s="{_QUOTED}"><is><t xml:space="preserve">')
                else:
                    add(f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">')
                add(value if _SPECIAL.search(value) is None else escape(_ILLEGAL.sub("", value)))
                add("</t></is></c>")
            elif value is None:
                continue
            elif kind is Stamp:
                add(f'<c r="{letter}{n}" s="{_DATE}"><v>{value!r}</v></c>')
            elif kind is datetime:
                add(f'<c r="{letter}{n}" s="{_DATE}"><v>{_serial(value)!r}</v></c>')
            else:
                add(_cell(letter + n, value))
        self.pending.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.stream.write("".join(self.pending).encode())
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.stream.write(b"</sheetData></worksheet>")
        self.stream.close()


class XlsxWriter:
    """A workbook written to ``path`` sheet by sheet: ``sheet(title, headers)`` gives a ``SheetWriter`` (close
    it before the next one), ``close()`` finishes the file. Use as a context manager."""

    def __init__(self, path: str) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []

    def sheet(self, title: str, headers: Sequence[tuple[str, int]]) -> SheetWriter:
        self.titles.append(title)
        stream = self.zip.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w", force_zip64=True)
        return SheetWriter(stream, headers)

    def close(self) -> None:
        sheets = "".join(
            f'<sheet name={quoteattr(_ILLEGAL.sub("", title)[:31])} sheetId="{i}" r:id="rId{i}"/>'
            for i, title in enumerate(self.titles, start=1)
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self.titles) + 1)
        )
        count = len(self.titles)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        pkg = "http://schemas.openxmlformats.org/package/2006"
        office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        parts = {
            "[Content_Types].xml": f'{_HEAD}<Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
            "_rels/.rels": f'{_HEAD}<Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f"{_HEAD}<workbook {_NS} {_REL_NS}><sheets>{sheets}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'{_HEAD}<Relationships xmlns="{pkg}/relationships">{rels}'
            f'<Relationship Id="rId{count + 1}" Type="{office}/styles" Target="styles.xml"/></Relationships>',
            "xl/styles.xml": STYLES,
        }
        for name, text in parts.items():
            self.zip.writestr(name, text)
        self.zip.close()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.zip.close()


def write_rows(
    path: str,
    sheets: Iterable[tuple[str, Sequence[tuple[str, int]], Iterable[Sequence[Any]]]],
    *,
    every: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``(title, headers, rows)`` sheets to ``path``; ``progress(rows so far)`` every ``every`` rows.
    Returns the number of rows written (headers not counted)."""
    written = 0
    with XlsxWriter(path) as book:
        for title, headers, rows in sheets:
            sheet = book.sheet(title, headers)
            for row in rows:
                sheet.append(row)
                written += 1
                if progress is not None and every and written % every == 0:
                    progress(written)
            sheet.close()
    return written
