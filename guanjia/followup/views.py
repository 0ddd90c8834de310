"""The follow-up pages (tablet and phone first). Thin: reads through ``selectors``, writes through ``services``;
a refused write comes back as messages naming the field, on the same page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanjia.accounts.access import (
    can_follow_up,
    can_manage_master_data,
    can_reveal_phone,
    can_supervise_followup,
    get_for_user,
    mask_phone,
    scope,
)
from guanjia.accounts.models import User
from guanjia.cases.services import TransitionError
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.selectors import customer_search
from guanjia.estates.services import ConflictError
from guanjia.followup import selectors, services
from guanjia.followup.models import (
    Activity,
    CallOutcome,
    CustomerProfile,
    FollowUpCall,
    IssueKind,
    Lead,
    LeadContact,
    LeadGrade,
    LeadStatus,
    LetterKind,
    QuestionType,
    Reassignment,
    Schedule,
    Survey,
    SurveyResponse,
)
from guanjia.timeline.models import Event
from guanjia.timeline.services import record

FIELD_LABELS = {
    "unit": gettext_lazy("地址（房屋）"),
    "phone": gettext_lazy("电话"),
    "wishes": gettext_lazy("客户希望得到的服务"),
    "served_on": gettext_lazy("服务日期"),
    "serviced": gettext_lazy("服务项目"),
    "cycle_days": gettext_lazy("服务周期"),
    "next_due_on": gettext_lazy("下次服务日期"),
    "first_service_at": gettext_lazy("首次服务时间"),
    "owner": gettext_lazy("负责人"),
    "template": gettext_lazy("跟踪计划模板"),
    "service_at": gettext_lazy("服务时间"),
    "assignee": gettext_lazy("跟踪业务员"),
    "customer": gettext_lazy("客户"),
    "outcome": gettext_lazy("通话结果"),
    "notes": gettext_lazy("谈话要点"),
    "raised": gettext_lazy("客户提出的事项"),
    "raised_kind": gettext_lazy("事项类别"),
    "at": gettext_lazy("时间"),
    "note": gettext_lazy("上报说明"),
    "solution": gettext_lazy("解决办法"),
    "answer": gettext_lazy("答复内容"),
    "name": gettext_lazy("名称"),
    "steps": gettext_lazy("步骤"),
    "held_on": gettext_lazy("活动日期"),
    "subject": gettext_lazy("事由"),
    "sent_on": gettext_lazy("寄出日期"),
    "kind": gettext_lazy("类别"),
    "call": gettext_lazy("邀请电话"),
    "activity": gettext_lazy("活动"),
    "to_user": gettext_lazy("代理人"),
    "from_user": gettext_lazy("原负责人"),
    "reason": gettext_lazy("原因"),
    "grade": gettext_lazy("等级"),
    "channel": gettext_lazy("联系方式"),
    "status": gettext_lazy("状态"),
    "title": gettext_lazy("问卷名称"),
    "questions": gettext_lazy("问题"),
    "schedule": gettext_lazy("周期"),
    "first_round_on": gettext_lazy("开始日期"),
    "round_days": gettext_lazy("开放天数"),
}
LIST_LIMIT = 200


# --- plumbing ----------------------------------------------------------------------------------------------------


def _report(request: HttpRequest, exc: Exception, labels: dict[str, Any] | None = None) -> None:
    labels = labels or FIELD_LABELS
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                messages.error(request, f"{labels.get(name, name)}：{message}")
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A follow-up page: logged in, a project the user does follow-up work in, GET or POST; a POST the service
    refuses comes back to the same page with the reason."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        project: Project | None = getattr(request, "project", None)
        if project is None or not can_follow_up(request.user, project):
            raise PermissionDenied
        try:
            return view(request, project, *args, **kwargs)
        except (ValidationError, ConflictError, TransitionError) as exc:
            if request.method != "POST":
                raise
            _report(request, exc)
            return redirect(request.get_full_path())

    return wrapped


def _actor(request: HttpRequest) -> User:
    """The logged-in member of staff (every page here requires a login)."""
    return request.user  # type: ignore[return-value]


def _date(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ValidationError({field: [_("日期格式不正确")]})
    return parsed


def _datetime(value: str | None, field: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValidationError({field: [_("时间格式不正确")]})
        parsed = datetime.combine(day, datetime.min.time())
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _int(value: str | None, field: str, *, required: bool = True) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: [_("请填写")]})
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: [_("请填写整数")]}) from None


def _staff(project: Project, pk: str | None, field: str) -> User:
    user = selectors.staff_for_followup(project).filter(pk=_int(pk, field) or 0).first()
    if user is None:
        raise ValidationError({field: [_("请选择本项目负责跟踪服务的员工")]})
    return user


def _rows(request: HttpRequest, *names: str) -> list[dict[str, str]]:
    """The repeated rows of a form (several inputs named alike), one dict per row, keyed by the first name."""
    columns = {name: request.POST.getlist(name) for name in names}
    return [
        {name: values[i] if i < len(values) else "" for name, values in columns.items()}
        for i in range(len(columns[names[0]]))
    ]


VERB_LABELS = {
    "followup.archive_opened": gettext_lazy("建立档案"),
    "followup.archive_updated": gettext_lazy("修改档案"),
    "followup.service_recorded": gettext_lazy("登记服务记录"),
    "followup.archive_completed": gettext_lazy("档案已建完"),
    "followup.call_done": gettext_lazy("通话已记录"),
    "followup.call_attempted": gettext_lazy("拨打未接通"),
    "followup.reassigned": gettext_lazy("临时指派给他人"),
    "followup.issue_raised": gettext_lazy("客户提出事项"),
    "followup.issue_escalated": gettext_lazy("上报主管"),
    "followup.issue_solved": gettext_lazy("找到解决办法"),
    "followup.issue_answered": gettext_lazy("已答复客户"),
    "followup.lead_created": gettext_lazy("登记意向客户"),
    "followup.lead_contacted": gettext_lazy("追踪联系"),
    "deadline.missed": gettext_lazy("超过期限"),
    "deadline.reminded": gettext_lazy("到期提醒"),
    "pii.phone_revealed": gettext_lazy("查看完整电话"),
}


def _events(subject: Any, limit: int = 50) -> list[tuple[Event, str]]:
    rows = Event.objects.for_subject(subject).select_related("actor").order_by("-at", "-id")[:limit]
    return [(e, str(VERB_LABELS.get(e.verb, e.verb))) for e in rows]


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
    workload = []
    for person in staff:
        counts = {name: rows.count() for name, rows in services.open_work(project, person).items()}
        workload.append((person, counts, sum(counts.values())))
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
            "cadence": [(g, label, services.cadence_days(project, g)) for g, label in LeadGrade.choices],
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
            "invitation_due": services.invitation_due(item.held_on),
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )


# --- T07 surveys ---------------------------------------------------------------------------------------------------


@page
def surveys(request: HttpRequest, project: Project) -> HttpResponse:
    can_define = can_supervise_followup(request.user, project)
    if request.method == "POST":
        if not can_define:
            raise PermissionDenied
        questions = [
            {"text": r["q_text"], "type": r["q_type"], "choices": r["q_choices"]}
            for r in _rows(request, "q_text", "q_type", "q_choices")
        ]
        survey = services.survey_create(
            project=project,
            title=request.POST.get("title", ""),
            questions=questions,
            schedule=request.POST.get("schedule", ""),
            first_round_on=_date(request.POST.get("first_round_on"), "first_round_on"),
            round_days=_int(request.POST.get("round_days") or "14", "round_days") or 14,
            actor=_actor(request),
        )
        services.survey_open_round(survey=survey, now=timezone.now())
        messages.success(request, _("问卷已保存。"))
        return redirect("followup:survey", pk=survey.pk)
    return render(
        request,
        "followup/surveys.html",
        {
            "project": project,
            "surveys": list(selectors.surveys_for(request.user).filter(project=project)[:LIST_LIMIT]),
            "can_define": can_define,
            "schedules": Schedule.choices,
            "types": QuestionType.choices,
            "blank_rows": range(6),
            "today": timezone.localdate(),
        },
    )


@page
def survey(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = get_for_user(Survey._default_manager.prefetch_related(Prefetch("rounds")), request.user, pk)
    rounds = list(item.rounds.all())
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), rounds[0] if rounds else None)
    today = timezone.localdate()
    current = next((r for r in rounds if r.is_open(today)), None)
    if request.method == "POST":
        if current is None:
            raise ConflictError(_("本问卷当前没有开放的轮次"))
        customer = get_for_user(Customer.objects.all(), request.user, request.POST.get("customer"))
        answers = {q["key"]: request.POST.get(q["key"], "") for q in item.questions}
        services.survey_fill_by_staff(round_=current, customer=customer, answers=answers, actor=_actor(request))
        messages.success(request, _("已代客户填写问卷。"))
        return redirect(f"{reverse('followup:survey', args=[item.pk])}?round={current.pk}")
    pending: list[SurveyResponse] = []
    if current is not None:
        pending = list(
            SurveyResponse._default_manager.filter(round=current, answered_at__isnull=True)
            .select_related("customer")
            .order_by("customer__name", "id")[:LIST_LIMIT]
        )
    return render(
        request,
        "followup/survey.html",
        {
            "project": project,
            "survey": item,
            "rounds": rounds,
            "chosen": chosen,
            "current": current,
            "summary": selectors.survey_summary(item, chosen) if chosen else None,
            "pending": pending,
            "can_fill": current is not None,
        },
    )


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page, opened from the link on their phone: no login; the token is the key."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    response = (
        SurveyResponse._default_manager.select_related("round__survey__project", "customer").filter(token=token).first()
    )
    if response is None:
        raise Http404
    survey_obj = response.round.survey
    errors: dict[str, list[str]] = {}
    closed_message = ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {q["key"]: request.POST.get(q["key"], "") for q in survey_obj.questions}
        try:
            services.survey_answer(response=response, answers=values)
        except ValidationError as exc:
            errors = exc.message_dict
        except ConflictError as exc:
            closed_message = str(exc)
        else:
            return render(request, "followup/survey_thanks.html", {"survey": survey_obj})
    elif response.answered_at is not None:
        return render(request, "followup/survey_thanks.html", {"survey": survey_obj, "already": True})
    elif not response.round.is_open(timezone.localdate()):
        closed_message = _("本轮问卷已结束，谢谢您的关注。")
    return render(
        request,
        "followup/survey_answer.html",
        {
            "survey": survey_obj,
            "response": response,
            "errors": errors,
            "values": values,
            "closed": closed_message,
            "ratings": ["1", "2", "3", "4", "5"],
        },
        status=400 if errors else 200,
    )
