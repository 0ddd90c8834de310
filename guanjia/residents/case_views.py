"""The resident's pages for repairs and complaints: report one (with photos), follow each in plain words."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from guanjia.core.web import error_messages
from guanjia.residents.models import ReportKind
from guanjia.residents.pages import resident_page
from guanjia.residents.reports import report_submit
from guanjia.residents.selectors import household_case, household_cases
from guanjia.residents.signing import household_sign_requests


def _appointment(raw: str) -> datetime | str | None:
    """The page's datetime-local value in the estate's time zone; the raw text when it is not one."""
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        return raw
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@resident_page()
def case_list(request: HttpRequest, kind: str) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    return render(
        request,
        "residents/case_list.html",
        {"kind": kind, "kind_label": ReportKind(kind).label, "items": household_cases(household, kind)},
    )


@resident_page()
def case_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    item = household_case(household, kind, pk)
    asks = kind == ReportKind.REPAIR and any(r.repair_id == item["id"] for r in household_sign_requests(household))
    return render(
        request,
        "residents/case_detail.html",
        {"kind": kind, "kind_label": ReportKind(kind).label, "item": item, "sign_asked": asks},
    )


@require_http_methods(["GET", "POST"])
@resident_page()
def case_new(request: HttpRequest, kind: str) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    residency = request.residency  # type: ignore[attr-defined]
    context: dict[str, object] = {
        "kind": kind,
        "kind_label": ReportKind(kind).label,
        "household": household,
        "residency": residency,
        "values": request.POST,
    }
    if request.method == "POST":
        try:
            report_submit(
                household=household,
                kind=kind,
                unit=request.POST.get("unit") or (residency.unit_id if residency else None),
                description=request.POST.get("description", ""),
                appointment_at=_appointment(request.POST.get("appointment_at", "")) if kind == "repair" else None,
                photos=request.FILES.getlist("photos"),
                now=timezone.now(),
            )
        except ValidationError as exc:
            context["errors"] = error_messages(exc)
        else:
            return redirect("residents:repairs" if kind == ReportKind.REPAIR else "residents:complaints")
    return render(request, "residents/case_new.html", context)
