"""The project switcher: the current project lives in the session and is checked against the access
policy on every request, so a stale or forged id never widens what a user sees."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from guanjia.accounts.access import checked_project

SESSION_KEY = "guanjia_project_id"


class CurrentProjectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.project = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            wanted = request.session.get(SESSION_KEY)
            project = checked_project(request.user, wanted) if wanted else None
            if project is None:
                project = checked_project(request.user)
                if project is not None:
                    request.session[SESSION_KEY] = project.pk
            request.project = project  # type: ignore[attr-defined]
        return self.get_response(request)
