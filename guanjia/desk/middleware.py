"""The project switcher: the current project lives in the session and is checked against the access
policy on every request, so a stale or forged id never widens what a user sees."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from guanjia.accounts.access import project_ids
from guanjia.estates.models import Project

SESSION_KEY = "guanjia_project_id"


class CurrentProjectMiddleware:
    """Sets ``request.project_id`` (checked against the ids the user may see, read once per request and kept
    for ``scope``) and ``request.project``: None when the user sees no project, else the Project, read only when
    a view first uses it, so a poll that needs only the id costs no query for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.project = None  # type: ignore[attr-defined]
        request.project_id = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            visible = project_ids(request.user)
            wanted = request.session.get(SESSION_KEY)
            chosen = wanted if wanted in visible else min(visible, default=None)
            if chosen is not None:
                if chosen != wanted:
                    request.session[SESSION_KEY] = chosen
                request.project_id = chosen  # type: ignore[attr-defined]
                request.project = SimpleLazyObject(lambda: Project.objects.get(pk=chosen))  # type: ignore[attr-defined]
        return self.get_response(request)
