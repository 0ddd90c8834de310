"""Calls with relays and answer-later tasks (F10), and the standard phrases (F14)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_manage_master_data, can_reveal_phone, get_for_user, mask_phone
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import CallOutcome, CallRecord, FollowUpTask, Phrase, PhraseCategory, Relay
from guanjia.dutylog.views.common import current_project, parse_when, project_staff, staff_member, write_view

#: An answer-later task is due by the end of the next working hours unless the desk says otherwise.
DEFAULT_TASK_HOURS = 24


@login_required
def calls(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    rows = list(selectors.calls_of(project, limit=50))
    for call in rows:
        call.masked_phone = mask_phone(call.phone) if call.phone else ""  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "project": project,
        "calls": rows,
        "my_relays": list(selectors.relays_for(request.user, project)),
        "unread_relays": list(selectors.unread_relays(project)),
        "tasks": list(selectors.open_tasks(project)),
        "staff": project_staff(project),
        "phrases": selectors.phrases_for(project),
        "now": timezone.now(),
        "can_reveal": can_reveal_phone(request.user),
    }
    return render(request, "dutylog/calls.html", context)


@write_view("duty:calls")
def call_add(request: HttpRequest) -> str:
    """Record a call in one form: answered now, relayed to an absent colleague, or to be answered later."""
    project = current_project(request)
    post = request.POST
    outcome = post.get("outcome", CallOutcome.ANSWERED)
    relay_to = staff_member(project, post.get("relay_to"), "to_user", required=outcome == CallOutcome.RELAYED)
    assignee = staff_member(project, post.get("assignee"), "assignee", required=False)
    due_at = parse_when(post.get("due_at"), "due_at", required=False)
    with transaction.atomic():
        call = services.call_record(
            project=project,
            caller=post.get("caller", ""),
            phone=post.get("phone", ""),
            about=post.get("about", ""),
            outcome=CallOutcome.ANSWERED if outcome in (CallOutcome.RELAYED, CallOutcome.LATER) else outcome,
            actor=request.user,  # type: ignore[arg-type]
        )
        if outcome == CallOutcome.RELAYED and relay_to is not None:
            services.relay_send(
                project=project,
                call=call,
                to_user=relay_to,
                message=post.get("message", "") or call.about,
                actor=request.user,  # type: ignore[arg-type]
            )
            return _("已记录并转告 %(name)s。") % {"name": relay_to.display_name}
        if outcome == CallOutcome.LATER:
            services.task_create(
                project=project,
                call=call,
                question=post.get("question", "") or call.about,
                assignee=assignee or request.user,  # type: ignore[arg-type]
                due_at=due_at or timezone.now() + timedelta(hours=DEFAULT_TASK_HOURS),
                actor=request.user,  # type: ignore[arg-type]
            )
            return _("已记录，待答复事项已建立。")
    return _("来电已记录。")


@login_required
def call_phone(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    call = get_for_user(CallRecord.objects.all(), request.user, pk)
    number = services.call_reveal_phone(call=call, actor=request.user)  # type: ignore[arg-type]
    return HttpResponse(format_html('<a class="tel" href="tel:{0}">{0}</a>', number))


@write_view("duty:calls")
def relay_read(request: HttpRequest, pk: int) -> str:
    relay = get_for_user(Relay.objects.all(), request.user, pk)
    services.relay_mark_read(relay=relay, actor=request.user)  # type: ignore[arg-type]
    return _("已标记为已读。")


@write_view("duty:calls")
def task_done(request: HttpRequest, pk: int) -> str:
    task = get_for_user(FollowUpTask.objects.all(), request.user, pk)
    services.task_done(task=task, answer=request.POST.get("answer", ""), actor=request.user)  # type: ignore[arg-type]
    return _("已答复。")


@login_required
def phrases(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    manage = can_manage_master_data(request.user)
    return render(
        request,
        "dutylog/phrases.html",
        {
            "project": project,
            "phrases": selectors.phrases_for(project, include_hidden=manage),
            "can_manage": manage,
            "categories": PhraseCategory.choices,
        },
    )


@write_view("duty:phrases")
def phrase_add(request: HttpRequest) -> str:
    project = current_project(request)
    services.phrase_add(
        project=project,
        category=request.POST.get("category", ""),
        text=request.POST.get("text", ""),
        note=request.POST.get("note", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已添加标准用语。")


@write_view("duty:phrases")
def phrase_toggle(request: HttpRequest, pk: int) -> str:
    project = current_project(request)
    phrase = Phrase.objects.filter(pk=pk).first()
    if phrase is None or (phrase.project_id is not None and phrase.project_id != project.pk):
        raise PermissionDenied
    if request.POST.get("active") not in ("0", "1"):
        raise ValidationError({"status": _("未知的状态。")})
    services.phrase_set_active(
        phrase=phrase,
        project=project,
        active=request.POST.get("active") == "1",
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已更新。")
