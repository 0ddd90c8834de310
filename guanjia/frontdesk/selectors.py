"""Reads of the front-desk ledgers. The project-level functions (``open_custody_items``, ``visitors_inside``)
take a project the caller has already checked (the shift handover sheet of ``guanjia.dutylog`` reads them);
the ``*_for`` functions start from what a user may see (O04)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanjia.accounts.access import scope
from guanjia.estates.models import Customer, Project, Unit
from guanjia.frontdesk.models import (
    ArchiveEvent,
    CustodyItem,
    CustodyKind,
    CustodyStatus,
    Visitor,
    VisitorStatus,
)

_ITEM_RELATED = ("owner_customer", "owner_unit__building", "owner_staff", "received_by", "handed_over_by")


def open_q() -> Q:
    """Items still the desk's business: waiting at the desk (parcels, keys in the drawer, slips at the gate),
    or out with someone and due back (loans, keys)."""
    return Q(status=CustodyStatus.HELD) | Q(
        status=CustodyStatus.HANDED_OVER, kind__in=[CustodyKind.LOAN, CustodyKind.KEY]
    )


def open_custody_items(project: Project | int, kind: str | None = None) -> QuerySet[CustodyItem]:
    """Everything in the desk's custody for ``project`` now: parcels and items waiting, keys in the drawer,
    release slips not yet used, and loans and keys out (``item.is_out``), oldest first.

    For the shift handover (F09): group by ``kind``; ``item.status == "held"`` means on the shelf,
    ``item.is_out`` means lent or issued (see ``due_back_at``)."""
    rows = CustodyItem.objects.filter(open_q(), project=project).select_related(*_ITEM_RELATED)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.order_by("received_at", "id")


def visitors_inside(project: Project | int) -> QuerySet[Visitor]:
    """Visitors admitted and not yet signed out, plus those still waiting at the counter (F01, F09)."""
    return (
        Visitor.objects.filter(
            project=project,
            status__in=[VisitorStatus.ADMITTED, VisitorStatus.WAITING, VisitorStatus.HOST_CONFIRMED],
        )
        .select_related("host_unit__building", "host_customer", "registered_by")
        .order_by("arrived_at", "id")
    )


def custody_items_for(
    user: Any, *, project_id: int | None = None, kind: str | None = None, status: str | None = None, q: str = ""
) -> QuerySet[CustodyItem]:
    rows = scope(CustodyItem.objects.all(), user).select_related(*_ITEM_RELATED)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    if kind:
        rows = rows.filter(kind=kind)
    if status == "open":
        rows = rows.filter(open_q())
    elif status:
        rows = rows.filter(status=status)
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(tracking_number__icontains=q)
            | Q(owner_name__icontains=q)
            | Q(owner_customer__name__icontains=q)
            | Q(description__icontains=q)
            | Q(shelf__iexact=q)
        )
    return rows


def visitors_for(user: Any, *, project_id: int | None = None) -> QuerySet[Visitor]:
    rows = scope(Visitor.objects.all(), user).select_related("host_unit__building", "host_customer", "registered_by")
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return rows


def units_matching(user: Any, *, project_id: int, q: str, limit: int = 10) -> list[Unit]:
    """Type-ahead for a unit: "3-2-1201", "1201" or "3栋2单元1201" (the room number narrows first)."""
    text = q.strip().replace("栋", "-").replace("单元", "-").replace(" ", "-")
    parts = [p for p in text.split("-") if p]
    if not parts:
        return []
    rows = scope(Unit.objects.all(), user).filter(project_id=project_id, room__startswith=parts[-1])
    if len(parts) >= 2:
        rows = rows.filter(building__number=parts[0])
    if len(parts) >= 3:
        rows = rows.filter(entrance=parts[1])
    return list(rows.select_related("building").order_by("building_id", "entrance", "room")[:limit])


def archive_events_of(*, customer: Customer | None = None, unit: Unit | None = None) -> QuerySet[ArchiveEvent]:
    """The F07 archive of a customer or a unit (the caller has looked the customer or unit up for the user)."""
    rows = ArchiveEvent.objects.select_related("unit__building", "customer", "recorded_by", "application")
    if customer is not None:
        rows = rows.filter(customer=customer)
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("-date", "-id")
