"""S01, S05: the month's figures, the rates against their targets, and the 12-month trends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from guanjia.cases.kinds import LimitFacts, case_kind, kept_in_time, limits_kept, limits_q
from guanjia.cases.models import Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Complaint, Nature
from guanjia.core.periods import add_months, month_bounds
from guanjia.estates.models import Project
from guanjia.repairs.models import Repair
from guanjia.reports.selectors.scope import _ids, _rate
from guanjia.visits.models import HouseholdIssue, HouseholdVisit, HouseholdVisitCampaign, ReturnVisit, VisitStatus
from guanjia.visits.selectors import issue_handled_q

# --- S01, S05: the month's figures ------------------------------------------------------------------------

#: S05: the targets the rates are shown against (share, 0–1; satisfaction on the 1–5 scale of V05).
TARGETS: dict[str, float] = {
    "response": 1.0,
    "resolution": 1.0,
    "complaint_handling": 1.0,
    "same_day_reply": 1.0,
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
    "same_day_reply": gettext_lazy("当日告知结果率"),
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
    - ``inform_due``: complaints whose completion started C16's same-day reply (the customer told the result by
      24:00 of the completion day); ``informed_same_day``: of them, told in time (the same definition as
      ``responded_in_time``, for the "inform" limit).
    """
    start, end = month_bounds(month)
    rows = Complaint.objects.filter(project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end)
    breakdowns = {
        "by_grade": ("grade", Grade.values),
        "by_nature": ("nature", Nature.values),
        "by_channel": ("channel", Channel.values),
        "by_department": ("against_department", Department.values),
    }
    # The limits of the month's complaints are read set-wise: one grouped query over the deadline table joined
    # once (cases.kinds.LimitFacts), the rules being those of cases.kinds.
    facts = LimitFacts(Complaint)
    counts: dict[str, Q | None] = {
        "total": None,
        "responded_in_time": limits_kept(facts.has, "response"),
        "resolved_in_time": case_kind("complaint").on_time_q(facts.has),
        "handled": case_kind("complaint").done_q(),
        "inform_due": facts.has(limits_q("inform")),
        "informed_same_day": limits_kept(facts.has, "inform"),
    }
    for key, (field, values) in breakdowns.items():
        for value in values:
            counts[f"{key}__{value}"] = Q(**{field: value})
    raw = facts.count(rows, **counts)
    figures: dict[str, Any] = {
        name: raw[name]
        for name in ("total", "responded_in_time", "resolved_in_time", "handled", "inform_due", "informed_same_day")
    }
    for key, (_field, values) in breakdowns.items():
        figures[key] = {value: raw[f"{key}__{value}"] for value in values}
    return figures


def repair_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01, S05 (维修及时率): the repairs received in ``month``: ``total``, ``completed`` (completed, returned to
    the desk or closed) and ``on_time`` (completed with none of its limits missed), exactly as
    ``repairs.selectors.repair_timeliness`` counts one project, here over several in one query (both read the
    repair kind's declaration, ``cases.kinds``)."""
    start, end = month_bounds(month)
    rows = Repair.objects.filter(project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end)
    repair = case_kind("repair")
    facts = LimitFacts(Repair)
    return facts.count(rows, total=None, completed=repair.done_q(), on_time=repair.on_time_q(facts.has))


def visit_figures(*, projects: Iterable[Project | int], month: date) -> dict[str, Any]:
    """S01, S05: the return visits falling due in ``month`` (``due_at`` in the month; cancelled ones are not
    due): ``due``; ``done`` (status done); ``on_time`` (done with ``done_at <= due_at``); ``unsatisfied``
    (the stored unsatisfied flag, satisfaction ≤ 2, V06); ``rated`` and ``satisfaction``, the average of the
    recorded satisfaction (1–5), None when none is recorded. ``by_case_type`` gives due and done per kind."""
    start, end = month_bounds(month)
    rows = ReturnVisit.objects.filter(project_id__in=_ids(projects), due_at__gte=start, due_at__lt=end).exclude(
        status=VisitStatus.CANCELLED
    )
    done = Q(status=VisitStatus.DONE)
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
      projects); ``issues_handled``: of them, handled as the campaign page counts them
      (``visits.selectors.issue_handled_q``: the issue's case has ended; handling rate, target 100%).
    """
    start, end = month_bounds(month)
    ids = _ids(projects)
    running = HouseholdVisitCampaign.objects.filter(project_id__in=ids, start__lt=end.date(), end__gte=start.date())
    figures = HouseholdVisit.objects.filter(campaign__in=running).aggregate(
        units=Count("id"),
        visited=Count("id", filter=Q(visited_at__isnull=False, visited_at__lt=end)),
    )
    handled = issue_handled_q()
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
        "same_day_reply": (c["informed_same_day"], c["inform_due"]),
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
        Complaint, complaints=Count("id"), responded_in_time=Count("id", filter=kept_in_time(Complaint, "response"))
    )
    repairs = per_month(
        Repair, repairs=Count("id"), repairs_on_time=Count("id", filter=case_kind("repair").on_time_q())
    )
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
