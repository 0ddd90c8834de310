"""The complaint and return-visit sheets and the openpyxl writer as they were before the streaming writer
(a correlated subquery per deadline and case number, a cell object per value). Kept only as the oracle the
streaming export is compared with (``test_streaming_export``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.cases.spreadsheets import FORMULA_TRIGGERS, safe_row
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, Nature
from guanjia.core.periods import Period
from guanjia.estates.models import CustomerPhone, Project
from guanjia.exports.selectors import (
    UNIT_FIELDS,
    Sheet,
    _labels,
    _masked,
    _on_time,
    _unit,
    _yes_no,
    visits_in_period,
)
from guanjia.repairs.models import Repair
from guanjia.visits.models import CaseType, Method, ReturnVisit, Satisfaction, VisitStatus


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _deadline(model: type[Any], kind: str, field: str) -> Subquery:
    limits = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), kind=kind
    ).exclude(state=DeadlineState.CANCELLED)
    return Subquery(limits.order_by("-id").values(field)[:1])


def _first_phone() -> Subquery:
    return Subquery(
        CustomerPhone.objects.filter(customer=OuterRef("customer_id")).order_by("position", "id").values("number")[:1]
    )


def complaint_sheet(project: Project, period: Period, now: datetime) -> Sheet:
    rows = (
        Complaint.objects.filter(project=project, received_at__gte=period.start_at, received_at__lt=period.end_at)
        .order_by("received_at", "id")
        .annotate(
            phone=Coalesce(NullIf("contact_phone", Value("")), _first_phone()),
            response_due=_deadline(Complaint, "response", "due_at"),
            response_met=_deadline(Complaint, "response", "met_at"),
            resolve_due=_deadline(Complaint, "resolve", "due_at"),
            resolve_met=_deadline(Complaint, "resolve", "met_at"),
        )
        .values(
            "number", "received_at", "customer__name", "customer_name", "phone", *UNIT_FIELDS, "location", "channel",
            "against_department", "grade", "nature", "status", "description", "customer_request", "response_due",
            "response_met", "resolve_due", "completed_at", "resolve_met", "result",
        )
    )  # fmt: skip
    channel, department, grade = _labels(Channel), _labels(Department), _labels(Grade)
    nature, status = _labels(Nature), _labels(ComplaintStatus)

    def to_row(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            r["number"], _local(r["received_at"]), r["customer__name"] or r["customer_name"], _masked(r["phone"]),
            _unit(r) or r["location"], channel(r["channel"]), department(r["against_department"]),
            grade(r["grade"]), nature(r["nature"]), status(r["status"]), r["description"], r["customer_request"],
            _local(r["response_due"]), _on_time(r["response_due"], r["response_met"], now),
            _local(r["resolve_due"]), _local(r["completed_at"]),
            _on_time(r["resolve_due"], r["resolve_met"] or r["completed_at"], now), r["result"],
        )  # fmt: skip

    headers = (
        (_("编号"), 16), (_("受理时间"), 18), (_("客户"), 10), (_("联系电话"), 14), (_("房号"), 16), (_("渠道"), 8),
        (_("被投诉部门"), 10), (_("级别"), 8), (_("性质"), 10), (_("状态"), 10), (_("投诉内容"), 40),
        (_("客户要求"), 24), (_("响应期限"), 18), (_("是否按时响应"), 8), (_("处理期限"), 18), (_("完成时间"), 18),
        (_("是否按时完成"), 8), (_("处理结果"), 40),
    )  # fmt: skip
    return Sheet(_("投诉"), headers, rows, to_row)


def return_visit_sheet(project: Project, period: Period, now: datetime) -> Sheet:
    number_of: dict[int, Subquery] = {
        ContentType.objects.get_for_model(model).pk: Subquery(
            model.objects.filter(pk=OuterRef("object_id")).values("number")[:1]
        )
        for model in (Complaint, Repair)
    }
    rows = (
        visits_in_period(ReturnVisit.objects.filter(project=project), period)
        .order_by("due_at", "id")
        .annotate(
            case_number=Case(
                *(When(content_type_id=ct, then=sub) for ct, sub in number_of.items()),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values(
            "case_type", "case_number", "customer__name", *UNIT_FIELDS, "due_at", "visitor_role", "visitor__name",
            "method", "status", "done_at", "satisfaction", "unsatisfied", "shortfalls", "suggestions",
        )
    )  # fmt: skip
    case_type, role, method = _labels(CaseType), _labels(Role), _labels(Method)
    status, satisfaction = _labels(VisitStatus), _labels(Satisfaction)

    def to_row(r: dict[str, Any]) -> tuple[Any, ...]:
        recorded = r["satisfaction"] is not None
        return (
            case_type(r["case_type"]), r["case_number"], r["customer__name"] or "", _unit(r), _local(r["due_at"]),
            role(r["visitor_role"]), r["visitor__name"] or "", method(r["method"]), status(r["status"]),
            _local(r["done_at"]), satisfaction(r["satisfaction"]) if recorded else "",
            _yes_no(not r["unsatisfied"]) if recorded else "", _on_time(r["due_at"], r["done_at"], now),
            r["shortfalls"], r["suggestions"],
        )  # fmt: skip

    headers = (
        (_("类别"), 10), (_("案件编号"), 16), (_("客户"), 10), (_("房号"), 16), (_("期限"), 18), (_("回访人岗位"), 10),
        (_("回访人"), 10), (_("方式"), 10), (_("状态"), 10), (_("完成时间"), 18), (_("满意度"), 10),
        (_("是否满意"), 8), (_("是否按时"), 8), (_("缺陷与不足"), 30), (_("意见和建议"), 30),
    )  # fmt: skip
    return Sheet(_("回访"), headers, rows, to_row)


def export_write(*, sheets: list[Sheet], path: str) -> int:
    """Write the export to the file at ``path`` and return the number of rows (headers not counted).

    Rows stream from the database in chunks into openpyxl's write-only workbook, which keeps them in its
    own temporary files, so memory stays flat however many rows there are. Headers are Chinese (API.md),
    whatever the user's language.
    """
    written = 0
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        bold = Font(bold=True)
        for sheet in sheets:
            worksheet = workbook.create_sheet(sheet.title)
            for index, (_header, width) in enumerate(sheet.headers, start=1):
                worksheet.column_dimensions[get_column_letter(index)].width = width
            worksheet.freeze_panes = "A2"
            header_cells = []
            for header, _width in sheet.headers:
                cell = WriteOnlyCell(worksheet, value=header)
                cell.font = bold
                header_cells.append(cell)
            worksheet.append(header_cells)
            to_row = sheet.to_row
            assert to_row is not None
            for values in sheet.rows.iterator(chunk_size=2000):
                worksheet.append(safe_row(worksheet, to_row(values)))
                written += 1
        workbook.save(path)
    return written


# --- The streaming writer's sheet XML as it was before issue 14 (the oracle of the byte-for-byte comparison) ---

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = datetime(1899, 12, 30)


def _serial(value: datetime) -> float:
    delta = value - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _text(value: str) -> str:
    return value if _SPECIAL.search(value) is None else escape(_ILLEGAL.sub("", value))


def sheet_xml(headers: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]) -> bytes:
    """The worksheet part ``exports.xlsx.SheetWriter`` wrote for these headers and rows before issue 14."""
    letters = [get_column_letter(i) for i in range(1, max(len(headers), 1) + 256)]
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, (_t, width) in enumerate(headers, 1)
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<worksheet {ns} {rel}>"
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
    ]
    header_cells = "".join(
        f'<c r="{letters[i]}1" t="inlineStr" s="2"><is><t>{_text(str(title))}</t></is></c>'
        for i, (title, _w) in enumerate(headers)
    )
    out.append(f'<row r="1">{header_cells}</row>')
    for number, values in enumerate(rows, start=2):
        cells = []
        for letter, value in zip(letters, values, strict=False):
            ref = f"{letter}{number}"
            if isinstance(value, str):
                if value:
                    style = ' s="3"' if value.startswith(FORMULA_TRIGGERS) else ""
                    cells.append(
                        f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{_text(value)}</t></is></c>'
                    )
            elif value is None:
                continue
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, datetime):
                cells.append(f'<c r="{ref}" s="1"><v>{_serial(value)!r}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}" s="4"><v>{to_excel(value)!r}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        out.append(f'<row r="{number}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def sheet_rows_of(sheet: Sheet) -> list[tuple[Any, ...]]:
    """The old sheet's rows as the old exports read them (a correlated subquery per cell, no chunks)."""
    to_row = sheet.to_row
    assert to_row is not None
    with translation.override("zh-hans"):
        return [to_row(values) for values in sheet.rows.iterator(chunk_size=2000)]
