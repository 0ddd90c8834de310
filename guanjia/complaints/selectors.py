"""Reads of complaints for the desk's pages: the live board, the list, a complaint's page, a customer's
complaints and an incident's page.

Every function starts from what the user may see (``guanjia.accounts.access.scope``) and loads what its
page shows in a fixed number of queries, however many complaints there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Field, Q, QuerySet, Window
from django.utils import timezone

from guanjia.accounts.access import get_for_user, scope, scope_to_project, staff_visible_q
from guanjia.accounts.models import User
from guanjia.cases.models import Deadline, Department
from guanjia.cases.selectors import deadlines_for, next_due_for
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import (
    OPEN_STATUSES,
    BoardStamp,
    Complaint,
    ComplaintSignature,
    ComplaintStatus,
    Incident,
)
from guanjia.estates.models import Customer, Project
from guanjia.timeline.models import Event
from guanjia.timeline.selectors import events_for

#: Rows per page of the live board.
BOARD_PAGE_SIZE = 50
#: Seconds before a limit at which the board turns orange, then yellow.
URGENT_SECONDS = 5 * 60
SOON_SECONDS = 30 * 60

_RELATED = ("customer", "unit__building", "assignee", "registered_by", "first_responder", "incident")


@dataclass(frozen=True)
class BoardFilters:
    """What the board's filter bar asks for; empty strings mean "any". Unknown values are dropped by
    ``from_query`` so a tampered URL shows the unfiltered board, never an error."""

    grade: str = ""
    status: str = ""
    department: str = ""
    mine: bool = False
    query: str = ""

    @classmethod
    def from_query(cls, params: Any) -> BoardFilters:
        grade = params.get("grade", "")
        status = params.get("status", "")
        department = params.get("department", "")
        return cls(
            grade=grade if grade in Grade.values else "",
            status=status if status in ComplaintStatus.values else "",
            department=department if department in Department.values else "",
            mine=params.get("mine", "") in {"1", "on", "true"},
            query=str(params.get("q", "")).strip()[:50],
        )

    @property
    def active(self) -> bool:
        return bool(self.grade or self.status or self.department or self.mine or self.query)


def urgency(due_at: datetime | None, now: datetime) -> str:
    """The board's colour for a limit: overdue (red), urgent (< 5 min, orange), soon (< 30 min, yellow)."""
    if due_at is None:
        return "none"
    left = (due_at - now).total_seconds()
    if left <= 0:
        return "overdue"
    if left < URGENT_SECONDS:
        return "urgent"
    if left < SOON_SECONDS:
        return "soon"
    return "normal"


def _filtered(queryset: QuerySet[Complaint], user: Any, filters: BoardFilters) -> QuerySet[Complaint]:
    if filters.grade:
        queryset = queryset.filter(grade=filters.grade)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.department:
        queryset = queryset.filter(Q(department=filters.department) | Q(against_department=filters.department))
    if filters.mine:
        queryset = queryset.filter(Q(assignee=user) | Q(registered_by=user) | Q(first_responder=user))
    if filters.query:
        q = filters.query
        queryset = queryset.filter(
            Q(number__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer_name__icontains=q)
            | Q(description__icontains=q)
            | Q(location__icontains=q)
        )
    return queryset


def _board_queryset(user: Any, project: Project, filters: BoardFilters) -> QuerySet[Complaint]:
    """The open complaints of ``project`` the user may see, filtered, the one due next first (those without a
    pending limit last, then by receipt): read through the partial index ``complaint_proj_next_due``."""
    queryset = scope_to_project(Complaint.objects.filter(status__in=OPEN_STATUSES), user, project)
    return _filtered(queryset, user, filters).order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")


@dataclass(frozen=True)
class BoardState:
    """What one page of the board shows, read cheaply (one query, no rows built): the figures above it, the
    page and the keys of its rows."""

    counts: dict[str, int]
    page: Page[int]
    keys: list[tuple[int, int, datetime | None]]
    now: datetime


def board_stamp(project: Project, now: datetime) -> str:
    """The complaints on the boards of ``project`` (which, in what order, their limits, colours and figures) can
    only have changed when this has: the project's ``BoardStamp`` (raised by the database with every complaint
    row written in the project) and, for each colour of the board, the first limit of an open complaint still to
    cross it (due, due within 5 minutes, due within 30 minutes), so the stamp also moves when time turns a row or
    a figure red, orange or yellow. One query of four index lookups, the same at any size, whatever the board's
    filters (a filtered board changes no more often).

    Read it before what it stands for: a change committed in between then shows under the older stamp, and the
    next poll, seeing the newer one, fetches the list again (the other order could keep a stale list)."""
    # Table names and statuses are the code's own constants; the values are parameters.
    table, open_ = Complaint._meta.db_table, ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    # Not yet overdue: due after now; not yet orange or yellow: due 5 or 30 minutes or more from now (``urgency``).
    crossings = ((">", 0), (">=", URGENT_SECONDS), (">=", SOON_SECONDS))
    first = "(SELECT MIN(next_due_at) FROM {} WHERE project_id = %s AND status IN ({}) AND next_due_at {} %s)"
    sql = "SELECT (SELECT version FROM {} WHERE project_id = %s), {}".format(  # noqa: S608
        BoardStamp._meta.db_table, ", ".join(first.format(table, open_, op) for op, _seconds in crossings)
    )
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = [project.pk]
    for _op, seconds in crossings:
        params += [project.pk, adapt(now + timedelta(seconds=seconds))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return repr(cursor.fetchone())


def _board_counts(now: datetime) -> dict[str, Any]:
    """The board's figures over its open complaints: open, overdue, due within 30 minutes, critical or major."""
    return {
        "open": Count("id"),
        "overdue": Count("id", filter=Q(next_due_at__lte=now)),
        "soon": Count("id", filter=Q(next_due_at__gt=now, next_due_at__lt=now + timedelta(seconds=SOON_SECONDS))),
        "serious": Count("id", filter=Q(grade__in=(Grade.CRITICAL, Grade.MAJOR))),
    }


def _page_number(page: Any) -> int:
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def board_state(
    *, user: Any, project: Project | None, filters: BoardFilters, now: datetime | None = None, page: Any = 1
) -> BoardState:
    """The figures (open, overdue, due within 30 minutes, critical or major) and the keys of page ``page``
    (``BOARD_PAGE_SIZE`` rows; a page out of range shows the last), in one query: the figures are window counts
    over all the open complaints, read beside the page's keys. A page past the end (or an empty board) costs
    one more query for the figures, and the last page one more for its keys."""
    now = now or timezone.now()
    counts = {"open": 0, "overdue": 0, "soon": 0, "serious": 0}
    keys: list[tuple[int, int, datetime | None]] = []
    number = _page_number(page)
    if project is not None:
        queryset = _board_queryset(user, project, filters)
        figures = _board_counts(now)
        windowed = queryset.annotate(**{f"n_{k}": Window(v) for k, v in figures.items()})
        start = (number - 1) * BOARD_PAGE_SIZE
        rows = list(
            windowed.values_list("id", "version", "next_due_at", *(f"n_{k}" for k in figures))[
                start : start + BOARD_PAGE_SIZE
            ]
        )
        if rows:
            counts = dict(zip(figures, rows[0][3:], strict=True))
        elif number > 1:  # past the end: the figures alone, then the last page
            counts = queryset.order_by().aggregate(**figures)
        keys = [(pk, version, due) for pk, version, due, *_figures in rows]
    paged = Paginator(range(counts["open"]), BOARD_PAGE_SIZE).get_page(number)
    if project is not None and not keys and counts["open"]:
        keys = list(queryset.values_list("id", "version", "next_due_at")[paged.start_index() - 1 : paged.end_index()])
    return BoardState(counts=counts, page=paged, keys=keys, now=now)


#: What a board row shows of a complaint and its relations (the rest is not read).
_BOARD_ROW_FIELDS = (
    "id", "project_id", "number", "grade", "status", "channel", "special_service", "received_at", "next_due_at",
    "customer_id", "customer_name", "unit_id", "description", "location", "department", "assignee_id", "version",
    "customer__id", "customer__name",
    "unit__id", "unit__entrance", "unit__room", "unit__building__id", "unit__building__number",
    "unit__building__name",
    "assignee__id", "assignee__name", "assignee__first_name", "assignee__last_name", "assignee__username",
)  # fmt: skip


def board_rows(state: BoardState) -> list[Complaint]:
    """The complaints of ``state``'s page, in its order, each with ``next_deadline`` (the Deadline, for its kind),
    ``urgency`` and its choices' labels (``grade_label``, ``status_label``, ``channel_label``,
    ``department_label``, each translated once per page, not per row): two queries."""
    ids = [pk for pk, _version, _due in state.keys]
    if not ids:
        return []
    found = (
        Complaint.objects.select_related("customer", "unit__building", "assignee").only(*_BOARD_ROW_FIELDS).in_bulk(ids)
    )
    rows = [found[pk] for pk in ids if pk in found]
    upcoming = next_due_for(rows)
    labels = {}  # as get_<name>_display reads them
    for name in ("grade", "status", "channel", "department"):
        field = cast("Field[Any, Any]", Complaint._meta.get_field(name))
        labels[name] = {value: str(label) for value, label in field.flatchoices}
    for complaint in rows:
        complaint.next_deadline = upcoming.get(complaint.pk)  # type: ignore[attr-defined]
        complaint.urgency = urgency(complaint.next_due_at, state.now)  # type: ignore[attr-defined]
        for name, names in labels.items():
            value = getattr(complaint, name)
            setattr(complaint, f"{name}_label", names.get(value, value))
    return rows


def board(
    *, user: Any, project: Project | None, filters: BoardFilters, now: datetime | None = None, page: Any = 1
) -> list[Complaint]:
    """Page ``page`` of the open complaints of ``project``, the one due next first (those without a pending limit
    last). Each carries ``next_due_at``, ``next_deadline`` and ``urgency``."""
    return board_rows(board_state(user=user, project=project, filters=filters, now=now, page=page))


def complaint_list(*, user: Any, project: Project | None, filters: BoardFilters) -> QuerySet[Complaint]:
    """Every complaint of ``project`` (closed ones too), newest first: the 投诉 list page (paginate it)."""
    if project is None:
        return Complaint.objects.none()
    queryset = scope(Complaint.objects.filter(project=project), user)
    return _filtered(queryset, user, filters).select_related(*_RELATED).order_by("-received_at", "-id")


@dataclass
class ComplaintPage:
    complaint: Complaint
    deadlines: list[Deadline]
    timeline: list[Event]
    signatures: list[ComplaintSignature]
    incident_customers: int | None


def complaint_get(*, user: Any, pk: Any) -> Complaint:
    """One complaint the user may see, or 404."""
    queryset = Complaint.objects.select_related(*_RELATED, "acknowledged_by", "project")
    return get_for_user(queryset, user, pk)


def complaint_for_page(*, user: Any, pk: Any) -> ComplaintPage:
    """A complaint with what its page shows: limits, the full timeline, signatures, the incident's size."""
    complaint = complaint_get(user=user, pk=pk)
    count: int | None = None
    if complaint.incident is not None:
        from guanjia.complaints.incidents import incident_customer_count

        count = incident_customer_count(complaint.incident)
    return ComplaintPage(
        complaint=complaint,
        deadlines=list(deadlines_for(complaint)),
        timeline=list(events_for(complaint)),
        signatures=list(complaint.signatures.select_related("collected_by")),
        incident_customers=count,
    )


def signature_get(*, user: Any, pk: Any) -> ComplaintSignature:
    """A signature whose complaint the user may see, or 404 (images are never public media)."""
    return get_for_user(ComplaintSignature.objects.select_related("complaint"), user, pk, field="complaint__project")


def customer_complaints(*, user: Any, customer: Customer, limit: int = 50) -> list[Complaint]:
    """The customer's complaints, newest first, for the customer page: one query."""
    queryset = scope(Complaint.objects.filter(customer=customer), user)
    return list(queryset.only("id", "number", "grade", "status", "received_at").order_by("-received_at")[:limit])


def incident_get(*, user: Any, pk: Any) -> Incident:
    return get_for_user(Incident.objects.select_related("building", "created_by"), user, pk)


def incident_complaints(*, user: Any, incident: Incident) -> list[Complaint]:
    queryset = scope(Complaint.objects.filter(incident=incident), user)
    return list(queryset.select_related(*_RELATED).order_by("received_at", "id"))


def recent_incidents(*, user: Any, project: Project, now: datetime | None = None, days: int = 30) -> QuerySet[Incident]:
    """Incidents of the project created in the last ``days`` days: the link-incident picker."""
    since = (now or timezone.now()) - timedelta(days=days)
    return scope(Incident.objects.filter(project=project, created_at__gte=since), user).order_by("-created_at")


def project_staff(*, user: Any, project: Project) -> QuerySet[User]:
    """Active staff of ``project`` the user may see: first responders and assignees are picked from these."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(projects=project) | Q(company_wide=True, company_id=project.company_id))
        .filter(staff_visible_q(user))
        .distinct()
        .order_by("role", "name", "id")
    )
