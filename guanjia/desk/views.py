from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanjia.accounts.access import get_for_user, visible_projects
from guanjia.desk.middleware import SESSION_KEY
from guanjia.estates.models import Project


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/home.html")


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
