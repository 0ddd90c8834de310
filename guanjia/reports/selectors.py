"""The reports of the customer-service desk (S01, S02, S04, S05), one selector per report, each aggregating in
SQL with a number of queries that does not grow with the number of cases.

Every selector takes ``projects`` (the project ids the caller may see: one project, or every visible project
of the company) and never looks outside them; ``report_scope`` turns a request's ``project`` parameter into
those ids through ``guanjia.accounts.access`` (O04).

Months are calendar months in Asia/Shanghai (``month`` is the date of the 1st); a case belongs to the month in
which it was received (``received_at``), a return visit to the month in which it falls due (``due_at``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Lower, Trim, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts.access import can_view_company_reports, can_view_reports, project_ids, visible_projects
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import OPEN_STATUSES as COMPLAINT_OPEN
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, Nature
from guanjia.estates.models import Company, Project
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.repairs.selectors import month_bounds
from guanjia.reports.models import MonthlyReport
from guanjia.visits.models import HouseholdIssue, HouseholdVisit, HouseholdVisitCampaign, ReturnVisit, VisitStatus

ProjectIds = list[int]

#: Complaint statuses that count as handled (处理完毕) for the handling rate.
COMPLAINT_DONE = (ComplaintStatus.COMPLETED, ComplaintStatus.CLOSED)
#: Repair statuses that count as completed: the same as ``repairs.selectors.repair_timeliness``.
REPAIR_DONE = (RepairStatus.COMPLETED, RepairStatus.RETURNED, RepairStatus.CLOSED)
VISIT_CANCELLED = VisitStatus.CANCELLED
VISIT_DONE = VisitStatus.DONE


# --- Parameters -------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def parse_month(raw: str | None, *, default: date | None = None) -> date:
    """``YYYY-MM`` → the 1st of that month; empty → ``default`` (this month). ValidationError names ``month``."""
    if raw is None or raw == "":
        return default or timezone.localdate().replace(day=1)
    match = _MONTH.match(raw.strip())
    if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-05。")]})
    return date(int(match[1]), int(match[2]), 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: one project, or the company (``project`` None) as the user sees it."""

    project: Project | None
    company: Company | None
    projects: ProjectIds

    @property
    def is_company(self) -> bool:
        return self.project is None

    @property
    def name(self) -> str:
        if self.project is not None:
            return self.project.name
        return self.company.name if self.company is not None else _("全部项目")


def report_scope(user: Any, raw_project: Any) -> ReportScope:
    """The scope of a report request (O04). ``raw_project`` empty → the company: only company-wide staff.

    Raises ValidationError naming ``project`` for a malformed id or one the user cannot see (an outsider
    learns nothing about it), PermissionDenied for a role that does not read reports.
    """
    if raw_project in (None, "", "company"):
        if not can_view_company_reports(user):
            raise PermissionDenied(_("全公司汇总仅限公司级管理人员查看，请选择项目。"))
        company = getattr(user, "company", None)
        return ReportScope(project=None, company=company, projects=sorted(project_ids(user)))
    try:
        pk = int(str(raw_project))
    except ValueError:
        raise ValidationError({"project": [_("项目编号应为数字。")]}) from None
    project = visible_projects(user).select_related("company").filter(pk=pk).first()
    if project is None:
        raise ValidationError({"project": [_("项目不存在或无权查看。")]})
    if not can_view_reports(user, project):
        raise PermissionDenied(_("您的岗位无权查看统计报表。"))
    return ReportScope(project=project, company=project.company, projects=[project.pk])


# --- Shared expressions ----------------------------------------------------------------------------------


def _ids(projects: Iterable[Project | int]) -> ProjectIds:
    return [p if isinstance(p, int) else p.pk for p in projects]


def _limits(model: type[models.Model], kind: str) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), kind=kind
    ).exclude(state=DeadlineState.CANCELLED)


def _kept_in_time(model: type[models.Model], kind: str) -> Q:
    """The case's ``kind`` limits (replaced ones aside) were all kept on time: at least one was met with
    ``met_at <= due_at`` and none was missed or met late."""
    limits = _limits(model, kind)
    kept = limits.filter(met_at__isnull=False, met_at__lte=F("due_at"))
    broken = limits.filter(Q(state=DeadlineState.MISSED) | Q(met_at__gt=F("due_at")))
    return Q(Exists(kept)) & ~Q(Exists(broken))


def _repair_on_time() -> Q:
    """维修及时率's definition (``repairs.selectors.repair_timeliness``): completed, and none of its limits
    (order, notify, assess, arrive) missed."""
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Repair), subject_id=OuterRef("pk"), state=DeadlineState.MISSED
    )
    return Q(status__in=REPAIR_DONE) & ~Q(Exists(missed))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- S01, S05: the month's figures ------------------------------------------------------------------------

#: S05: the targets the rates are shown against (share, 0–1; satisfaction on the 1–5 scale of V05).
TARGETS: dict[str, float] = {
    "response": 1.0,
    "resolution": 1.0,
    "complaint_handling": 1.0,
    "handling": 1.0,
    "repair_timeliness": 1.0,
    "return_visit": 1.0,
    "household_coverage": 0.98,
    "satisfaction": 4.0,
}
RATE_LABELS: dict[str, Any] = {
    "response": gettext_lazy("投诉按时响应率"),
    "resolution": gettext_lazy("投诉按时处理率"),
    "complaint_handling": gettext_lazy("投诉办结率"),
    "handling": gettext_lazy("走访问题处理率"),
    "repair_timeliness": gettext_lazy("维修及时率"),
    "return_visit": gettext_lazy("回访率"),
    "household_coverage": gettext_lazy("走访覆盖率"),
    "satisfaction": gettext_lazy("回访满意度"),
}


def complaint_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01: the complaints received in ``month`` (``received_at`` in the month, Asia/Shanghai), in one query.

    - ``total``; ``by_grade``, ``by_nature``, ``by_channel``, ``by_department`` (the department complained
      about): every choice is present, zeros included, so the counts of each breakdown add up to ``total``.
    - ``responded_in_time``: the complaint's response limit (C13: the handling form signed for, and for the
      upper grades the escalation reached) was met on time: ``met_at <= due_at``, and no response limit of
      it was missed or met late (a limit replaced by a raise of grade does not count).
    - ``resolved_in_time``: the same for its resolve limit. A complaint whose resolve limit is still to be
      agreed has none, so it is not resolved in time.
    - ``handled``: completed or closed (投诉办结率).
    """
    start, end = month_bounds(month)
    rows = Complaint.objects.filter(project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end)
    breakdowns = {
        "by_grade": ("grade", Grade.values),
        "by_nature": ("nature", Nature.values),
        "by_channel": ("channel", Channel.values),
        "by_department": ("against_department", Department.values),
    }
    counts: dict[str, Any] = {
        "total": Count("id"),
        "responded_in_time": Count("id", filter=_kept_in_time(Complaint, "response")),
        "resolved_in_time": Count("id", filter=_kept_in_time(Complaint, "resolve")),
        "handled": Count("id", filter=Q(status__in=COMPLAINT_DONE)),
    }
    for key, (field, values) in breakdowns.items():
        for value in values:
            counts[f"{key}__{value}"] = Count("id", filter=Q(**{field: value}))
    raw = rows.aggregate(**counts)
    figures: dict[str, Any] = {
        name: raw[name] for name in ("total", "responded_in_time", "resolved_in_time", "handled")
    }
    for key, (_field, values) in breakdowns.items():
        figures[key] = {value: raw[f"{key}__{value}"] for value in values}
    return figures


def repair_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01, S05 (维修及时率): the repairs received in ``month``: ``total``, ``completed`` (completed, returned to
    the desk or closed) and ``on_time`` (completed with none of its limits missed), exactly as
    ``repairs.selectors.repair_timeliness`` counts one project, here over several in one query."""
    start, end = month_bounds(month)
    rows = Repair.objects.filter(project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end)
    return rows.aggregate(
        total=Count("id"),
        completed=Count("id", filter=Q(status__in=REPAIR_DONE)),
        on_time=Count("id", filter=_repair_on_time()),
    )


def visit_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01, S05: the return visits falling due in ``month`` (``due_at`` in the month; cancelled ones are not
    due): ``due``; ``done`` (status done); ``on_time`` (done with ``done_at <= due_at``); ``unsatisfied``
    (the stored unsatisfied flag, satisfaction ≤ 2, V06); ``rated`` and ``satisfaction``, the average of the
    recorded satisfaction (1–5), None when none is recorded. ``by_case_type`` gives due and done per kind."""
    start, end = month_bounds(month)
    rows = ReturnVisit.objects.filter(project_id__in=_ids(projects), due_at__gte=start, due_at__lt=end).exclude(
        status=VISIT_CANCELLED
    )
    done = Q(status=VISIT_DONE)
    figures = rows.aggregate(
        due=Count("id"),
        done=Count("id", filter=done),
        on_time=Count("id", filter=done & Q(done_at__isnull=False, done_at__lte=F("due_at"))),
        unsatisfied=Count("id", filter=Q(unsatisfied=True)),
        rated=Count("satisfaction"),
        satisfaction=Avg("satisfaction"),
        complaint_due=Count("id", filter=Q(case_type="complaint")),
        complaint_done=Count("id", filter=Q(case_type="complaint") & done),
        repair_due=Count("id", filter=Q(case_type="repair")),
        repair_done=Count("id", filter=Q(case_type="repair") & done),
    )
    average = figures.pop("satisfaction")
    figures["satisfaction"] = round(float(average), 2) if average is not None else None
    figures["by_case_type"] = {
        kind: {"due": figures.pop(f"{kind}_due"), "done": figures.pop(f"{kind}_done")}
        for kind in ("complaint", "repair")
    }
    return figures


def household_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """V09, S05: household visits (走访) in the half-year campaigns running in ``month`` (start ≤ the month's
    last day, end ≥ its first), in two queries.

    - ``units``: households listed in those campaigns; ``visited``: of them, visited by the end of the month;
      coverage = visited / units (target ≥ 98%).
    - ``issues``: issues households raised in the month (``created_at`` in the month, any campaign of the
      projects); ``issues_handled``: of them, the complaint is completed or closed, or the repair completed,
      returned or closed (handling rate, target 100%).
    """
    start, end = month_bounds(month)
    ids = _ids(projects)
    running = HouseholdVisitCampaign.objects.filter(project_id__in=ids, start__lt=end.date(), end__gte=start.date())
    figures = HouseholdVisit.objects.filter(campaign__in=running).aggregate(
        units=Count("id"),
        visited=Count("id", filter=Q(visited_at__isnull=False, visited_at__lt=end)),
    )
    handled = Q(complaint__status__in=COMPLAINT_DONE) | Q(repair__status__in=REPAIR_DONE)
    figures.update(
        HouseholdIssue.objects.filter(
            household__campaign__project_id__in=ids, created_at__gte=start, created_at__lt=end
        ).aggregate(issues=Count("id"), issues_handled=Count("id", filter=handled))
    )
    return figures


def rates(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """S05: every rate with its numerator, denominator, target and whether the target is met (None when
    there is nothing to measure). Satisfaction is an average, not a share."""
    c, r, v = figures["complaints"], figures["repairs"], figures["return_visits"]
    h = figures["household_visits"]
    shares = {
        "response": (c["responded_in_time"], c["total"]),
        "resolution": (c["resolved_in_time"], c["total"]),
        "complaint_handling": (c["handled"], c["total"]),
        "handling": (h["issues_handled"], h["issues"]),
        "repair_timeliness": (r["on_time"], r["completed"]),
        "return_visit": (v["done"], v["due"]),
        "household_coverage": (h["visited"], h["units"]),
    }
    result: dict[str, dict[str, Any]] = {}
    for key, (numerator, denominator) in shares.items():
        value = _rate(numerator, denominator)
        result[key] = {
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "target": TARGETS[key],
            "meets": None if value is None else value >= TARGETS[key],
        }
    satisfaction = v["satisfaction"]
    result["satisfaction"] = {
        "value": satisfaction,
        "numerator": None,
        "denominator": v["rated"],
        "target": TARGETS["satisfaction"],
        "meets": None if satisfaction is None else satisfaction >= TARGETS["satisfaction"],
    }
    return result


def monthly_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01, S05: every figure of the monthly report of ``projects`` for ``month``, JSON-ready (the API's
    ``reports/monthly`` body apart from the S02 lists, and the snapshot frozen when a report is sent).
    See ``complaint_figures``, ``repair_figures``, ``visit_figures`` and ``household_figures`` for the
    definitions; ``rates`` puts each rate against its target (S05). A fixed number of queries."""
    ids = _ids(projects)
    figures: dict[str, Any] = {
        "month": f"{month:%Y-%m}",
        "projects": ids,
        "complaints": complaint_figures(projects=ids, month=month),
        "repairs": repair_figures(projects=ids, month=month),
        "return_visits": visit_figures(projects=ids, month=month),
        "household_visits": household_figures(projects=ids, month=month),
    }
    figures["rates"] = rates(figures)
    return figures


# --- S02: month-end analysis lists ------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _complaint_link(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "received_at": _time(complaint.received_at),
        "grade": complaint.grade,
        "status": complaint.status,
        "url": reverse("complaints:detail", args=[complaint.pk]),
    }


def repeat_complaints(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "the same matter complained about 2 or more times in a row".

    A matter is one customer (or, for a complaint without a customer in the archive, one unit) complaining
    about one department (``against_department``). It is listed when, among the complaints received in the
    month, it has 2 or more complaints, or one of them says the matter was raised before without being
    resolved (``repeat_count`` ≥ 1, so this is at least the 2nd time). Complaints with neither customer nor
    unit cannot be matched and are not listed. Each entry links to its complaints, oldest first.
    """
    start, end = month_bounds(month)
    rows = Complaint.objects.filter(
        project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end
    ).annotate(
        anon_unit=CaseWhen(
            When(customer__isnull=True, then=F("unit_id")), default=Value(None), output_field=models.BigIntegerField()
        )
    )
    rows = rows.filter(Q(customer__isnull=False) | Q(unit__isnull=False))
    groups = list(
        rows.values("project_id", "customer_id", "anon_unit", "against_department")
        .annotate(n=Count("id"), max_repeat=Max("repeat_count"))
        .filter(Q(n__gte=2) | Q(max_repeat__gte=1))
        .order_by("-n", "-max_repeat", "customer_id", "anon_unit", "against_department")
    )
    if not groups:
        return []
    customers = {g["customer_id"] for g in groups if g["customer_id"] is not None}
    units = {g["anon_unit"] for g in groups if g["anon_unit"] is not None}
    members: dict[tuple[Any, ...], list[Complaint]] = defaultdict(list)
    for complaint in (
        rows.filter(Q(customer_id__in=customers) | Q(anon_unit__in=units))
        .select_related("customer", "unit__building")
        .order_by("received_at", "id")
    ):
        key = (complaint.project_id, complaint.customer_id, complaint.anon_unit, complaint.against_department)
        members[key].append(complaint)
    result = []
    for g in groups:
        cases = members[(g["project_id"], g["customer_id"], g["anon_unit"], g["against_department"])]
        first = cases[0]
        result.append(
            {
                "project": g["project_id"],
                "customer": first.display_customer if g["customer_id"] is not None else "",
                "unit": str(first.unit) if first.unit_id is not None else "",
                "department": g["against_department"],
                "department_label": str(Department(g["against_department"]).label),
                "count": g["n"],
                "max_repeat_count": g["max_repeat"],
                "complaints": [_complaint_link(c) for c in cases],
            }
        )
    return result


def repeat_repairs(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "the same repair 3 or more times": 3 or more repairs received in the month (cancelled ones aside)
    at one unit for the same standard item (``price_item``), or — for non-standard work — with the same
    description (compared trimmed and in lower case). A calendar month, like every other figure of the
    report, so the list of one month never changes when the next month's repairs come in. Each entry links
    to its repairs, oldest first."""
    start, end = month_bounds(month)
    rows = (
        Repair.objects.filter(
            project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end, unit__isnull=False
        )
        .exclude(status=RepairStatus.CANCELLED)
        .annotate(
            what=CaseWhen(
                When(price_item__isnull=True, then=Lower(Trim("description"))),
                default=Value(""),
                output_field=models.CharField(),
            )
        )
    )
    groups = list(
        rows.values("unit_id", "price_item_id", "what")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n", "unit_id", "price_item_id", "what")
    )
    if not groups:
        return []
    members: dict[tuple[Any, ...], list[Repair]] = defaultdict(list)
    for repair in (
        rows.filter(unit_id__in={g["unit_id"] for g in groups})
        .select_related("unit__building", "price_item")
        .order_by("received_at", "id")
    ):
        members[(repair.unit_id, repair.price_item_id, repair.what)].append(repair)
    result = []
    for g in groups:
        cases = members[(g["unit_id"], g["price_item_id"], g["what"])]
        first = cases[0]
        result.append(
            {
                "project": first.project_id,
                "unit": str(first.unit),
                "unit_id": g["unit_id"],
                "standard": g["price_item_id"] is not None,
                "item": first.price_item.name if first.price_item is not None else first.description.strip(),
                "count": g["n"],
                "repairs": [
                    {
                        "id": r.pk,
                        "number": r.number,
                        "received_at": _time(r.received_at),
                        "status": r.status,
                        "url": reverse("repairs:detail", args=[r.pk]),
                    }
                    for r in cases
                ],
            }
        )
    return result


_CASE_PAGES = {"complaints.complaint": "complaints:detail", "repairs.repair": "repairs:detail"}


def unsatisfied_visits(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "unqualified return visits": the visits due in the month (as ``visit_figures`` counts them) whose
    result was unsatisfied (V06), each with its case (number and page) and the rectification complaint."""
    start, end = month_bounds(month)
    visits = list(
        ReturnVisit.objects.filter(project_id__in=_ids(projects), due_at__gte=start, due_at__lt=end, unsatisfied=True)
        .exclude(status=VISIT_CANCELLED)
        .select_related("content_type")
        .order_by("due_at", "id")
    )
    numbers: dict[tuple[int, int], str] = {}
    by_type: dict[int, list[int]] = defaultdict(list)
    for visit in visits:
        by_type[visit.content_type_id].append(visit.object_id)
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None and hasattr(model, "number"):
            for pk, number in model._default_manager.filter(pk__in=ids).values_list("pk", "number"):
                numbers[(type_id, pk)] = number
    result = []
    for visit in visits:
        label = f"{visit.content_type.app_label}.{visit.content_type.model}"
        page = _CASE_PAGES.get(label)
        rectification = visit.rectification_id
        result.append(
            {
                "id": visit.pk,
                "project": visit.project_id,
                "case_type": visit.case_type,
                "case_id": visit.object_id,
                "case_number": numbers.get((visit.content_type_id, visit.object_id), ""),
                "url": reverse(page, args=[visit.object_id]) if page else None,
                "due_at": _time(visit.due_at),
                "done_at": _time(visit.done_at),
                "satisfaction": visit.satisfaction,
                "shortfalls": visit.shortfalls,
                "rectification": rectification,
                "rectification_url": reverse("complaints:detail", args=[rectification]) if rectification else None,
            }
        )
    return result


def month_end_lists(*, projects: Iterable[Project | int], month: date) -> dict[str, list[dict[str, Any]]]:
    """S02: the three month-end analysis lists (see each selector for its definition)."""
    ids = _ids(projects)
    return {
        "repeat_complaints": repeat_complaints(projects=ids, month=month),
        "repeat_repairs": repeat_repairs(projects=ids, month=month),
        "unsatisfied_visits": unsatisfied_visits(projects=ids, month=month),
    }


# --- 12-month trends ----------------------------------------------------------------------------------------


def trend(*, projects: Iterable[Project | int], month: date, months: int = 12) -> list[dict[str, Any]]:
    """The ``months`` calendar months ending with ``month``, oldest first: complaints received and responded
    to in time, repairs received and on time (the definitions of ``monthly_figures``). Two queries."""
    ids = _ids(projects)
    first = add_months(month, -(months - 1))
    start, _unused = month_bounds(first)
    _unused, end = month_bounds(month)
    tz = timezone.get_default_timezone()

    def per_month(model: type[models.Model], **counts: Any) -> dict[date, dict[str, int]]:
        rows = (
            model._default_manager.filter(project_id__in=ids, received_at__gte=start, received_at__lt=end)
            .annotate(m=TruncMonth("received_at", tzinfo=tz))
            .values("m")
            .annotate(**counts)
            .order_by("m")
        )
        out = {}
        for row in rows:
            m = row.pop("m")
            key = (timezone.localtime(m, tz) if isinstance(m, datetime) else m).replace(day=1)
            out[key.date() if isinstance(key, datetime) else key] = row
        return out

    complaints = per_month(
        Complaint, complaints=Count("id"), responded_in_time=Count("id", filter=_kept_in_time(Complaint, "response"))
    )
    repairs = per_month(Repair, repairs=Count("id"), repairs_on_time=Count("id", filter=_repair_on_time()))
    result = []
    for i in range(months):
        m = add_months(first, i)
        c = complaints.get(m, {})
        r = repairs.get(m, {})
        result.append(
            {
                "month": f"{m:%Y-%m}",
                "complaints": c.get("complaints", 0),
                "responded_in_time": c.get("responded_in_time", 0),
                "repairs": r.get("repairs", 0),
                "repairs_on_time": r.get("repairs_on_time", 0),
            }
        )
    return result


# --- S04: the supervisor's daily summary -------------------------------------------------------------------


def _complaint_limits(*states: str) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint), subject_id=OuterRef("pk"), state__in=states
    )


def daily_summary(*, projects: Iterable[Project | int], now: datetime | None = None) -> dict[str, Any]:
    """S04: the complaints of the day for the supervisor's review, at ``now`` (default: now).

    - ``new``: received today (Asia/Shanghai), newest first;
    - ``open_by_grade``: every complaint still open (registered, dispatched, acknowledged), per grade;
    - ``overdue``: open complaints with a limit past due and not met (pending past its time, or missed);
    - ``due_today``: open complaints with a pending limit falling due between now and the end of the day;
    - ``completed_today``: how many were completed today.
    Lists are querysets of complaints with customer and unit loaded; a fixed number of queries.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_default_timezone()
    day_start = datetime(today.year, today.month, today.day, tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    ids = _ids(projects)
    base = Complaint.objects.filter(project_id__in=ids).select_related("customer", "unit__building", "project")
    open_rows = base.filter(status__in=COMPLAINT_OPEN)
    late = _complaint_limits(DeadlineState.PENDING).filter(due_at__lte=now)
    missed = _complaint_limits(DeadlineState.MISSED).filter(met_at__isnull=True)
    due_today = _complaint_limits(DeadlineState.PENDING).filter(due_at__gt=now, due_at__lt=day_end)
    counts = base.aggregate(
        new=Count("id", filter=Q(received_at__gte=day_start, received_at__lt=day_end)),
        open=Count("id", filter=Q(status__in=COMPLAINT_OPEN)),
        completed_today=Count("id", filter=Q(completed_at__gte=day_start, completed_at__lt=day_end)),
        **{f"open_{g}": Count("id", filter=Q(status__in=COMPLAINT_OPEN, grade=g)) for g in Grade.values},
    )
    return {
        "day": today,
        "now": now,
        "new_count": counts["new"],
        "open_count": counts["open"],
        "completed_today": counts["completed_today"],
        "open_by_grade": {g: counts[f"open_{g}"] for g in Grade.values},
        "new": base.filter(received_at__gte=day_start, received_at__lt=day_end).order_by("-received_at", "-id"),
        "overdue": open_rows.filter(Q(Exists(late)) | Q(Exists(missed))).order_by("received_at", "id"),
        "due_today": open_rows.filter(Exists(due_today)).order_by("received_at", "id"),
    }


# --- The report record ----------------------------------------------------------------------------------------


def report_for(scope: ReportScope, month: date) -> MonthlyReport | None:
    """The draft or sent report of ``scope`` for ``month``, if one was started."""
    rows = MonthlyReport.objects.select_related("sent_by", "updated_by")
    if scope.project is not None:
        return rows.filter(project=scope.project, month=month).first()
    if scope.company is None:
        return None
    return rows.filter(company=scope.company, project__isnull=True, month=month).first()
