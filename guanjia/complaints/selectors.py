"""Reads of complaints for the desk's pages: the live board, the list, a complaint's page, a customer's
complaints and an incident's page.

Every function starts from what the user may see (``guanjia.accounts.access.scope``) and loads what its
page shows in a fixed number of queries, however many complaints there are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from guanjia.accounts.access import get_for_user, scope, staff_visible_q
from guanjia.accounts.models import User
from guanjia.cases.models import Deadline, Department
from guanjia.cases.selectors import deadlines_for, next_due_for
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import OPEN_STATUSES, Complaint, ComplaintSignature, ComplaintStatus, Incident
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
    queryset = scope(Complaint.objects.filter(project=project, status__in=OPEN_STATUSES), user)
    return _filtered(queryset, user, filters).order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")


@dataclass(frozen=True)
class BoardState:
    """What one page of the board shows, read cheaply (two queries, no rows built): the figures above it, the
    page, and ``version``, a digest of everything on the page that can change (the rows, their order, versions,
    limits and colours, the figures). An unchanged ``version`` means an unchanged page: the poll answers 304."""

    counts: dict[str, int]
    page: Page[int]
    keys: list[tuple[int, int, datetime | None]]
    now: datetime
    version: str


def board_state(
    *, user: Any, project: Project | None, filters: BoardFilters, now: datetime | None = None, page: Any = 1
) -> BoardState:
    """The figures (one aggregate over the open complaints: open, overdue, due within 30 minutes, critical or
    major) and the keys of page ``page`` (``BOARD_PAGE_SIZE`` rows; a page out of range shows the last)."""
    now = now or timezone.now()
    if project is None:
        counts = {"open": 0, "overdue": 0, "soon": 0, "serious": 0}
        keys: list[tuple[int, int, datetime | None]] = []
        paged = Paginator(range(0), BOARD_PAGE_SIZE).get_page(1)
    else:
        queryset = _board_queryset(user, project, filters)
        counts = queryset.order_by().aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(next_due_at__lte=now)),
            soon=Count("id", filter=Q(next_due_at__gt=now, next_due_at__lt=now + timedelta(seconds=SOON_SECONDS))),
            serious=Count("id", filter=Q(grade__in=(Grade.CRITICAL, Grade.MAJOR))),
        )
        paged = Paginator(range(counts["open"]), BOARD_PAGE_SIZE).get_page(page)
        window = queryset.values_list("id", "version", "next_due_at")
        keys = list(window[paged.start_index() - 1 : paged.end_index()]) if counts["open"] else []
    shown = [(pk, version, due.isoformat() if due else "", urgency(due, now)) for pk, version, due in keys]
    digest = hashlib.sha256(repr((sorted(counts.items()), paged.number, shown)).encode()).hexdigest()[:32]
    return BoardState(counts=counts, page=paged, keys=keys, now=now, version=digest)


def board_rows(state: BoardState) -> list[Complaint]:
    """The complaints of ``state``'s page, in its order, each with ``next_deadline`` (the Deadline, for its kind)
    and ``urgency``: two queries."""
    ids = [pk for pk, _version, _due in state.keys]
    if not ids:
        return []
    found = Complaint.objects.select_related(*_RELATED).in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    upcoming = next_due_for(rows)
    for complaint in rows:
        complaint.next_deadline = upcoming.get(complaint.pk)  # type: ignore[attr-defined]
        complaint.urgency = urgency(complaint.next_due_at, state.now)  # type: ignore[attr-defined]
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
