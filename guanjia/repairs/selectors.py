"""Reads of repairs (the price list, the ledger, one order, 维修及时率), always scoped to what the user may
see (O04)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from guanjia.accounts.access import get_for_user, scope
from guanjia.accounts.models import Role, User
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline
from guanjia.cases.selectors import Timeliness, deadlines_for, timeliness
from guanjia.core.periods import month_bounds
from guanjia.estates.models import Project
from guanjia.notifications.selectors import staff_with_roles
from guanjia.repairs.models import (
    OPEN_STATUSES,
    LineKind,
    PriceItem,
    Repair,
    RepairLine,
    RepairNote,
    RepairPhoto,
    RepairSignature,
    RepairStatus,
    SignerRole,
)
from guanjia.timeline.labels import verb_label
from guanjia.timeline.models import Event
from guanjia.timeline.selectors import events_for


def price_items_for(
    user: Any, *, project_id: int | None = None, active: bool | None = None, q: str = ""
) -> QuerySet[PriceItem]:
    items = scope(PriceItem.objects.all(), user)
    if project_id is not None:
        items = items.filter(project_id=project_id)
    if active is not None:
        items = items.filter(active=active)
    if q.strip():
        term = q.strip()
        items = items.filter(Q(name__icontains=term) | Q(code__icontains=term) | Q(labour_note__icontains=term))
    return items.order_by("project_id", "category", "code")


# --- Work orders --------------------------------------------------------------------------------------------


def _orders(user: Any) -> QuerySet[Repair]:
    return scope(Repair.objects.all(), user).select_related(
        "project", "customer", "unit__building", "price_item", "assignee"
    )


def repair_list(
    user: Any, *, project_id: int | None = None, status: str = "", q: str = "", open_only: bool = False
) -> QuerySet[Repair]:
    """The desk's ledger (R01): the user's visible orders, newest first, each with ``next_due_at``."""
    rows = _orders(user)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    if status:
        rows = rows.filter(status=status)
    elif open_only:
        rows = rows.filter(status__in=OPEN_STATUSES)
    term = q.strip()
    if term:
        rows = rows.filter(
            Q(number__icontains=term)
            | Q(description__icontains=term)
            | Q(customer__name__icontains=term)
            | Q(customer_name__icontains=term)
            | Q(location__icontains=term)
        )
    return rows.order_by("-received_at", "-id")


def repairs_for_technician(user: Any) -> QuerySet[Repair]:
    """ "My orders" on the technician's phone: open orders assigned to them, and (for anyone who may accept)
    orders waiting for a technician, soonest limit first."""
    waiting = Q(status__in=(RepairStatus.NOTIFIED, RepairStatus.CONSENTED), warranty=False) & (
        Q(price_item__isnull=False) | Q(status=RepairStatus.CONSENTED)
    )
    mine = Q(assignee=user, status__in=(RepairStatus.ACCEPTED, RepairStatus.ARRIVED, RepairStatus.IN_PROGRESS))
    rows = _orders(user).filter(mine | waiting)
    return rows.order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")


def repair_for_user(user: Any, pk: Any) -> Repair:
    """One order the user may see, or 404 (O04)."""
    return get_for_user(_orders(user), user, pk)


@dataclass
class RepairDetail:
    repair: Repair
    reported: list[RepairLine]
    actual: list[RepairLine]
    photos: list[RepairPhoto]
    signatures: list[RepairSignature]
    notes: list[RepairNote]
    deadlines: list[Deadline]
    timeline: list[Event]

    @property
    def actual_total(self) -> Decimal:
        return sum((line.fee_yuan for line in self.actual), Decimal(0))

    @property
    def customer_signature(self) -> RepairSignature | None:
        return next((s for s in reversed(self.signatures) if s.role == SignerRole.CUSTOMER), None)

    def signed_by(self, role: str) -> bool:
        return any(s.role == role for s in self.signatures)

    @property
    def signed_by_supervisor(self) -> bool:
        return self.signed_by(SignerRole.SUPERVISOR)


def repair_detail(user: Any, pk: Any) -> RepairDetail:
    repair = repair_for_user(user, pk)
    lines = list(repair.lines.select_related("price_item"))
    timeline = list(events_for(repair).select_related("actor"))
    for event in timeline:
        event.label = verb_label(event.verb)  # type: ignore[attr-defined]
    return RepairDetail(
        repair=repair,
        reported=[ln for ln in lines if ln.kind == LineKind.REPORTED],
        actual=[ln for ln in lines if ln.kind == LineKind.ACTUAL],
        photos=list(repair.photos.all()),
        signatures=list(repair.signatures.all()),
        notes=list(repair.notes.select_related("written_by").prefetch_related("photos")),
        deadlines=list(deadlines_for(repair)),
        timeline=timeline,
    )


def photo_for_user(user: Any, pk: Any) -> RepairPhoto:
    return get_for_user(RepairPhoto.objects.select_related("repair"), user, pk, field="repair__project")


def signature_for_user(user: Any, pk: Any) -> RepairSignature:
    return get_for_user(RepairSignature.objects.select_related("repair"), user, pk, field="repair__project")


def technicians_for(project: Project) -> QuerySet[User]:
    return staff_with_roles(project, [Role.TECHNICIAN, Role.ENGINEERING_SUPERVISOR])


# --- 维修及时率 (S01, S05) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepairMonth:
    """The month's repairs: how many came in, were completed, and were completed with every limit kept; and,
    per kind of limit (order, notify, assess, arrive), what was kept and missed."""

    start: datetime
    end: datetime
    total: int
    completed: int
    on_time: int
    by_kind: dict[str, Timeliness]

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None


def repair_timeliness(*, project: Project, month: date) -> RepairMonth:
    """维修及时率 of ``project`` for the calendar month of ``month``: every limit met or missed (cases.Deadline
    rows) and the orders received in the month. Completed and on time are the repair kind's (``cases.kinds``):
    on time when done and none of its limits was missed."""
    start, end = month_bounds(month)
    received = Repair.objects.filter(project=project, received_at__gte=start, received_at__lt=end)
    repair = case_kind("repair")
    figures = received.aggregate(
        total=Count("id"),
        completed=Count("id", filter=repair.done_q()),
        on_time=Count("id", filter=repair.on_time_q()),
    )
    return RepairMonth(
        start=start,
        end=end,
        total=figures["total"],
        completed=figures["completed"],
        on_time=figures["on_time"],
        by_kind=timeliness(project=project, start=start, end=end, model=Repair),
    )
