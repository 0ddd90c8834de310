"""T07: satisfaction questionnaires run on a schedule; each round sends every archived customer a link to
answer on a phone (or staff fill it in on a call); results are summarised (``selectors.survey_summary``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.core.errors import ConflictError
from guanjia.core.periods import add_months
from guanjia.estates.models import Customer, Project
from guanjia.followup.models import (
    SCHEDULE_MONTHS,
    CustomerProfile,
    QuestionType,
    ResponseVia,
    Schedule,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
)
from guanjia.followup.services._common import (
    require_follow_up,
    require_supervisor,
    required_text,
    today,
)
from guanjia.timeline.services import record

MAX_QUESTIONS = 30
MAX_CHOICES = 10


def clean_questions(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate questions: text, type (rating 1–5, choice with 2–10 options, text); keys q1, q2, … in order."""
    questions: list[dict[str, Any]] = []
    for item in raw:
        text = str(item.get("text") or "").strip()
        if not text:
            continue
        if len(text) > 200:
            raise ValidationError({"questions": [_("问题不能超过 200 个字")]})
        kind = item.get("type") or QuestionType.RATING
        if kind not in QuestionType.values:
            raise ValidationError({"questions": [_("“%(q)s”：请选择题型") % {"q": text}]})
        question: dict[str, Any] = {"key": f"q{len(questions) + 1}", "text": text, "type": kind}
        if kind == QuestionType.CHOICE:
            raw_choices = item.get("choices") or []
            if isinstance(raw_choices, str):
                raw_choices = raw_choices.replace("，", ",").replace("、", ",").split(",")
            choices = list(dict.fromkeys(str(c).strip()[:100] for c in raw_choices if str(c).strip()))
            if not 2 <= len(choices) <= MAX_CHOICES:
                raise ValidationError({"questions": [_("“%(q)s”：单选题需要 2–10 个选项") % {"q": text}]})
            question["choices"] = choices
        questions.append(question)
    if not questions:
        raise ValidationError({"questions": [_("请至少填写一个问题")]})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": [_("最多 %(n)s 个问题") % {"n": MAX_QUESTIONS}]})
    return questions


def survey_create(
    *,
    project: Project,
    title: str,
    questions: Sequence[Mapping[str, Any]],
    schedule: str,
    first_round_on: date | None,
    actor: User,
    round_days: int = 14,
    now: datetime | None = None,
) -> Survey:
    require_supervisor(actor, project)
    now = now or timezone.now()
    title = required_text(title, "title", _("请填写问卷名称"), 100)
    if schedule not in Schedule.values:
        raise ValidationError({"schedule": [_("请选择周期")]})
    if first_round_on is None:
        raise ValidationError({"first_round_on": [_("请填写第一轮开始日期")]})
    if first_round_on < today(now):
        raise ValidationError({"first_round_on": [_("开始日期不能早于今天")]})
    if not 1 <= round_days <= 90:
        raise ValidationError({"round_days": [_("每轮开放 1–90 天")]})
    cleaned = clean_questions(questions)
    with transaction.atomic():
        survey = Survey._default_manager.create(
            project=project,
            title=title,
            questions=cleaned,
            schedule=schedule,
            next_round_on=first_round_on,
            round_days=round_days,
            created_by=actor,
            created_at=now,
        )
        record(
            subject=survey,
            verb="followup.survey_created",
            actor=actor,
            at=now,
            data={"schedule": schedule, "questions": len(cleaned), "first_round_on": str(first_round_on)},
        )
    return survey


def _following(survey: Survey, opened: date) -> date | None:
    months = SCHEDULE_MONTHS.get(survey.schedule)  # type: ignore[call-overload]
    return add_months(opened, months) if months else None


def survey_open_round(*, survey: Survey, now: datetime) -> SurveyRound | None:
    """Open the round due on ``survey.next_round_on`` (exactly once, also with several workers): one response
    with a link token per customer of the project's follow-up archive; the next round is scheduled."""
    opens_on = survey.next_round_on
    if opens_on is None or opens_on > today(now) or not survey.is_active:
        return None
    with transaction.atomic():
        claimed = Survey._default_manager.filter(pk=survey.pk, next_round_on=opens_on, is_active=True).update(
            next_round_on=_following(survey, opens_on)
        )
        if claimed != 1:
            return None
        round_ = SurveyRound._default_manager.create(
            survey=survey, opens_on=opens_on, closes_on=opens_on + timedelta(days=survey.round_days - 1), created_at=now
        )
        customers = CustomerProfile._default_manager.filter(project_id=survey.project_id).values_list(
            "customer_id", flat=True
        )
        SurveyResponse._default_manager.bulk_create(
            SurveyResponse(round=round_, project_id=survey.project_id, customer_id=cid, token=secrets.token_urlsafe(32))
            for cid in customers
        )
        record(
            subject=survey,
            verb="followup.survey_round_opened",
            actor=None,
            at=now,
            data={"round": round_.pk, "opens_on": str(opens_on), "invited": len(customers)},
        )
    return round_


def survey_open_due_rounds(*, now: datetime) -> int:
    """The periodic job: open every round that is due. Returns how many were opened."""
    due = Survey._default_manager.filter(is_active=True, next_round_on__lte=today(now)).select_related("project")
    return sum(1 for survey in due if survey_open_round(survey=survey, now=now) is not None)


def _clean_answers(survey: Survey, answers: Mapping[str, Any]) -> list[SurveyAnswer]:
    rows = []
    errors: dict[str, list[str]] = {}
    for q in survey.questions:
        key, value = q["key"], answers.get(q["key"])
        text = str(value).strip() if value is not None else ""
        if q["type"] == QuestionType.RATING:
            if text not in {"1", "2", "3", "4", "5"}:
                errors[key] = [_("“%(q)s”：请选择 1–5 分") % {"q": q["text"]}]
                continue
            rows.append(SurveyAnswer(question_key=key, rating=int(text)))
        elif q["type"] == QuestionType.CHOICE:
            if text not in q["choices"]:
                errors[key] = [_("“%(q)s”：请选择一项") % {"q": q["text"]}]
                continue
            rows.append(SurveyAnswer(question_key=key, choice=text))
        elif text:
            rows.append(SurveyAnswer(question_key=key, text=text[:2000]))
    if errors:
        raise ValidationError(errors)
    return rows


def survey_answer(
    *,
    response: SurveyResponse,
    answers: Mapping[str, Any],
    via: str = ResponseVia.LINK,
    filled_by: User | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Answer a questionnaire once, while its round is open (by the customer's link, or staff on a call)."""
    now = now or timezone.now()
    round_ = response.round
    if not round_.is_open(today(now)):
        raise ConflictError(_("本轮问卷已结束，谢谢您的关注。"))
    if response.answered_at is not None:
        raise ConflictError(_("这份问卷已经填写过了，谢谢！"))
    rows = _clean_answers(round_.survey, answers)
    with transaction.atomic():
        if (
            SurveyResponse._default_manager.filter(pk=response.pk, answered_at__isnull=True).update(
                answered_at=now, via=via, filled_by=filled_by
            )
            != 1
        ):
            raise ConflictError(_("这份问卷已经填写过了，谢谢！"))
        for row in rows:
            row.response = response
        SurveyAnswer._default_manager.bulk_create(rows)
        response.answered_at, response.via, response.filled_by = now, via, filled_by
        record(
            subject=response,
            verb="followup.survey_answered",
            actor=filled_by,
            at=now,
            data={"via": via, "answers": len(rows)},
        )
    return response


def survey_fill_by_staff(
    *, round_: SurveyRound, customer: Customer, answers: Mapping[str, Any], actor: User, now: datetime | None = None
) -> SurveyResponse:
    """Staff fill in the questionnaire for a customer on a call; a customer without a link gets one now."""
    require_follow_up(actor, round_.survey.project_id)
    if customer.project_id != round_.survey.project_id:
        raise PermissionDenied(_("客户不属于本项目"))
    response = SurveyResponse._default_manager.filter(round=round_, customer=customer).first()
    if response is None:
        try:
            with transaction.atomic():
                response = SurveyResponse._default_manager.create(
                    round=round_, project_id=customer.project_id, customer=customer, token=secrets.token_urlsafe(32)
                )
        except IntegrityError:
            response = SurveyResponse._default_manager.get(round=round_, customer=customer)
    response.round = round_
    return survey_answer(response=response, answers=answers, via=ResponseVia.STAFF, filled_by=actor, now=now)
