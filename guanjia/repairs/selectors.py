"""Reads of the repair price list, always scoped to what the user may see (O04)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanjia.accounts.access import scope
from guanjia.repairs.models import PriceItem


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
