"""Pages of satisfaction surveys (T07), including the customer's own page opened from the link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_supervise_followup,
    get_for_user,
)
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Customer, Project
from guanjia.followup import selectors, services
from guanjia.followup.models import (
    QuestionType,
    Schedule,
    Survey,
    SurveyResponse,
)
from guanjia.followup.views._common import (
    LIST_LIMIT,
    _actor,
    _date,
    _int,
    _rows,
    page,
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
