from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanjia.accounts.access import get_for_user, scope, visible_projects
from guanjia.desk.middleware import SESSION_KEY
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.selectors import customer_search

#: Results shown under the desk's search box; the 客户 page shows more.
HOME_SEARCH_LIMIT = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the search box first; the desk starts nearly every call by finding the customer."""
    project = request.project  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()
    results = customer_search(user=request.user, project=project, query=query, limit=HOME_SEARCH_LIMIT) if query else []
    counts = {}
    if project is not None:
        counts = {
            "customers": scope(Customer.objects.filter(project=project), request.user).count(),
            "units": scope(Unit.objects.filter(project=project), request.user).count(),
        }
    return render(request, "desk/home.html", {"query": query, "results": results, "counts": counts})


@login_required
@require_POST
def switch_project(request: HttpRequest) -> HttpResponse:
    project = get_for_user(Project.objects.all(), request.user, request.POST.get("project"), field="pk")
    request.session[SESSION_KEY] = project.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


__all__ = ["home", "switch_project", "visible_projects"]
