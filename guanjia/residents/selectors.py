"""Reads for the resident: the household's cases of one kind, pending online reports first. Fixed query counts."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from guanjia.complaints.models import Complaint
from guanjia.repairs.models import Repair
from guanjia.residents.households import Household
from guanjia.residents.models import OnlineReport, ReportKind, ReportStatus
from guanjia.residents.progress import case_payload, pending_payload

CASE_MODELS: dict[str, Any] = {ReportKind.REPAIR: Repair, ReportKind.COMPLAINT: Complaint}
LIST_LIMIT = 50


def _cases(household: Household, kind: str) -> Any:
    model = CASE_MODELS[kind]
    related = ["unit__building", "assignee"] if kind == ReportKind.REPAIR else ["unit__building"]
    return household.cases(model.objects.all()).select_related(*related)


def household_cases(household: Household, kind: str) -> list[dict[str, Any]]:
    pending = (
        OnlineReport.objects.filter(kind=kind, status=ReportStatus.SUBMITTED)
        .filter(customer_id__in=household.customer_ids, unit_id__in=household.unit_ids)
        .select_related("unit__building")
        .order_by("-submitted_at", "-pk")[:LIST_LIMIT]
    )
    cases = _cases(household, kind).order_by("-received_at", "-pk")[:LIST_LIMIT]
    return [pending_payload(r) for r in pending] + [case_payload(c) for c in cases]


def household_case(household: Household, kind: str, pk: Any) -> dict[str, Any]:
    """One case of the household, or 404 (a case of another household is not found)."""
    try:
        case = _cases(household, kind).get(pk=int(pk))
    except (ValueError, TypeError, CASE_MODELS[kind].DoesNotExist):
        raise Http404 from None
    return case_payload(case)
