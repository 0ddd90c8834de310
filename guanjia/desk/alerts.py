"""The urgent banner of every page: the feed it polls and its dismissal.

Only the roles that must act on an urgent notification see it as a banner (``access.shows_urgent_alert``);
everyone else reads it in the inbox. Dismissing marks the shown notifications read on the server, so the
banner stays dismissed on every other page and device; notifications not shown stay unread in the inbox.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guanjia.accounts.access import shows_urgent_alert, urgent_alert_kinds
from guanjia.notifications.models import Level, Notification
from guanjia.notifications.selectors import inbox_for
from guanjia.notifications.services import notification_mark_read

#: At most this many alerts in the banner; the inbox has the rest.
BANNER_LIMIT = 5


def banner_alerts(user: object) -> list[Notification]:
    """The unread urgent notifications ``user`` must act on, newest first (one query; none for a role that
    gets no urgent banner)."""
    if not urgent_alert_kinds(user):
        return []
    rows = inbox_for(user).filter(read_at__isnull=True, level=Level.URGENT)
    # Few kinds exist; filtering in Python keeps the rule in access.py. Read a little more than shown so that
    # alerts for other roles (kept for the inbox) do not crowd out the ones to act on.
    return [n for n in rows[: BANNER_LIMIT * 4] if shows_urgent_alert(user, n.kind)][:BANNER_LIMIT]


@never_cache
@login_required
@require_GET
def feed(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "urgent": [
                {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url}
                for n in banner_alerts(request.user)
            ]
        }
    )


@login_required
@require_POST
def dismiss(request: HttpRequest) -> HttpResponse:
    """Mark the banner's notifications (``ids``) read: dismissed here is dismissed on every page."""
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][: BANNER_LIMIT * 4]
    now = timezone.now()
    rows = inbox_for(request.user).filter(pk__in=ids, read_at__isnull=True, level=Level.URGENT)
    for notification in rows:
        if shows_urgent_alert(request.user, notification.kind):
            notification_mark_read(user=request.user, notification=notification, at=now)
    return HttpResponse(status=204)
