"""Too many failed logins: the answer a locked-out user gets, the client address axes records, and the log line.

django-axes (``AXES_*`` in config/settings/base.py) counts failed logins per username in the database and
refuses the next login, even with the right password, until the cool-off has passed or an administrator
unlocks the account (admin → Axes → Access attempts → delete, or ``manage.py axes_reset_username <name>``).
Both the web login and ``POST /api/v1/auth/token`` call ``authenticate(request, …)``, so both are covered.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger("guanjia.security")


def cool_off_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _("登录失败次数过多，该账号已暂时锁定。请 %(minutes)d 分钟后再试，或联系管理员解锁。") % {
        "minutes": cool_off_minutes()
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 for a locked-out login: JSON ``{"detail": …}`` for the API, the login page with the message otherwise."""
    message = lockout_message()
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": retry_after})
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        # An unbound form: binding it would run authenticate() again and count another attempt.
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout_message": message,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` trusted reverse proxies the address
    that the outermost of them saw (counted from the right of X-Forwarded-For, where each proxy appends)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # fewer hops than proxies: the header is not the proxies' own, trust none of it
    candidate = hops[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


@receiver(user_locked_out, dispatch_uid="guanjia.accounts.lockout.log_lockout")
def log_lockout(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    """Every locked-out login (the one that trips the limit and each refused one after it) leaves a WARNING."""
    logger.warning(
        "Login locked out after too many failures: username=%r address=%s path=%s",
        username,
        ip_address,
        request.path,
    )
