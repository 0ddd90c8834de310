"""The desk's complaint pages: register (登记投诉), the live board (投诉看板), the list, an incident, and the
signature page of the opinion form. A complaint's own page and its next actions are in ``actions``.

Thin: ``selectors`` read, ``services`` (C1) change, ``guanjia.accounts.access`` decides who may do what; a write
answers through ``guanjia.core.web.post_action``: a form error re-renders the page with the error next to the
field, a refused move ("not possible now") comes back as a message, never as a 500.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from guanjia.accounts import access
from guanjia.cases.files import stream_stored
from guanjia.cases.models import Department
from guanjia.complaints import duplicates, forms, selectors, services
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Complaint, ComplaintStatus, Incident
from guanjia.complaints.views._common import current_project, form_field
from guanjia.complaints.views.board_rows import rendered_rows
from guanjia.core.web import is_htmx, post_action
from guanjia.estates.selectors import customer_search

LIST_PAGE_SIZE = 30
LOOKUP_LIMIT = 8
SUGGESTION_LIMIT = 5


# --- Register ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """登记投诉 (C01–C03): one screen, usable while the customer is still on the phone."""
    project = current_project(request)
    if project is None or not access.can_register_complaint(request.user, project):
        raise PermissionDenied
    staff = selectors.project_staff(user=request.user, project=project)
    form = forms.RegisterForm(request.POST or None, project=project, staff=staff, user=request.user)

    def page(form: django_forms.Form, status: int = 200) -> HttpResponse:
        return render(request, "complaints/register.html", _register_context(request, form), status=status)

    if request.method != "POST":
        return page(form)
    return post_action(
        request,
        lambda: _register(request, form),
        default=reverse("complaints:register"),
        form=form,
        invalid=lambda f: page(f, status=400),
        aliases=form_field,
    )


def _register(request: HttpRequest, form: forms.RegisterForm) -> HttpResponse:
    note = form.cleaned_data.get("note", "").strip()
    project = current_project(request)
    # A similar earlier complaint the desk chose on the page (C01): both timelines name the other.
    earlier = duplicates.related_choice(user=request.user, project=project, value=request.POST.get("related_complaint"))
    with transaction.atomic():
        complaint: Complaint = services.complaint_register(project=project, actor=request.user, **form.service_kwargs())
        if note:
            services.complaint_add_note(complaint=complaint, text=note, actor=request.user)
        if earlier is not None:
            duplicates.complaint_note_related(complaint=complaint, earlier=earlier, actor=request.user)
    messages.success(
        request,
        _("已登记投诉 %(number)s（%(grade)s）") % {"number": complaint.number, "grade": complaint.get_grade_display()},
    )
    return redirect("complaints:detail", pk=complaint.pk)


def _register_context(request: HttpRequest, form: django_forms.Form) -> dict[str, Any]:
    picked_customer = picked_unit = picked_incident = None
    if form.is_bound and form.is_valid() is not None:
        data = getattr(form, "cleaned_data", {})
        picked_customer, picked_unit, picked_incident = data.get("customer"), data.get("unit"), data.get("incident")
    return {
        "form": form,
        "apology": str(forms.APOLOGY),
        "departments": [(value, str(label)) for value, label in Department.choices],
        "picked_customer": picked_customer,
        "picked_unit": picked_unit,
        "picked_incident": picked_incident,
        "fact_fields": [form[name] for name in forms.FactsMixin.FACT_FIELDS],
    }


@login_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """The register form's customer search (htmx): one row per customer and home, a click fills both."""
    query = (request.GET.get("lookup") or request.GET.get("q") or "").strip()
    results = customer_search(user=request.user, project=current_project(request), query=query, limit=LOOKUP_LIMIT)
    rows: list[dict[str, Any]] = []
    for customer in results:
        units: list[Any] = list(customer.units.all()) or [None]
        phones = [p.number for p in customer.phones.all()]
        rows.extend({"customer": customer, "unit": unit, "phone": phones[0] if phones else ""} for unit in units)
    return render(request, "complaints/_customer_pick.html", {"query": query, "rows": rows})


@login_required
@require_GET
def incident_suggestions(request: HttpRequest) -> HttpResponse:
    """Likely incidents for what is being typed (C12), each with why it matches and a one-click 关联."""
    from guanjia.complaints.incidents import incident_suggestions as suggest
    from guanjia.complaints.incidents import with_customer_count

    project = current_project(request)
    description = request.GET.get("description", "")[:5000].strip()
    location = request.GET.get("location", "")[:200].strip()
    complaint = None
    complaint_id = request.GET.get("complaint", "")
    if complaint_id.isdigit():
        complaint = selectors.complaint_get(user=request.user, pk=int(complaint_id))
        project = complaint.project
    suggestions: list[Any] = []
    if project is not None and (description or location) and access.can_see_project(request.user, project):
        found = suggest(
            project=project,
            description=description,
            location=location,
            building=complaint.unit.building_id if complaint is not None and complaint.unit else None,
            at=complaint.received_at if complaint is not None else None,
            exclude=complaint.incident_id if complaint is not None else None,
            limit=SUGGESTION_LIMIT,
        )
        counts = dict(
            with_customer_count(Incident.objects.filter(pk__in=[i.pk for i, _m in found])).values_list(
                "pk",
                "customer_count",  # type: ignore[misc]
            )
        )
        suggestions = [
            {"incident": incident, "match": match, "customers": counts.get(incident.pk, 0)} for incident, match in found
        ]
    return render(
        request,
        "complaints/_suggestions.html",
        {"suggestions": suggestions, "complaint": complaint, "searched": bool(description or location)},
    )


# --- Board and list ------------------------------------------------------------------------------------


def _filter_context(request: HttpRequest, filters: selectors.BoardFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "grades": Grade.choices,
        "statuses": ComplaintStatus.choices,
        "departments": Department.choices,
        "querystring": _filter_querystring(filters),
    }


def _filter_querystring(filters: selectors.BoardFilters) -> str:
    """The filters alone, in a fixed order, as the page's own links and the board's poll carry them. Built from
    the parsed filters, never from the request: a transient parameter (``partial``, ``page``, anything a
    proxy or a user added) must not ride along, or the poll URL would grow with every refresh until the server
    refuses it (HTTP 414)."""
    params = {
        "q": filters.query,
        "grade": filters.grade,
        "status": filters.status,
        "department": filters.department,
        "mine": "1" if filters.mine else "",
    }
    return urlencode({key: value for key, value in params.items() if value})


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """投诉看板: open complaints, next due first, with live countdowns, 50 a page; the list refreshes every 10 s.

    The refresh is a conditional GET: the list carries an ETag (the project's ``board_stamp`` for this user,
    language and query) and ``Cache-Control: no-cache``, so the browser asks again with If-None-Match and an
    unchanged list costs one small query, the same at any size, and a 304 instead of reading and rendering the
    rows."""
    now = timezone.now()
    filters = selectors.BoardFilters.from_query(request.GET)
    project = current_project(request)
    partial = is_htmx(request) and request.GET.get("partial") == "list"
    etag = ""
    if partial:  # the stamp first: read before the list it stands for
        stamp = selectors.board_stamp(project, now) if project is not None else ""
        where = getattr(project, "pk", 0)
        seen_by = f"{stamp}|{request.user.pk}|{where}|{get_language()}|{request.GET.urlencode()}"
        etag = quote_etag(hashlib.sha256(seen_by.encode()).hexdigest()[:32])
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return _board_cache_headers(HttpResponseNotModified(), etag)
    state = selectors.board_state(
        user=request.user, project=project, filters=filters, now=now, page=request.GET.get("page")
    )
    context = {
        "rows": rendered_rows(selectors.board_rows(state)),
        "counts": state.counts,
        "page": state.page,
        "now": now,
        "can_register": project is not None and access.can_register_complaint(request.user, project),
        **_filter_context(request, filters),
    }
    if partial:
        return _board_cache_headers(render(request, "complaints/_board_list.html", context), etag)
    return render(request, "complaints/board.html", context)


def _board_cache_headers(response: HttpResponse, etag: str) -> HttpResponse:
    """The list may be kept by this browser only, and must be checked with the server before each reuse."""
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """投诉: every complaint of the project, closed ones too, searchable and paginated."""
    filters = selectors.BoardFilters.from_query(request.GET)
    rows = selectors.complaint_list(user=request.user, project=current_project(request), filters=filters)
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/list.html", {"page": page, **_filter_context(request, filters)})


# --- Incident --------------------------------------------------------------------------------------------


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from guanjia.complaints.incidents import incident_customer_count

    incident = selectors.incident_get(user=request.user, pk=pk)
    return render(
        request,
        "complaints/incident_detail.html",
        {
            "incident": incident,
            "complaints": selectors.incident_complaints(user=request.user, incident=incident),
            "customers": incident_customer_count(incident),
        },
    )


# --- Signature (C20) ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """客户意见受理表 on a tablet or phone: the customer writes an opinion and signs on the canvas."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    can_collect = access.can_handle_complaint(request.user, complaint)
    initial = {"signer_name": complaint.display_customer}
    form = forms.SignForm(request.POST or None, initial=initial)

    def page(form: django_forms.Form, status: int = 200) -> HttpResponse:
        signatures = list(complaint.signatures.select_related("collected_by"))
        context = {"complaint": complaint, "form": form, "signatures": signatures, "can_collect": can_collect}
        return render(request, "complaints/sign.html", context, status=status)

    if request.method != "POST":
        return page(form)
    if not can_collect:
        raise PermissionDenied
    here = reverse("complaints:sign", args=[pk])
    return post_action(
        request,
        lambda: services.complaint_sign(
            complaint=complaint,
            image=form.cleaned_data["image"],
            signer_name=form.cleaned_data["signer_name"],
            opinion=form.cleaned_data.get("opinion", ""),
            actor=request.user,
        ),
        default=here,
        done=_("签名已保存"),
        form=form,
        invalid=lambda f: page(f, status=400),
        success=here,
        refused=here,
        aliases=form_field,
    )


@login_required
@require_GET
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    """A signature's PNG, only for staff who may see its complaint (never a public media URL)."""
    signature = selectors.signature_get(user=request.user, pk=pk)
    return stream_stored(signature.image, content_type="image/png")
