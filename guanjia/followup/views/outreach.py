"""Pages of leads (T06) and activities with their invitations and letters (T04)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_reveal_phone,
    get_for_user,
    mask_phone,
)
from guanjia.estates.models import Project
from guanjia.followup import selectors, services
from guanjia.followup.models import (
    Activity,
    FollowUpCall,
    LeadContact,
    LeadGrade,
    LeadStatus,
    LetterKind,
)
from guanjia.followup.views._common import (
    LIST_LIMIT,
    _actor,
    _date,
    _int,
    page,
)

# --- T06 leads -----------------------------------------------------------------------------------------------------


@page
def leads(request: HttpRequest, project: Project) -> HttpResponse:
    if request.method == "POST":
        lead = services.lead_create(
            project=project,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            grade=request.POST.get("grade", ""),
            source=request.POST.get("source", ""),
            needs=request.POST.get("needs", ""),
            reason=request.POST.get("reason", ""),
            actor=_actor(request),
        )
        messages.success(request, _("已登记。"))
        return redirect("followup:lead", pk=lead.pk)
    rows = selectors.leads_for(request.user).filter(project=project)
    status = request.GET.get("status", LeadStatus.OPEN)
    if status in LeadStatus.values:
        rows = rows.filter(status=status)
    cadences = selectors.lead_cadences(project)
    grade = request.GET.get("grade", "")
    if grade in LeadGrade.values:
        rows = rows.filter(grade=grade)
    return render(
        request,
        "followup/leads.html",
        {
            "project": project,
            "leads": list(rows[:LIST_LIMIT]),
            "grades": LeadGrade.choices,
            "statuses": LeadStatus.choices,
            "status": status,
            "grade": grade,
            "cadence": [(g, label, cadences[g]) for g, label in LeadGrade.choices],
            "now": timezone.now(),
            "can_reveal": can_reveal_phone(request.user),
        },
    )


@page
def lead(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = get_for_user(selectors.leads_for(request.user), request.user, pk)
    if request.method == "POST":
        services.lead_contact_add(
            lead=item,
            actor=_actor(request),
            version=_int(request.POST.get("version"), "version") or 0,
            notes=request.POST.get("notes", ""),
            grade=request.POST.get("grade") or None,
            channel=request.POST.get("channel") or "phone",
            status=request.POST.get("status") or LeadStatus.OPEN,
        )
        messages.success(request, _("追踪记录已保存。"))
        return redirect("followup:lead", pk=item.pk)
    return render(
        request,
        "followup/lead.html",
        {
            "project": project,
            "lead": item,
            "phone": mask_phone(item.phone),
            "can_reveal": can_reveal_phone(request.user),
            "contacts": list(LeadContact._default_manager.filter(lead=item).select_related("by")),
            "grades": LeadGrade.choices,
            "statuses": LeadStatus.choices,
            "now": timezone.now(),
        },
    )


# --- T04 activities ------------------------------------------------------------------------------------------------


@page
def activities(request: HttpRequest, project: Project) -> HttpResponse:
    if request.method == "POST":
        activity = services.activity_create(
            project=project,
            name=request.POST.get("name", ""),
            held_on=_date(request.POST.get("held_on"), "held_on"),
            place=request.POST.get("place", ""),
            description=request.POST.get("description", ""),
            actor=_actor(request),
        )
        messages.success(request, _("活动已创建，已生成邀请电话。"))
        return redirect("followup:activity", pk=activity.pk)
    return render(
        request,
        "followup/activities.html",
        {
            "project": project,
            "activities": list(selectors.activities_for(request.user).filter(project=project)[:LIST_LIMIT]),
            "letters": list(selectors.letters_for(request.user).filter(project=project)[:50]),
            "now": timezone.now(),
        },
    )


@page
def activity(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = get_for_user(Activity._default_manager.all(), request.user, pk)
    if request.method == "POST":
        invitation = get_for_user(
            FollowUpCall._default_manager.filter(activity=item), request.user, request.POST.get("call")
        )
        services.letter_register(
            project=item.project,
            customer=invitation.customer,
            subject=request.POST.get("subject") or _("%(name)s 邀请函") % {"name": item.name},
            sent_on=_date(request.POST.get("sent_on"), "sent_on"),
            kind=LetterKind.INVITATION,
            activity=item,
            call=invitation,
            address=request.POST.get("address", ""),
            actor=_actor(request),
        )
        messages.success(request, _("信函已登记。"))
        return redirect("followup:activity", pk=item.pk)
    return render(
        request,
        "followup/activity.html",
        {
            "project": project,
            "activity": item,
            "calls": list(selectors.activity_calls(item)),
            "invitation_due": services.invitation_due(item.held_on, project),
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )
