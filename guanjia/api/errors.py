"""Every API error is JSON naming what was wrong: ``{"detail": …}`` or ``{"field": ["message"]}``.

DRF already answers validation, auth and parse errors this way; this handler adds the cases that would
otherwise surface as a 500 or an HTML page: Django's own ValidationError, a database integrity error from a
race, a permission error raised by a service, and an object in another project (404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from guanjia.core.errors import ConflictError, NotPossible


class Conflict(APIException):
    """409: the request is valid but not possible now (a concurrent change, a state that forbids it)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _lazy("记录已被他人修改或当前状态不允许此操作，请刷新后重试。")
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {
                field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
            }
        else:
            data = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": _("请求内容过大。")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, (ConflictError, NotPossible)):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return Response({"detail": _("与已有记录冲突，请刷新后重试。")}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PermissionError):
        return Response({"detail": _("您的岗位无权执行此操作。")}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, (Http404, PermissionDenied)):
        return drf_exception_handler(exc, context)
    return drf_exception_handler(exc, context)


# --- Django's own error pages, answered as JSON under /api/ ------------------------------------------------------
# A path no view matches (``/api/v1/nothing``, ``/api/v1/complaints/1/nothing``) or an error outside DRF's exception
# handling would otherwise answer Django's HTML page. ``config/urls.py`` installs these as ``handler400``,
# ``handler403``, ``handler404`` and ``handler500``; they answer ``{"detail": …}`` with DRF's own messages (in the
# request's language) under /api/, and Django's default pages everywhere else.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(ParseError.default_detail)}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(DrfPermissionDenied.default_detail)}, status=status.HTTP_403_FORBIDDEN)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(APIException.default_detail)}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
