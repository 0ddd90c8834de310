"""Reads of return visits and household visits, always starting from what the user may see (O04)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from guanjia.accounts.access import scope, visible_projects
from guanjia.accounts.models import Role, User
from guanjia.cases.kinds import case_kind
from guanjia.core.periods import month_bounds
from guanjia.estates.models import Project
from guanjia.policy.registry import VISIT_QUOTA_ROLES
from guanjia.policy.selectors import policies_for
from guanjia.visits.models import (
    CaseType,
    HouseholdIssue,
    HouseholdVisit,
    HouseholdVisitCampaign,
    ReturnVisit,
    VisitStatus,
)
from guanjia.workdays.calendar import is_workday, load_calendar, next_workday
from guanjia.workdays.deadlines import due_day

#: V08: the roles with a monthly quota of complaint return visits (the CS-center manager, here the CS supervisor,
#: and the head of the management office, here the office manager); the numbers are policy data
#: (``visit.quota.<role>``), overridable per company and project.
QUOTA_ROLES: tuple[str, ...] = VISIT_QUOTA_ROLES
#: The case types that count as complaint visits for V08.
COMPLAINT_CASES = (CaseType.COMPLAINT, CaseType.INCIDENT)
OPEN = (VisitStatus.PLANNED, VisitStatus.MISSED)


def return_visit_for(case: models.Model) -> ReturnVisit | None:
    """The return visit planned for ``case``, if any (an activity's first one)."""
    return ReturnVisit._default_manager.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk
    ).first()


def visits_for(user: Any) -> QuerySet[ReturnVisit]:
    """Every visit the user may see, with what a list shows."""
    rows = ReturnVisit.objects.select_related("project", "customer", "unit__building", "visitor", "content_type")
    return scope(rows, user)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


#: "My visits" also lists what falls due on this many next working days (the day's work can be planned ahead).
UPCOMING_WORKING_DAYS = 3
#: At most this many upcoming visits are listed; the rest are counted.
UPCOMING_LIMIT = 100


@dataclass(frozen=True)
class DayVisits:
    """The open visits falling due on one of the next working days (a visit due on a day off in between is
    listed under the working day after it)."""

    day: date
    visits: list[ReturnVisit]


@dataclass(frozen=True)
class MyVisits:
    overdue: list[ReturnVisit]
    today: list[ReturnVisit]
    retries: list[ReturnVisit]
    door_followups: list[ReturnVisit]
    upcoming_count: int
    upcoming: list[DayVisits] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.retries) + len(self.door_followups)

    @property
    def upcoming_visits(self) -> list[ReturnVisit]:
        return [v for day in self.upcoming for v in day.visits]


def _by_working_day(visits: list[ReturnVisit], days: list[date], cal: Any) -> list[DayVisits]:
    grouped: dict[date, list[ReturnVisit]] = {day: [] for day in days}
    for v in visits:
        assert v.due_at is not None
        day = due_day(v.due_at)
        if not is_workday(cal, day):
            day = next_workday(cal, day)
        grouped.setdefault(min(day, days[-1]), []).append(v)
    return [DayVisits(day, grouped[day]) for day in days]


def my_visits_today(user: Any, now: datetime | None = None) -> MyVisits:
    """'My visits today' (V02, V05, V07): the open visits of the user's role that are overdue, due by the end of
    today or to be called again today; for the front desk also the door-to-door follow-ups (V07); and what
    falls due on the next ``UPCOMING_WORKING_DAYS`` working days of the calendar (``workdays``), by day."""
    now = now or timezone.now()
    today_date = timezone.localtime(now).date()
    _, end = _day_bounds(today_date)
    rows = visits_for(user).filter(status__in=OPEN)
    mine = rows.filter(visitor_role=getattr(user, "role", ""))
    door: list[ReturnVisit] = []
    if getattr(user, "role", None) == Role.FRONT_DESK:
        door = list(rows.filter(door_followup_at__isnull=False, door_followup_done_at__isnull=True))
    door_ids = {v.pk for v in door}
    due_now = list(mine.filter(Q(due_at__lte=end) | Q(retry_at__lt=end)).exclude(pk__in=door_ids))
    overdue = [v for v in due_now if v.due_at is not None and v.due_at <= now]
    retries = [v for v in due_now if v not in overdue and v.retry_at is not None and v.retry_at < end]
    today = [v for v in due_now if v not in overdue and v not in retries]
    cal = load_calendar()
    days: list[date] = []
    for _n in range(UPCOMING_WORKING_DAYS):
        following = next_workday(cal, days[-1] if days else today_date)
        if following == date.max:
            break
        days.append(following)
    later = (
        mine.filter(Q(due_at__gt=end) | Q(due_at__isnull=True))
        .exclude(pk__in=door_ids)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__gte=end))
    )
    upcoming: list[DayVisits] = []
    if days:
        _, window_end = _day_bounds(days[-1])
        soon = list(later.filter(due_at__lte=window_end).order_by("due_at", "id")[:UPCOMING_LIMIT])
        upcoming = _by_working_day(soon, days, cal)
        later = later.exclude(due_at__lte=window_end)
    return MyVisits(overdue, today, retries, door, later.count(), upcoming)


def review_queue(user: Any) -> QuerySet[ReturnVisit]:
    """V06: done visits awaiting the supervisor's review, unsatisfied ones first."""
    return (
        visits_for(user)
        .filter(status=VisitStatus.DONE, reviewed_at__isnull=True)
        .select_related("rectification")
        .order_by("-unsatisfied", "done_at", "id")
    )


@dataclass(frozen=True)
class QuotaRow:
    person: User
    quota: int
    done: int

    @property
    def met(self) -> bool:
        return self.done >= self.quota


def quota_rows(user: Any, month: date) -> list[QuotaRow]:
    """V08: each CS supervisor's (the CS-center manager's) and office manager's complaint return visits made in
    ``month`` over the projects the user may see, against the quota of the policy (by default 3 and 1). A
    person of several projects is held to the highest of their projects' quotas; a company-wide person to the
    highest of the company's visible projects (the company's own value when none is visible)."""
    start, end = month_bounds(month)
    projects = list(visible_projects(user))
    project_ids = [p.pk for p in projects]
    by_project, by_company = policies_for(projects)
    company_ids = set(by_company)
    done = Q(
        return_visits_made__status=VisitStatus.DONE,
        return_visits_made__case_type__in=COMPLAINT_CASES,
        return_visits_made__done_at__gte=start,
        return_visits_made__done_at__lt=end,
        return_visits_made__project_id__in=project_ids,
    )
    people = list(
        User.objects.filter(is_active=True, role__in=QUOTA_ROLES)
        .filter(Q(projects__in=project_ids) | Q(company_wide=True, company_id__in=company_ids))
        .distinct()
        .annotate(visits_done=Count("return_visits_made", filter=done, distinct=True))
        .order_by("role", "username")
    )
    own: dict[int, set[int]] = {}
    memberships = User.projects.through.objects.filter(user_id__in=[p.pk for p in people], project_id__in=project_ids)
    for user_id, project_id in memberships.values_list("user_id", "project_id"):
        own.setdefault(user_id, set()).add(project_id)
    rows = []
    for person in people:
        mine = own.get(person.pk, set())
        if not mine or person.company_wide:
            mine |= {p.pk for p in projects if p.company_id == person.company_id}
        quotas = [by_project[pid].visit_quota(person.role) for pid in mine]
        if not quotas and person.company_id in by_company:
            quotas = [by_company[person.company_id].visit_quota(person.role)]
        quota = max((q for q in quotas if q is not None), default=None)
        if quota is not None:
            rows.append(QuotaRow(person, quota, person.visits_done))
    return rows


# --- household visits (V09) --------------------------------------------------------------------------------


def issue_handled_q(prefix: str = "") -> Q:
    """V09's "issue handled" (件件有落实，事事有回音), the one definition the campaign page and the monthly report
    count: the issue's complaint or repair has ended (``cases.kinds``: no longer open), with its outcome recorded.
    A repair the customer declined (R08) or that was cancelled with its reason is handled: the household got
    its answer and nothing is left to do. ``prefix`` reaches the issue from another model."""
    return case_kind("complaint").ended_q(f"{prefix}complaint__") | case_kind("repair").ended_q(f"{prefix}repair__")


def campaigns_for(user: Any) -> QuerySet[HouseholdVisitCampaign]:
    """Campaigns with their progress figures, in one query."""
    handled = issue_handled_q("households__issues__")
    return scope(HouseholdVisitCampaign.objects.select_related("project"), user).annotate(
        household_count=Count("households", distinct=True),
        visited_count=Count("households", filter=Q(households__visited_at__isnull=False), distinct=True),
        issue_count=Count("households__issues", distinct=True),
        handled_count=Count("households__issues", filter=handled, distinct=True),
    )


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def campaign_households(campaign: HouseholdVisitCampaign) -> QuerySet[HouseholdVisit]:
    return (
        HouseholdVisit.objects.filter(campaign=campaign)
        .select_related("unit__building", "visitor", "customer")
        .prefetch_related("issues__complaint", "issues__repair")
        .order_by("unit__building_id", "unit__entrance", "unit__room")
    )


def issue_handled(issue: HouseholdIssue) -> bool:
    """``issue_handled_q`` for one issue whose cases are loaded."""
    if issue.complaint is not None:
        return case_kind("complaint").has_ended(issue.complaint.status)
    return issue.repair is not None and case_kind("repair").has_ended(issue.repair.status)


# --- records (V10) -----------------------------------------------------------------------------------------


def visit_records(user: Any, *, project: Project | None, start: date, end: date) -> QuerySet[ReturnVisit]:
    """Visit records planned or made in [start, end] (local days), for the export."""
    lo, _ = _day_bounds(start)
    _, hi = _day_bounds(end)
    rows = visits_for(user).filter(
        Q(done_at__gte=lo, done_at__lt=hi) | Q(done_at__isnull=True, planned_at__gte=lo, planned_at__lt=hi)
    )
    if project is not None:
        rows = rows.filter(project=project)
    return rows.select_related("reviewed_by", "rectification").order_by("project_id", "planned_at", "id")


def case_numbers(visits: list[ReturnVisit]) -> dict[tuple[int, int], str]:
    """The number (or title) of each visit's case, one query per kind of case."""
    by_type: dict[int, set[int]] = {}
    for v in visits:
        by_type.setdefault(v.content_type_id, set()).add(v.object_id)
    out: dict[tuple[int, int], str] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        field = "number" if any(f.name == "number" for f in model._meta.fields) else "title"
        for pk, label in model._default_manager.filter(pk__in=ids).values_list("pk", field):
            out[(ct_id, pk)] = str(label)
    return out
