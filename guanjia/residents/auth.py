"""How a resident proves who they are: ``Authorization: Token …`` for the API (a resident token, never a staff
one), the session cookie for the pages under /r/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from guanjia.accounts.lockout import client_ip
from guanjia.residents.households import Household, household_for
from guanjia.residents.models import ResidentSession
from guanjia.residents.signin import consent_given, live_sessions, session_for_token

SESSION_KEY = "resident_session"


class ResidentTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` read against resident sessions only."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        session = session_for_token(key)
        if session is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return session, None


class ResidentTokenScheme(OpenApiAuthenticationExtension):
    """The resident token in the schema, apart from the staff token (same header, another table)."""

    target_class = ResidentTokenAuthentication
    name = "residentTokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication for residents, with the prefix "Token"',
        }


class IsResident(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ResidentSession)


class HasConsented(permissions.BasePermission):
    """PIPL: nothing of the household is shown or taken in before the resident agreed to the privacy notice
    (as the pages send them to it first). Sign-in, ``me`` and ``consent`` itself stay open."""

    message = _("请先阅读并同意隐私政策（privacy consent：POST /api/v1/resident/consent）后再使用业主服务。")
    code = "consent_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        session = request.user
        return isinstance(session, ResidentSession) and consent_given(session.phone) is not None


def api_household(request: Request) -> Household:
    session: ResidentSession = request.user  # type: ignore[assignment]
    household = getattr(request, "_resident_household", None)
    if household is None:
        household = household_for(session.phone)
        request._resident_household = household  # type: ignore[attr-defined]
    return household


def page_session(request: HttpRequest) -> ResidentSession | None:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return live_sessions().filter(pk=pk).first()


def address(request: HttpRequest) -> str:
    return client_ip(request) or ""
