"""Pages of the daily follow-up work: home, the archive (T01), plans (T02), calls and issues (T03),
reassignment (T05)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import (
    can_follow_up,
    can_manage_master_data,
    can_reveal_phone,
    can_supervise_followup,
    get_for_user,
    mask_phone,
    scope,
)
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.selectors import customer_search
from guanjia.followup import selectors, services
from guanjia.followup.models import (
    CallOutcome,
    CustomerProfile,
    FollowUpCall,
    IssueKind,
    Lead,
    Reassignment,
)
from guanjia.followup.views._common import (
    _actor,
    _date,
    _datetime,
    _events,
    _int,
    _rows,
    _staff,
    page,
)
from guanjia.timeline.services import record

# --- home ----------------------------------------------------------------------------------------------------------


@page
def home(request: HttpRequest, project: Project) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    now = timezone.now()
    today = selectors.today_for(request.user, project, now=now, mine=mine)
    return render(
        request,
        "followup/home.html",
        {
            "project": project,
            "today": today,
            "now": now,
            "mine": mine,
            "can_supervise": can_supervise_followup(request.user, project),
        },
    )


# --- T01 archive ---------------------------------------------------------------------------------------------------


@page
def archive(request: HttpRequest, project: Project, customer_pk: int) -> HttpResponse:
    customer = get_for_user(Customer.objects.select_related("project"), request.user, customer_pk)
    profile = CustomerProfile._default_manager.filter(customer=customer).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "open":
            services.profile_ensure(
                customer=customer,
                actor=_actor(request),
                first_service_at=_datetime(request.POST.get("first_service_at"), "first_service_at"),
            )
            messages.success(request, _("已建立客户档案，请在 2 天内补全。"))
        elif profile is None:
            raise Http404
        elif action == "profile":
            unit_pk = _int(request.POST.get("unit"), "unit", required=False)
            unit = Unit.objects.filter(pk=unit_pk, project=customer.project).first() if unit_pk else None
            if unit_pk and unit is None:
                raise ValidationError({"unit": [_("房屋不属于本项目")]})
            services.profile_update(
                profile=profile,
                actor=_actor(request),
                version=_int(request.POST.get("version"), "version") or 0,
                unit=unit,
                phone=request.POST.get("phone", "").strip() or profile.phone,
                wishes=request.POST.get("wishes", ""),
            )
            messages.success(request, _("档案已保存。"))
        elif action == "service":
            services.service_record_add(
                profile=profile,
                actor=_actor(request),
                served_on=_date(request.POST.get("served_on"), "served_on"),
                serviced=request.POST.get("serviced", ""),
                cycle_days=_int(request.POST.get("cycle_days"), "cycle_days", required=False),
                next_due_on=_date(request.POST.get("next_due_on"), "next_due_on"),
                no_cycle=request.POST.get("no_cycle") == "on",
            )
            messages.success(request, _("服务记录已保存。"))
        return redirect("followup:archive", customer_pk=customer.pk)
    records = list(profile.services.select_related("recorded_by")) if profile else []
    return render(
        request,
        "followup/archive.html",
        {
            "project": project,
            "customer": customer,
            "profile": profile,
            "records": records,
            "missing": [str(services.archive.FIELD_LABELS[m]) for m in profile.missing_fields(records)]
            if profile
            else [],
            "units": Unit.objects.filter(residencies__customer=customer).select_related("building"),
            "phone": mask_phone(profile.phone) if profile else "",
            "can_reveal": can_reveal_phone(request.user),
            "calls": list(selectors.call_history(customer.pk, request.user)[:50]),
            "events": _events(profile) if profile else [],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def phone(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The full number of a call's customer or of a lead, for a role that phones; each reveal is recorded."""
    project: Project | None = getattr(request, "project", None)
    if not can_reveal_phone(request.user) or project is None or not can_follow_up(request.user, project):
        raise PermissionDenied
    subject: Any
    if kind == "call":
        item = get_for_user(FollowUpCall._default_manager.select_related("customer"), request.user, pk)
        profile = CustomerProfile._default_manager.filter(customer_id=item.customer_id).first()
        number, subject = (profile.phone if profile else ""), item.customer
    elif kind == "lead":
        lead_obj = get_for_user(Lead._default_manager.all(), request.user, pk)
        number, subject = lead_obj.phone, lead_obj
    else:
        raise Http404
    with transaction.atomic():
        record(subject=subject, verb="pii.phone_revealed", actor=request.user, data={"via": f"followup.{kind}"})
    return render(request, "followup/_phone_full.html", {"kind": kind, "pk": pk, "number": number})


# --- T02 plans -----------------------------------------------------------------------------------------------------


@page
def plan_apply(request: HttpRequest, project: Project) -> HttpResponse:
    customer = None
    pk = request.POST.get("customer") or request.GET.get("customer")
    if pk:
        customer = get_for_user(Customer.objects.all(), request.user, pk)
    if request.method == "POST":
        if customer is None:
            raise ValidationError({"customer": [_("请先选择客户")]})
        template = (
            selectors.templates_for(request.user).filter(pk=_int(request.POST.get("template"), "template") or 0).first()
        )
        if template is None:
            raise ValidationError({"template": [_("请选择可用的跟踪计划模板")]})
        plan = services.plan_apply(
            customer=customer,
            template=template,
            serviced=request.POST.get("serviced", ""),
            service_at=_datetime(request.POST.get("service_at"), "service_at") or timezone.now(),
            assignee=_staff(project, request.POST.get("assignee"), "assignee"),
            actor=_actor(request),
        )
        messages.success(request, _("已生成 %(n)s 通跟踪电话。") % {"n": plan.calls.count()})
        return redirect("followup:archive", customer_pk=customer.pk)
    query = request.GET.get("q", "").strip()
    found = customer_search(user=request.user, project=project, query=query, limit=20) if query and not customer else []
    return render(
        request,
        "followup/plan_apply.html",
        {
            "project": project,
            "customer": customer,
            "q": query,
            "found": found,
            "templates": list(selectors.templates_for(request.user)),
            "staff": list(selectors.staff_for_followup(project)),
            "now": timezone.localtime(),
        },
    )


@page
def templates(request: HttpRequest, project: Project) -> HttpResponse:
    if request.method == "POST":
        if not can_manage_master_data(request.user) or project.company_id is None:
            raise PermissionDenied
        rows = _rows(request, "label", "offset_days", "offset_months", "window_days")
        services.template_create(
            company=project.company,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            steps=rows,
            actor=_actor(request),
        )
        messages.success(request, _("模板已保存。"))
        return redirect("followup:templates")
    return render(
        request,
        "followup/templates.html",
        {
            "project": project,
            "templates": list(selectors.templates_for(request.user)),
            "can_define": can_manage_master_data(request.user),
            "blank_rows": range(6),
        },
    )


# --- T03 calls and issues ------------------------------------------------------------------------------------------


@page
def call(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = get_for_user(selectors.calls_for(request.user), request.user, pk)
    if request.method == "POST":
        services.call_record(
            call=item,
            actor=_actor(request),
            version=_int(request.POST.get("version"), "version") or 0,
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
            raised=request.POST.get("raised", ""),
            raised_kind=request.POST.get("raised_kind") or IssueKind.REQUEST,
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("通话已记录。"))
        return redirect("followup:call", pk=item.pk)
    profile = CustomerProfile._default_manager.filter(customer_id=item.customer_id).first()
    return render(
        request,
        "followup/call.html",
        {
            "project": project,
            "call": item,
            "profile": profile,
            "phone": mask_phone(profile.phone) if profile else "",
            "can_reveal": can_reveal_phone(request.user),
            "outcomes": CallOutcome.choices,
            "issue_kinds": IssueKind.choices,
            "issues": list(item.issues.all()),
            "letters": list(item.letters.select_related("registered_by")),
            "history": list(selectors.call_history(item.customer_id, request.user).exclude(pk=item.pk)[:20]),
            "events": _events(item),
            "now": timezone.now(),
        },
    )


@page
def issue(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = get_for_user(selectors.issues_for(request.user), request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        version = _int(request.POST.get("version"), "version") or 0
        actor = _actor(request)
        if action == "escalate":
            services.issue_escalate(issue=item, actor=actor, version=version, note=request.POST.get("note", ""))
            messages.success(request, _("已上报主管。"))
        elif action == "solve":
            services.issue_solve(
                issue=item,
                actor=actor,
                version=version,
                solution=request.POST.get("solution", ""),
                answered=request.POST.get("answered") == "on",
                answer=request.POST.get("answer", ""),
            )
            messages.success(request, _("解决办法已记录。请在今天答复客户。"))
        elif action == "answer":
            services.issue_answer(issue=item, actor=actor, version=version, answer=request.POST.get("answer", ""))
            messages.success(request, _("已记录答复。"))
        else:
            raise ValidationError({"action": [_("未知操作")]})
        return redirect("followup:issue", pk=item.pk)
    return render(request, "followup/issue.html", {"project": project, "issue": item, "events": _events(item)})


# --- T05 reassignment ----------------------------------------------------------------------------------------------


@page
def reassign(request: HttpRequest, project: Project) -> HttpResponse:
    if not can_supervise_followup(request.user, project):
        raise PermissionDenied
    staff = list(selectors.staff_for_followup(project))
    if request.method == "POST":
        done = services.followup_reassign(
            project=project,
            from_user=_staff(project, request.POST.get("from_user"), "from_user"),
            to_user=_staff(project, request.POST.get("to_user"), "to_user"),
            actor=_actor(request),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已转交 %(n)s 项工作。") % {"n": sum(done.counts.values())})
        return redirect("followup:reassign")
    counts = selectors.open_work_counts(project, staff)
    workload = [(person, counts[person.pk], sum(counts[person.pk].values())) for person in staff]
    history = scope(Reassignment._default_manager.all(), request.user).filter(project=project)
    return render(
        request,
        "followup/reassign.html",
        {
            "project": project,
            "staff": staff,
            "workload": workload,
            "history": list(history.select_related("from_user", "to_user", "by")[:20]),
        },
    )
