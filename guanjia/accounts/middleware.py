"""A person who logged in with a one-time password (a new account, a reset) sets their own before anything
else: every page sends them to 修改密码 until they have, and the API answers 403."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

#: Paths a person with a one-time password may still reach: the change itself, logging out, the language.
_ALWAYS = ("/static/", "/healthz", "/readyz", "/logout/", "/i18n/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(_ALWAYS):  # decided before the user is loaded: probes never touch the session
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            change = reverse("password_change")
            if path != change:
                if path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先修改一次性密码。")}, status=403)
                if request.headers.get("HX-Request"):
                    # The badge and alert polls of the change page itself: nothing to swap in until it is done.
                    return HttpResponse(status=204)
                return redirect(f"{change}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
