"""The resident's pages for parcels (with the pickup code as a QR), visitor passes, notices and fees."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from guanjia.core.web import error_messages
from guanjia.residents.collect import (
    LIST_LIMIT,
    fee_payload,
    household_fees,
    household_keys_and_loans,
    household_notices,
    household_parcels,
    household_passes,
    kept_payload,
    notice_payload,
    parcel_code,
    parcel_payload,
    pass_create,
    pass_payload,
    qr_svg,
)
from guanjia.residents.pages import resident_page


@resident_page()
def parcels(request: HttpRequest) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    items = household_parcels(household)[:LIST_LIMIT]
    kept = household_keys_and_loans(household)[:LIST_LIMIT]
    waiting = [parcel_payload(i) for i in items]
    for payload in waiting:
        # Drawn by segno from six digits: nothing of the user's reaches the SVG unescaped.
        code = payload["pickup_code"]
        payload["qr"] = mark_safe(qr_svg(code)) if code else ""  # noqa: S308
    context = {"items": waiting, "kept": [kept_payload(i) for i in kept]}
    return render(request, "residents/parcels.html", context)


@require_POST
@resident_page()
def parcel_show_code(request: HttpRequest, pk: int) -> HttpResponse:
    item, code = parcel_code(household=request.household, pk=pk, now=timezone.now())  # type: ignore[attr-defined]
    # The SVG is drawn by segno from six digits: nothing of the user's reaches it unescaped.
    context = {"item": parcel_payload(item, code), "code": code, "qr": mark_safe(qr_svg(code))}  # noqa: S308
    return render(request, "residents/parcel_code.html", context)


@require_http_methods(["GET", "POST"])
@resident_page()
def visitor_passes(request: HttpRequest) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    residency = request.residency  # type: ignore[attr-defined]
    context: dict[str, object] = {"household": household, "residency": residency, "values": request.POST}
    if request.method == "POST":
        raw_date = request.POST.get("visit_date", "")
        try:
            visit_date = parse_date(raw_date) if raw_date else None
        except ValueError:
            visit_date = None
        try:
            created, code = pass_create(
                household=household,
                unit=request.POST.get("unit") or (residency.unit_id if residency else None),
                visitor_name=request.POST.get("visitor_name", ""),
                visit_date=visit_date,
            )
        except ValidationError as exc:
            context["errors"] = error_messages(exc)
        else:
            context["created"] = pass_payload(created, code)
            context["values"] = {}
    passes = household_passes(household)[:LIST_LIMIT]
    context["passes"] = [pass_payload(p) for p in passes]
    return render(request, "residents/visitor_passes.html", context)


@resident_page()
def notices(request: HttpRequest) -> HttpResponse:
    rows = household_notices(request.household)[:LIST_LIMIT]  # type: ignore[attr-defined]
    return render(request, "residents/notices.html", {"notices": [notice_payload(n) for n in rows]})


@resident_page()
def fees(request: HttpRequest) -> HttpResponse:
    rows = household_fees(request.household)[:LIST_LIMIT]  # type: ignore[attr-defined]
    return render(request, "residents/fees.html", {"fees": [fee_payload(f) for f in rows]})
