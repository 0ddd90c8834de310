from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import get_for_user, scope, today_page, visible_projects
from guanjia.core.web import redirect_next
from guanjia.desk.firstrun import dismiss, first_run
from guanjia.desk.middleware import SESSION_KEY
from guanjia.desk.today import Today
from guanjia.desk.today_office import BUILDERS
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.selectors import customer_search

#: Results shown under the desk's search box; the 客户 page shows more.
HOME_SEARCH_LIMIT = 20
#: Set once the first-run page has been shown in this session: after login the desk opens it once.
FIRST_RUN_SEEN = "desk_first_run_seen"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the search box first (the desk starts nearly every call by finding the customer), then the
    user's "today": what their role has to do next, each item one tap from its page."""
    project = request.project  # type: ignore[attr-defined]
    setup = first_run(request.user, project, now=timezone.now())  # type: ignore[arg-type]
    if setup.urgent and not request.session.get(FIRST_RUN_SEEN):
        return redirect("desk:first_run")
    query = request.GET.get("q", "").strip()
    results = customer_search(user=request.user, project=project, query=query, limit=HOME_SEARCH_LIMIT) if query else []
    today = today_for(request.user, project, now=timezone.now())
    counts = {}
    if project is not None and today.page == "basic":
        counts = {
            "customers": scope(Customer.objects.filter(project=project), request.user).count(),
            "units": scope(Unit.objects.filter(project=project), request.user).count(),
        }
    context = {
        "query": query,
        "results": results,
        "counts": counts,
        "setup": setup,
        "today": today,
        "today_template": f"desk/today_{today.page}.html",
    }
    return render(request, "desk/home.html", context)


def today_for(user: Any, project: Project | None, *, now: datetime) -> Today:
    """The first page of ``user`` in ``project``; which one is a role rule (``access.today_page``)."""
    page = today_page(user)
    build = BUILDERS.get(page)
    if project is None or build is None:
        return Today(page="basic")
    return build(user, project, now)


@login_required
def first_run_page(request: HttpRequest) -> HttpResponse:
    """开通清单: what is left before the desk is ready, each item with the page that does it."""
    project = request.project  # type: ignore[attr-defined]
    now = timezone.now()
    if request.method == "POST":
        if project is not None and dismiss(request.user, project, now=now):  # type: ignore[arg-type]
            messages.success(request, _("开通清单已完成并关闭。"))
            return redirect("desk:home")
        messages.error(request, _("还有未完成的事项，完成后才能关闭清单。"))
        return redirect("desk:first_run")
    request.session[FIRST_RUN_SEEN] = True
    setup = first_run(request.user, project, now=now)  # type: ignore[arg-type]
    return render(request, "desk/first_run.html", {"setup": setup})


@login_required
@require_POST
def switch_project(request: HttpRequest) -> HttpResponse:
    project = get_for_user(Project.objects.all(), request.user, request.POST.get("project"), field="pk")
    request.session[SESSION_KEY] = project.pk
    return redirect_next(request, "/")


__all__ = ["first_run_page", "home", "switch_project", "visible_projects"]
