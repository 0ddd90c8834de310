"""Pages of the estate archive: customer search, a customer, the units list and a unit. Thin: selectors
read, ``guanjia.accounts.access`` decides who sees what."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.views.decorators.http import require_POST

from guanjia.accounts import access
from guanjia.estates import selectors
from guanjia.estates.models import Customer, CustomerKind, UnitStatus
from guanjia.timeline.selectors import events_for

CUSTOMER_SEARCH_LIMIT = 50
PAGE_SIZE = 50
TIMELINE_LIMIT = 50


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    """客户: search, or without a query the newest customers of the current project, paginated."""
    project = request.project  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {
        "query": query,
        "can_write_customers": project is not None and access.can_write_customers(request.user, project),
    }
    if query:
        context["results"] = selectors.customer_search(
            user=request.user, project=project, query=query, limit=CUSTOMER_SEARCH_LIMIT
        )
    else:
        customers = selectors.customer_list(user=request.user, project=project)
        context["page"] = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "estates/customer_list.html", context)


def customer_search(request: HttpRequest) -> HttpResponse:
    """The live search's fragment (htmx swaps it under the search box as the user types)."""
    if not request.user.is_authenticated:
        # A session that expired while the page was open: send the whole page to the login, not the box.
        current = urlsplit(request.headers.get("HX-Current-URL", "/"))
        back = current.path + (f"?{current.query}" if current.query else "")
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back or '/'})}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect_to_login(request.get_full_path())
    query = request.GET.get("q", "").strip()
    try:
        limit = min(max(int(request.GET.get("limit", 20)), 1), CUSTOMER_SEARCH_LIMIT)
    except ValueError:
        limit = 20
    results = selectors.customer_search(
        user=request.user,
        project=request.project,  # type: ignore[attr-defined]
        query=query,
        limit=limit,
    )
    return render(request, "estates/_search_results.html", {"query": query, "results": results})


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.customer_detail(user=request.user, pk=pk)
    timeline = events_for(detail.customer).reverse()[:TIMELINE_LIMIT]
    return render(
        request,
        "estates/customer_detail.html",
        {
            "detail": detail,
            "customer": detail.customer,
            "timeline": timeline,
            "can_reveal_phone": access.can_reveal_phone(request.user),
            "can_write": access.can_write_customers(request.user, detail.customer.project_id),
            "residencies": detail.customer.residencies.select_related("unit__building").order_by("id"),
            "kinds": CustomerKind.choices,
        },
    )


@login_required
@require_POST
def customer_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """显示号码: the full numbers, for roles that call customers; every reveal is on the timeline."""
    customer: Customer = access.get_for_user(Customer.objects.all(), request.user, pk)
    try:
        numbers = access.reveal_phone(user=request.user, customer=customer)  # type: ignore[arg-type]
    except PermissionError:
        raise PermissionDenied from None
    return render(request, "estates/_phones_revealed.html", {"customer": customer, "numbers": numbers})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    project = request.project  # type: ignore[attr-defined]
    building = request.GET.get("building", "")
    building_id = int(building) if building.isdigit() else None
    status = request.GET.get("status", "")
    if status not in UnitStatus.values:
        status = ""
    units = selectors.unit_list(user=request.user, project=project, building=building_id, status=status)
    if request.GET.get("retired") != "1":
        units = units.filter(is_retired=False)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "estates/unit_list.html",
        {
            "page": page,
            "buildings": selectors.building_choices(user=request.user, project=project),
            "statuses": UnitStatus.choices,
            "building": building_id,
            "status": status,
            "can_add_unit": project is not None and access.can_manage_project(request.user, project),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_detail(user=request.user, pk=pk)
    return render(
        request,
        "estates/unit_detail.html",
        {
            "unit": unit,
            "residents": list(unit.customers.all()),
            "timeline": events_for(unit).reverse()[:TIMELINE_LIMIT],
            "can_manage": access.can_manage_project(request.user, unit.project_id),
            "can_set_status": access.can_see_project(request.user, unit.project_id)
            and access.has_role(request.user, access.UNIT_STATUS_ROLES),
            "statuses": UnitStatus.choices,
        },
    )
