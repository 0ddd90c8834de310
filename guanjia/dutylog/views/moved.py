"""The duty log and the office's ledgers were both under ``/desk/`` until they were mounted apart (``/duty/``
and ``/office/``). Bookmarks, printed QR codes and links in notifications already sent still name the old
paths: they are sent on, permanently, with the method and the query kept."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.encoding import escape_uri_path

#: The first path segments that belong to the office's ledgers (F11–F13); everything else is the duty log.
OFFICE_SEGMENTS = frozenset({"rooms", "bookings", "notices", "fees"})


class _PermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    status_code = 308


def moved_from_desk(request: HttpRequest, rest: str) -> HttpResponse:
    first = rest.split("/", 1)[0]
    target = escape_uri_path(f"/{'office' if first in OFFICE_SEGMENTS else 'duty'}/{rest}")
    query = request.META.get("QUERY_STRING", "")
    if query:
        target = f"{target}?{query}"
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return _PermanentRedirectKeepingMethod(target)
