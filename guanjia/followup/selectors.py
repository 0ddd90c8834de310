"""Reads of the follow-up service. Every list starts from what the user may see (``access.scope``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from guanjia.accounts.access import scope
from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.followup.models import (
    Activity,
    CallPurpose,
    CallStatus,
    CustomerProfile,
    FollowUpCall,
    Issue,
    IssueStatus,
    Lead,
    LeadStatus,
    LetterRegister,
    PlanTemplate,
    QuestionType,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
)
from guanjia.workdays.deadlines import local_day


def calls_for(user: Any) -> QuerySet[FollowUpCall]:
    return scope(FollowUpCall._default_manager.all(), user).select_related("customer", "assignee", "plan", "activity")


def issues_for(user: Any) -> QuerySet[Issue]:
    return scope(Issue._default_manager.all(), user).select_related("customer", "owner", "call")


def profiles_for(user: Any) -> QuerySet[CustomerProfile]:
    return scope(CustomerProfile._default_manager.all(), user).select_related("customer", "unit__building", "owner")


def leads_for(user: Any) -> QuerySet[Lead]:
    """Leads, the one due first on top; those without a next follow-up (won, lost) last."""
    return (
        scope(Lead._default_manager.all(), user)
        .select_related("owner")
        .order_by(F("next_due_at").asc(nulls_last=True), "id")
    )


def activities_for(user: Any) -> QuerySet[Activity]:
    return scope(Activity._default_manager.all(), user).annotate(
        invited=Count("calls", distinct=True),
        reached=Count("calls", filter=Q(calls__called_at__isnull=False), distinct=True),
        letter_count=Count("letters", distinct=True),
    )


def letters_for(user: Any) -> QuerySet[LetterRegister]:
    return scope(LetterRegister._default_manager.all(), user).select_related("customer", "registered_by", "activity")


def surveys_for(user: Any) -> QuerySet[Survey]:
    return scope(Survey._default_manager.all(), user)


def templates_for(user: Any) -> QuerySet[PlanTemplate]:
    """The manual's templates and those of the user's company, with their steps."""
    rows = PlanTemplate._default_manager.filter(is_active=True)
    if not user.is_superuser:
        rows = rows.filter(Q(company__isnull=True) | Q(company_id=user.company_id))
    return rows.prefetch_related("steps").order_by(F("company_id").asc(nulls_first=True), "id")


@dataclass
class Today:
    """What the follow-up home shows: calls that may be made today, calls overdue, issues to handle,
    archives still incomplete (T01 tasks) and leads due."""

    due_today: list[FollowUpCall] = field(default_factory=list)
    overdue: list[FollowUpCall] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    archives: list[CustomerProfile] = field(default_factory=list)
    leads_due: int = 0


def today_for(
    user: Any, project: Project, *, now: datetime | None = None, mine: bool = False, limit: int = 100
) -> Today:
    now = now or timezone.now()
    day = local_day(now)
    calls = calls_for(user).filter(project=project, status=CallStatus.PENDING)
    issues = issues_for(user).filter(project=project).exclude(status=IssueStatus.ANSWERED)
    archives = profiles_for(user).filter(project=project, completed_at__isnull=True)
    leads = leads_for(user).filter(project=project, status=LeadStatus.OPEN, next_due_at__lte=now)
    if mine:
        calls, issues = calls.filter(assignee=user), issues.filter(owner=user)
        archives, leads = archives.filter(owner=user), leads.filter(owner=user)
    return Today(
        due_today=list(calls.filter(not_before__lte=day, due_at__gt=now).order_by("due_at", "id")[:limit]),
        overdue=list(calls.filter(due_at__lte=now).order_by("due_at", "id")[:limit]),
        issues=list(issues.order_by("handle_due_at", "id")[:limit]),
        archives=list(archives.prefetch_related("services").order_by("archive_due_at", "id")[:limit]),
        leads_due=leads.count(),
    )


def call_history(customer_id: int, user: Any) -> QuerySet[FollowUpCall]:
    return calls_for(user).filter(customer_id=customer_id).order_by("-due_at", "-id")


def activity_calls(activity: Activity) -> QuerySet[FollowUpCall]:
    return (
        FollowUpCall._default_manager.filter(activity=activity, purpose=CallPurpose.INVITATION)
        .select_related("customer", "assignee")
        .prefetch_related(Prefetch("letters", queryset=LetterRegister._default_manager.order_by("sent_on")))
        .order_by("customer__name", "id")
    )


def open_work_counts(project: Project, people: list[User]) -> dict[int, dict[str, int]]:
    """For the reassignment page (T05): each person's open calls, plans, issues, archive tasks and leads, one
    grouped query per kind."""
    from guanjia.followup.services.team import OWNER_FIELD, open_work_all

    counts: dict[int, dict[str, int]] = {p.pk: dict.fromkeys(OWNER_FIELD, 0) for p in people}
    for name, rows in open_work_all(project).items():
        field = OWNER_FIELD[name]
        for row in rows.filter(**{f"{field}__in": list(counts)}).values(field).annotate(n=Count("id")).order_by():
            counts[row[field]][name] = row["n"]
    return counts


def lead_cadences(project: Project) -> dict[str, int]:
    """Days between follow-ups per grade (T06): the project's rows over the product defaults, one query."""
    from guanjia.followup.limits import LEAD_CADENCE_DEFAULTS
    from guanjia.followup.models import LeadCadence

    days = dict(LEAD_CADENCE_DEFAULTS)
    rows = LeadCadence._default_manager.filter(Q(project__isnull=True) | Q(project=project))
    # The defaults first, then the project's rows over them.
    for grade, every in rows.order_by(F("project_id").asc(nulls_first=True)).values_list("grade", "every_days"):
        days[grade] = every
    return days


def staff_for_followup(project: Project) -> QuerySet[User]:
    from guanjia.accounts.access import FOLLOWUP_ROLES
    from guanjia.notifications.selectors import staff_with_roles

    return staff_with_roles(project, FOLLOWUP_ROLES)


# --- T07 the summary ---------------------------------------------------------------------------------------


@dataclass
class QuestionSummary:
    key: str
    text: str
    type: str
    answered: int = 0
    average: float | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveySummary:
    survey: Survey
    round: SurveyRound | None
    invited: int
    answered: int
    questions: list[QuestionSummary]

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def survey_summary(survey: Survey, round_: SurveyRound | None = None, *, texts: int = 20) -> SurveySummary:
    """Averages of rating questions and counts per choice, aggregated in SQL (one round, or all rounds)."""
    responses = SurveyResponse._default_manager.filter(round__survey=survey)
    if round_ is not None:
        responses = responses.filter(round=round_)
    counts = responses.aggregate(invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    answers = SurveyAnswer._default_manager.filter(response__in=responses.filter(answered_at__isnull=False))
    ratings = {
        row["question_key"]: row
        for row in answers.filter(rating__isnull=False)
        .values("question_key")
        .annotate(avg=Avg("rating"), n=Count("id"))
        .order_by()
    }
    choices: dict[str, list[tuple[str, int]]] = {}
    for row in answers.exclude(choice="").values("question_key", "choice").annotate(n=Count("id")).order_by("-n"):
        choices.setdefault(row["question_key"], []).append((row["choice"], row["n"]))
    summaries = []
    for q in survey.questions:
        summary = QuestionSummary(key=q["key"], text=q["text"], type=q["type"])
        if q["type"] == QuestionType.RATING and q["key"] in ratings:
            summary.answered = ratings[q["key"]]["n"]
            summary.average = round(float(ratings[q["key"]]["avg"]), 2)
        elif q["type"] == QuestionType.CHOICE:
            seen = dict(choices.get(q["key"], []))
            summary.counts = [(c, seen.get(c, 0)) for c in q.get("choices", [])]
            summary.answered = sum(seen.values())
        elif q["type"] == QuestionType.TEXT:
            rows = answers.filter(question_key=q["key"]).exclude(text="").order_by("-id")
            summary.texts = list(rows.values_list("text", flat=True)[:texts])
            summary.answered = len(summary.texts)
        summaries.append(summary)
    return SurveySummary(
        survey=survey, round=round_, invited=counts["invited"], answered=counts["answered"], questions=summaries
    )
