"""What the estate holds about a resident, for them to download (PIPL's right of access)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from guanjia.complaints.models import Complaint
from guanjia.estates.models import Residency
from guanjia.repairs.models import Repair
from guanjia.residents.households import Household
from guanjia.residents.models import OnlineReport, PrivacyConsent, ResidentSession


def _when(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def personal_data(household: Household) -> dict[str, Any]:
    customers = []
    for customer in household.customers:
        residencies = Residency.objects.filter(customer=customer).select_related("unit__building").order_by("pk")
        customers.append(
            {
                "project": customer.project.name,
                "name": customer.name,
                "kind": customer.get_kind_display(),
                "phones": [p.number for p in customer.phones.all()],
                "id_number_last4": customer.id_number_last4,
                "note": customer.note,
                "created_at": _when(customer.created_at),
                "units": [
                    {
                        "unit": str(r.unit),
                        "kind": r.get_kind_display(),
                        "move_in_date": r.move_in_date.isoformat() if r.move_in_date else None,
                        "move_out_date": r.move_out_date.isoformat() if r.move_out_date else None,
                    }
                    for r in residencies
                ],
            }
        )
    ids = household.customer_ids
    cases = [
        {
            "number": case.number,
            "kind": model._meta.verbose_name,
            "status": case.get_status_display(),
            "description": case.description,
            "received_at": _when(case.received_at),
        }
        for model in (Complaint, Repair)
        for case in model.objects.filter(customer_id__in=ids).order_by("received_at", "pk")
    ]
    reports = [
        {"kind": r.get_kind_display(), "description": r.description, "submitted_at": _when(r.submitted_at)}
        for r in OnlineReport.objects.filter(customer_id__in=ids).order_by("submitted_at", "pk")
    ]
    return {
        "phone": household.phone,
        "customers": customers,
        "cases": cases,
        "online_reports": reports,
        "privacy_consents": [
            {"version": c.version, "accepted_at": _when(c.accepted_at)}
            for c in PrivacyConsent.objects.filter(phone=household.phone).order_by("accepted_at")
        ],
        "sign_ins": [
            _when(s.created_at) for s in ResidentSession.objects.filter(phone=household.phone).order_by("created_at")
        ],
    }
