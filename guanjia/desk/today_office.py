"""The office's "today": the CS supervisor's (the board's summary, reviews waiting, quotas) and the managers'
(escalations to acknowledge, the month's rates). Figures come from the report selectors: no rate is defined
twice. See ``guanjia.desk.today`` for the shape of a section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import scope
from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import OPEN_STATUSES, Complaint
from guanjia.desk.today import LIMIT, TODAY_BUILDERS, Row, Section, Today, section
from guanjia.estates.models import Project
from guanjia.reports.selectors import RATE_LABELS, daily_summary, monthly_figures
from guanjia.visits.selectors import quota_rows, review_queue

#: The month's rates shown on a manager's first page, in this order (the report page has all of them).
TODAY_RATES = ("response", "resolution", "repair_timeliness", "return_visit", "satisfaction")


def _board_summary(project: Project, now: datetime) -> dict[str, Any]:
    """The live board's figures (S04's definitions): open per grade, overdue, due today, new today."""
    summary = daily_summary(projects=[project], now=now)
    board = reverse("complaints:board")
    grades = [
        {"key": g, "label": str(label), "count": summary["open_by_grade"][g], "url": f"{board}?grade={g}"}
        for g, label in Grade.choices
    ]
    return {
        "open": summary["open_count"],
        "new": summary["new_count"],
        "completed": summary["completed_today"],
        "grades": grades,
        "overdue_rows": summary["overdue"],
        "overdue": summary["overdue"].count(),
        "due_today": summary["due_today"].count(),
        "board_url": board,
        "daily_url": reverse("reports:daily"),
    }


def _complaint_row(c: Complaint, *, when: datetime | None = None, overdue: bool = False) -> Row:
    return Row(
        title=f"{c.number} · {c.get_grade_display()}",
        url=reverse("complaints:detail", args=[c.pk]),
        detail=" · ".join(p for p in (str(c.unit) if c.unit_id else "", c.description[:60]) if p),
        when=when or c.received_at,
        overdue=overdue,
    )


def _month(now: datetime) -> date:
    local = timezone.localdate(now)
    return date(local.year, local.month, 1)


def supervisor(user: Any, project: Project, now: datetime) -> Today:
    summary = _board_summary(project, now)
    overdue = section(
        "overdue",
        _("已超时的投诉"),
        summary["overdue_rows"],
        lambda c: _complaint_row(c, overdue=True),
        more_url=summary["daily_url"],
        empty=_("没有超时的投诉"),
    )
    reviews = section(
        "reviews",
        _("待审核的回访"),
        review_queue(user).filter(project=project),
        lambda v: Row(
            title=" · ".join(str(p) for p in (v.customer or v.unit, v.get_case_type_display()) if p),
            url=reverse("visits:visit", args=[v.pk]),
            detail=_("不满意") if v.unsatisfied else "",
            when=v.done_at,
            overdue=bool(v.unsatisfied),
        ),
        more_url=reverse("visits:review"),
        empty=_("没有待审核的回访"),
    )
    month = _month(now)
    quotas = quota_rows(user, month)
    quota_url = f"{reverse('visits:quotas')}?month={month:%Y-%m}"
    quota_section = Section(
        key="quotas",
        title=_("本月回访指标"),
        rows=[
            Row(
                title=q.person.display_name,
                url=quota_url,
                detail=_("已回访 %(done)s / 指标 %(quota)s") % {"done": q.done, "quota": q.quota},
                overdue=not q.met,
            )
            for q in quotas[:LIMIT]
        ],
        total=len(quotas),
        more_url=quota_url,
        empty=_("本月没有回访指标"),
    )
    return Today(page="supervisor", sections=[overdue, reviews, quota_section], extra={"board": summary})


# --- Managers ---------------------------------------------------------------------------------------------------


def escalations_to_acknowledge(user: Any, project: Project) -> QuerySet[Complaint]:
    """Open complaints of ``project`` whose escalation (C13) to the user's role is still to be acknowledged:
    running, or missed and not acknowledged yet. The general manager may acknowledge any escalation."""
    limit = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint),
        subject_id=OuterRef("pk"),
        kind="escalate",
        state__in=(DeadlineState.PENDING, DeadlineState.MISSED),
        met_at__isnull=True,
    )
    rows = scope(Complaint.objects.filter(project=project, status__in=OPEN_STATUSES), user).filter(Exists(limit))
    if not (user.is_superuser or user.role == Role.GENERAL_MANAGER):
        rows = rows.filter(escalate_to=user.role)
    rows = rows.annotate(escalate_due=Subquery(limit.order_by("due_at").values("due_at")[:1]))
    return rows.select_related("unit__building").order_by("escalate_due", "id")


def manager(user: Any, project: Project, now: datetime) -> Today:
    escalations = section(
        "escalations",
        _("待确认的上报"),
        escalations_to_acknowledge(user, project),
        lambda c: _complaint_row(c, when=c.escalate_due, overdue=c.escalate_due is not None and c.escalate_due <= now),
        more_url=f"{reverse('complaints:board')}",
        empty=_("没有待确认的上报"),
    )
    month = _month(now)
    rates = monthly_figures(projects=[project.pk], month=month)["rates"]
    tiles = []
    for key in TODAY_RATES:
        rate = rates[key]
        share = key != "satisfaction"
        value = rate["value"]
        shown = "—" if value is None else (f"{value * 100:.1f}%" if share else f"{value:.2f}")
        tiles.append({"key": key, "label": str(RATE_LABELS[key]), "value": shown, "meets": rate["meets"]})
    report_url = f"{reverse('reports:monthly')}?project={project.pk}&month={month:%Y-%m}"
    extra = {"board": _board_summary(project, now), "rates": tiles, "month": month, "report_url": report_url}
    return Today(page="manager", sections=[escalations], extra=extra)


#: Every first page that has a builder, by ``access.today_page``.
BUILDERS: dict[str, Callable[[Any, Project, datetime], Today]] = {
    **TODAY_BUILDERS,
    "supervisor": supervisor,
    "manager": manager,
}
