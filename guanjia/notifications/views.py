"""The inbox page, the unread badge (polled by htmx), and the urgent feed the boards poll for alerts."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guanjia.core.web import post_action, redirect_next
from guanjia.notifications.models import Channel, DeliveryStatus, Level, NotificationPreference
from guanjia.notifications.selectors import (
    can_see_deliveries,
    deliveries_for,
    inbox_for,
    unread_count,
    unread_urgent,
)
from guanjia.notifications.services import notification_mark_all_read, notification_mark_read, preference_set
from guanjia.notifications.status import status_text

PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = inbox_for(request.user).select_related("project")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": unread_count(request.user),
            "can_see_deliveries": can_see_deliveries(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(inbox_for(request.user), pk=pk)
    notification_mark_read(user=request.user, notification=notification)
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    level = request.POST.get("level") or None
    notification_mark_all_read(user=request.user, level=level if level in Level.values else None)
    return _back(request)


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points (only to a page of this site)."""
    notification = get_object_or_404(inbox_for(request.user), pk=pk)
    notification_mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:inbox")
    return redirect(target)


@never_cache
@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_badge_count.html", {"unread": unread_count(request.user)})


@never_cache
@login_required
@require_GET
def urgent(request: HttpRequest) -> JsonResponse:
    """Unread urgent notifications, newest first; the board shows a banner and sounds a tone for new ids."""
    rows = unread_urgent(request.user)
    return JsonResponse(
        {
            "urgent": [
                {
                    "id": n.pk,
                    "kind": n.kind,
                    "title": n.title,
                    "body": n.body,
                    "url": n.url,
                    "created_at": n.created_at.isoformat(),
                }
                for n in rows
            ],
        }
    )


class QuietHoursForm(forms.Form):
    quiet_start = forms.TimeField(label=_("免打扰开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("免打扰结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """My quiet hours: non-urgent copies to my phone, e-mail and chats wait until they end."""
    pref = NotificationPreference.objects.filter(user_id=request.user.pk or 0).first()
    initial = {"quiet_start": pref.quiet_start, "quiet_end": pref.quiet_end} if pref else {}
    form = QuietHoursForm(request.POST or None, initial=initial)

    def page(form: forms.Form, status: int = 200) -> HttpResponse:
        return render(request, "notifications/preferences.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(form)
    return post_action(
        request,
        lambda: preference_set(
            user=request.user,  # type: ignore[arg-type]
            quiet_start=form.cleaned_data["quiet_start"],
            quiet_end=form.cleaned_data["quiet_end"],
        ),
        default="notifications:preferences",
        form=form,
        invalid=lambda f: page(f, status=400),
        done=_("已保存免打扰时段"),
    )


@login_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    """Managers: recent outgoing messages of their projects and what became of each."""
    if not can_see_deliveries(request.user):
        raise Http404
    rows = deliveries_for(request.user)
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        setattr(row, "status_sentence", status_text(row))  # noqa: B010 - display only
    return render(
        request,
        "notifications/deliveries.html",
        {"page": page, "status": status, "statuses": DeliveryStatus.choices, "channels": dict(Channel.choices)},
    )


def _back(request: HttpRequest) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect_next(request, "notifications:inbox")
