"""What the register page shows so the same complaint is not registered twice (C01): the chosen customer's open
cases, similar recent complaints while the description is typed (htmx partials), and adding the customer's words
to one of them instead of registering a new complaint."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanjia.accounts import access
from guanjia.complaints import duplicates, selectors
from guanjia.complaints.views._common import current_project
from guanjia.core.web import attempt
from guanjia.estates.models import Customer, Unit

#: Sent with the open cases so the similar-complaints list refreshes for the chosen customer.
PICKED_EVENT = "customer-picked"


def _picked(request: HttpRequest, model: Any, name: str, project: Any) -> Any:
    value = request.GET.get(name, "")
    if project is None or not value.isdigit():
        return None
    return access.scope(model.objects.filter(project=project), request.user).filter(pk=int(value)).first()


@login_required
@require_GET
def customer_cases(request: HttpRequest) -> HttpResponse:
    """The chosen customer's open complaints and repairs (htmx); empty when no customer is chosen."""
    project = current_project(request)
    customer = _picked(request, Customer, "customer", project)
    cases = duplicates.open_cases(user=request.user, customer=customer) if customer is not None else []
    response = render(request, "complaints/_open_cases.html", {"customer": customer, "cases": cases})
    response["HX-Trigger"] = PICKED_EVENT
    return response


@login_required
@require_GET
def similar_complaints(request: HttpRequest) -> HttpResponse:
    """Recent complaints of the project the one being typed may repeat, each offering to add to it or relate."""
    project = current_project(request)
    description = request.GET.get("description", "")[:5000].strip()
    customer = _picked(request, Customer, "customer", project)
    unit = _picked(request, Unit, "unit", project)
    related = request.GET.get("related_complaint", "")
    found: list[duplicates.Similar] = []
    if project is not None and access.can_register_complaint(request.user, project):
        found = duplicates.similar_complaints(
            user=request.user,
            project=project,
            description=description,
            customer=customer,
            unit=unit,
            now=timezone.now(),
        )
    context = {
        "similar": found,
        "related": related,
        "searched": bool(description or customer or unit),
        "days": duplicates.window_days(project) if project is not None else 0,
    }
    return render(request, "complaints/_similar.html", context)


@login_required
@require_POST
def add_to_existing(request: HttpRequest, pk: int) -> HttpResponse:
    """The register form sent here instead: its description becomes the customer's words on complaint ``pk``."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if not access.can_register_complaint(request.user, complaint.project):
        raise PermissionDenied
    outcome = attempt(
        request,
        lambda: duplicates.complaint_add_customer_words(
            complaint=complaint,
            text=request.POST.get("description", ""),
            channel=request.POST.get("channel", ""),
            actor=request.user,
        ),
        labels={"description": _("投诉内容"), "channel": _("投诉方式")},
    )
    if not outcome.ok:
        return redirect(reverse("complaints:register"))
    messages.success(request, _("已将客户的补充反映记入投诉 %(number)s，未新登记投诉") % {"number": complaint.number})
    return redirect("complaints:detail", pk=complaint.pk)
