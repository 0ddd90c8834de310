"""What a signed-in resident may see: the customers of the archive with their phone, their current units, and
the affairs of those units. Every resident endpoint and page starts from these; anything else is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from guanjia.estates.models import Customer, Residency, Unit


@dataclass(frozen=True)
class Household:
    """The resident behind one phone: their archive records (one per project) and their current homes."""

    phone: str
    customers: tuple[Customer, ...]
    residencies: tuple[Residency, ...]

    @property
    def customer_ids(self) -> list[int]:
        return [c.pk for c in self.customers]

    @property
    def unit_ids(self) -> list[int]:
        return [r.unit_id for r in self.residencies]

    @property
    def units(self) -> list[Unit]:
        return [r.unit for r in self.residencies]

    @property
    def name(self) -> str:
        return self.customers[0].name if self.customers else ""

    def unit(self, pk: Any, field: str = "unit") -> Unit:
        """One of the resident's current units, or 404 (a foreign id reveals nothing)."""
        for residency in self.residencies:
            if str(residency.unit_id) == str(pk):
                return residency.unit
        raise Http404

    def customer_for(self, unit: Unit) -> Customer:
        """The resident's archive record that lives in ``unit``."""
        for residency in self.residencies:
            if residency.unit_id == unit.pk:
                return residency.customer
        raise Http404

    def cases(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Cases of the resident's current units, or registered for the resident themselves."""
        return queryset.filter(Q(unit_id__in=self.unit_ids) | Q(customer_id__in=self.customer_ids))


def household_for(phone: str) -> Household:
    customers = tuple(Customer.objects.filter(phones__number=phone).select_related("project").order_by("pk").distinct())
    residencies = tuple(
        Residency.objects.filter(customer__in=customers, move_out_date__isnull=True)
        .select_related("unit__building", "unit__project", "customer")
        .order_by("unit__project_id", "unit__building__number", "unit__room", "pk")
    )
    return Household(phone=phone, customers=customers, residencies=residencies)
