"""Pages of return visits: my visits today (phone), the visit form with the case record and the signature pad,
the supervisor's review, the quotas, household-visit campaigns and the export of visit records (V01–V10)."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanjia.accounts.access import (
    can_export_visits,
    can_manage_campaigns,
    can_record_visit,
    can_reveal_phone,
    can_review_visit,
    can_supervise_visits,
    can_visit_households,
    get_for_user,
    scope,
    visible_projects,
)
from guanjia.accounts.models import Role
from guanjia.cases.files import stream_stored
from guanjia.core.errors import TransitionError
from guanjia.core.periods import parse_month
from guanjia.core.web import post_action
from guanjia.estates.models import Building, Customer
from guanjia.visits import selectors, services
from guanjia.visits.models import (
    HouseholdVisit,
    Method,
    Outcome,
    ReturnVisit,
    ReviewDecision,
    Satisfaction,
    VisitSignature,
)
from guanjia.visits.story import case_story
from guanjia.workdays.deadlines import due_day


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"form": list(exc.messages)}


def _aware(raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise ValidationError({"at": [_("请填写有效的时间")]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _visit(request: HttpRequest, pk: int) -> ReturnVisit:
    return get_for_user(selectors.visits_for(request.user), request.user, pk)


def _decorate(visits: list[ReturnVisit]) -> list[ReturnVisit]:
    """What the pages print about each visit: its case's number, its due day in the desk's words, its role."""
    numbers = selectors.case_numbers(visits)
    roles = dict(Role.choices)
    for v in visits:
        v.case_number = numbers.get((v.content_type_id, v.object_id), "")  # type: ignore[attr-defined]
        v.due_text = f"{due_day(v.due_at):%Y-%m-%d} 24:00" if v.due_at else ""  # type: ignore[attr-defined]
        v.visitor_role_label = roles.get(v.visitor_role, v.visitor_role)  # type: ignore[attr-defined]
    return visits


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """V02, V05, V07: what the visitor has to do today, on a phone, and what falls due on the next working days."""
    today = selectors.my_visits_today(request.user)
    _decorate([*today.overdue, *today.today, *today.retries, *today.door_followups, *today.upcoming_visits])
    return render(request, "visits/mine.html", {"mine": today, "now": timezone.now()})


def _case_record(visit: ReturnVisit) -> dict[str, Any]:
    case = visit.case
    story, earlier = case_story(case)
    return {"case": case, "story": story, "story_earlier": earlier}


@login_required
@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """V05: the visit form; the case's record (process and completion) above it."""
    item = _visit(request, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_record_visit(request.user, item):
            raise PermissionDenied
        post = request.POST
        try:
            result = services.VisitResult(
                method=post.get("method", ""),
                outcome=post.get("outcome") or Outcome.REACHED,
                satisfaction=post.get("satisfaction") or None,
                notes=post.get("notes", ""),
                quality=post.get("quality", ""),
                effect=post.get("effect", ""),
                shortfalls=post.get("shortfalls", ""),
                suggestions=post.get("suggestions", ""),
                signature=post.get("signature") or None,
                signer_name=post.get("signer_name", ""),
                retry_at=_aware(post.get("retry_at")),
            )
            item = services.return_visit_record(visit=item, result=result, actor=request.user)
        except ValidationError as exc:
            errors = _errors(exc)
        except TransitionError as exc:
            errors = {"form": [str(exc)]}
        else:
            if item.status == "done":
                if item.unsatisfied:
                    messages.warning(request, _("已记录不满意回访：已报总经理，并登记整改投诉。"))
                else:
                    messages.success(request, _("回访已记录。"))
            else:
                messages.info(request, _("未接通，已安排再次回访。"))
            return redirect("visits:mine")
    _decorate([item])
    context = {
        "visit": item,
        "default_method": Method.ON_SITE if item.on_site_required else Method.PHONE,
        "errors": errors,
        "post": request.POST if errors else {},
        "methods": Method.choices,
        "outcomes": Outcome.choices,
        "levels": Satisfaction.choices,
        "can_record": can_record_visit(request.user, item) and item.is_open,
        "can_review": can_review_visit(request.user, item.project_id)
        and item.status == "done"
        and not item.reviewed_at,
        "decisions": ReviewDecision.choices,
        "attempts": list(item.attempts.select_related("by")),
        "can_call": can_reveal_phone(request.user) and item.customer_id is not None and item.is_open,
        **_case_record(item),
    }
    return render(request, "visits/visit.html", context, status=400 if errors else 200)


@login_required
@require_GET
def signature(request: HttpRequest, pk: int) -> FileResponse:
    """V03: the customer's signature on an on-site visit, only for staff who may see the visit."""
    signature = VisitSignature.objects.filter(visit=_visit(request, pk)).first()
    return stream_stored(signature.image if signature else None, content_type="image/png")


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """V06: the supervisor's queue: unsatisfied visits first."""
    if not can_supervise_visits(request.user):
        raise PermissionDenied
    queue = _decorate(list(selectors.review_queue(request.user)[:200]))
    return render(request, "visits/review.html", {"queue": queue, "decisions": ReviewDecision.choices})


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visit(request, pk)
    if not can_review_visit(request.user, item.project_id):
        raise PermissionDenied
    return post_action(
        request,
        lambda: services.return_visit_review(
            visit=item,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
            rectify_by=_aware(request.POST.get("rectify_by")),
            actor=request.user,
        ),
        default=reverse("visits:review"),
        done=_("审核意见已签署。"),
    )


def _month(raw: str | None) -> date:
    """The ``month`` parameter (``YYYY-MM``); this month when it is missing or malformed."""
    try:
        return parse_month(raw or "")
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    """V08: each CS supervisor's and office manager's complaint visits this month against the policy's quota."""
    if not can_supervise_visits(request.user):
        raise PermissionDenied
    month = _month(request.GET.get("month"))
    rows = selectors.quota_rows(request.user, month)
    return render(request, "visits/quotas.html", {"rows": rows, "month": month})


# --- household visits (V09) ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest) -> HttpResponse:
    projects = list(visible_projects(request.user))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        project = next((p for p in projects if str(p.pk) == request.POST.get("project")), None)
        if project is None:
            errors = {"project": [_("请选择项目")]}
        else:
            try:
                ids = request.POST.getlist("buildings")
                chosen = list(Building.objects.filter(project=project, pk__in=[i for i in ids if i.isdigit()]))
                campaign = services.campaign_create(
                    project=project,
                    name=request.POST.get("name", ""),
                    start=parse_date(request.POST.get("start", "")) or None,  # type: ignore[arg-type]
                    end=parse_date(request.POST.get("end", "")) or None,  # type: ignore[arg-type]
                    buildings=chosen,
                    actor=request.user,
                )
            except ValidationError as exc:
                errors = _errors(exc)
            except PermissionError:
                raise PermissionDenied from None
            else:
                messages.success(request, _("走访计划已创建，共 %(n)s 户。") % {"n": campaign.households.count()})
                return redirect("visits:campaign", pk=campaign.pk)
    rows = list(selectors.campaigns_for(request.user).order_by("-start", "id"))
    for row in rows:
        row.coverage = selectors.percent(row.visited_count, row.household_count)  # type: ignore[attr-defined]
        row.handled = selectors.percent(row.handled_count, row.issue_count)  # type: ignore[attr-defined]
    managed = [p for p in projects if can_manage_campaigns(request.user, p)]
    buildings = scope(Building.objects.filter(project__in=managed), request.user).order_by("project_id", "id")
    context = {"campaigns": rows, "projects": managed, "buildings": buildings, "errors": errors, "post": request.POST}
    return render(request, "visits/campaigns.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(selectors.campaigns_for(request.user), request.user, pk)
    if request.method == "POST":
        if not can_visit_households(request.user, item.project_id):
            raise PermissionDenied
        household = HouseholdVisit.objects.filter(campaign=item, pk=request.POST.get("household") or 0).first()
        if household is None:
            raise Http404
        try:
            if request.POST.get("action") == "issue":
                services.household_issue_raise(
                    household=household,
                    kind=request.POST.get("kind", ""),
                    description=request.POST.get("description", ""),
                    actor=request.user,
                )
                messages.success(request, _("问题已登记并转为案件跟进。"))
            else:
                customer = Customer.objects.filter(
                    project_id=item.project_id, pk=request.POST.get("customer") or 0
                ).first()
                services.household_visit_record(
                    household=household,
                    notes=request.POST.get("notes", ""),
                    issues_raised=request.POST.get("issues_raised", ""),
                    customer=customer,
                    actor=request.user,
                )
                messages.success(request, _("已记录走访：%(unit)s") % {"unit": household.unit.number})
        except ValidationError as exc:
            for msgs in _errors(exc).values():
                for m in msgs:
                    messages.error(request, m)
        return HttpResponseRedirect(f"{reverse('visits:campaign', args=[item.pk])}#h{household.pk}")
    households = list(selectors.campaign_households(item))
    for h in households:
        h.issue_rows = [(i, selectors.issue_handled(i)) for i in h.issues.all()]  # type: ignore[attr-defined]
    context = {
        "campaign": item,
        "households": households,
        "coverage": selectors.percent(item.visited_count, item.household_count),  # type: ignore[attr-defined]
        "handled": selectors.percent(item.handled_count, item.issue_count),  # type: ignore[attr-defined]
        "can_visit": can_visit_households(request.user, item.project_id),
    }
    return render(request, "visits/campaign.html", context)


# --- records (V10) ------------------------------------------------------------------------------------------

HEADERS = [
    "项目",
    "类别",
    "案件编号",
    "客户",
    "房屋",
    "计划时间",
    "回访期限",
    "回访人岗位",
    "须上门",
    "状态",
    "回访方式",
    "回访人",
    "回访时间",
    "按时",
    "满意度",
    "不合格",
    "服务质量",
    "服务效果",
    "缺陷与不足",
    "意见和建议",
    "备注",
    "审核人",
    "审核意见",
    "整改投诉",
]


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(v: ReturnVisit, numbers: dict[tuple[int, int], str]) -> list[Any]:
    return [
        v.project.name,
        v.get_case_type_display(),
        numbers.get((v.content_type_id, v.object_id), ""),
        v.customer.name if v.customer else "",
        v.unit.number if v.unit else "",
        _local(v.planned_at),
        _local(v.due_at),
        v.visitor_role,
        "是" if v.on_site_required else "否",
        v.get_status_display(),
        v.get_method_display() if v.method else "",
        v.visitor.display_name if v.visitor else "",
        _local(v.done_at),
        "" if v.on_time is None else ("是" if v.on_time else "否"),
        v.get_satisfaction_display() if v.satisfaction else "",
        "是" if v.unsatisfied else "",
        v.quality,
        v.effect,
        v.shortfalls,
        v.suggestions,
        v.notes,
        v.reviewed_by.display_name if v.reviewed_by else "",
        v.review_comment,
        v.rectification.number if v.rectification else "",
    ]


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """V10: visit records of any period as .xlsx with Chinese headers; the retention purge for managers."""
    projects = [p for p in visible_projects(request.user) if can_export_visits(request.user, p)]
    if not projects:
        raise PermissionDenied
    today = timezone.localdate()
    start = parse_date(request.GET.get("from") or "") or today.replace(day=1)
    end = parse_date(request.GET.get("to") or "") or today
    project = next((p for p in projects if str(p.pk) == request.GET.get("project")), None)
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        rows = list(selectors.visit_records(request.user, project=project, start=start, end=end))
        rows = [r for r in rows if r.project in projects]
        numbers = selectors.case_numbers(rows)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "回访记录"
        sheet.append(HEADERS)
        for r in rows:
            sheet.append(_row(r, numbers))
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="return-visits-{start}-{end}.xlsx"'
        return response
    context = {
        "projects": projects,
        "start": start,
        "end": end,
        "project": project,
    }
    return render(request, "visits/export.html", context)
