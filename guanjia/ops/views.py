"""``/readyz``: may this installation take traffic? No login, no session, never cached."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from guanjia.ops.health import readiness


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok", else 503 naming each failed check (see ``guanjia.ops.health``)."""
    result = readiness(now=timezone.now(), connection=connection)
    response = JsonResponse(result.as_dict(), status=200 if result.ok else 503)
    add_never_cache_headers(response)
    return response
