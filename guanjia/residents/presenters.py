"""What a resident is shown, as plain values: the same words on the pages and in the API."""

from __future__ import annotations

from typing import Any

from guanjia.accounts.access import mask_phone
from guanjia.residents.households import Household
from guanjia.residents.signin import consent_given


def unit_payload(residency: Any) -> dict[str, Any]:
    unit = residency.unit
    return {
        "id": unit.pk,
        "label": f"{unit.project.name} {unit}",
        "project": unit.project.name,
        "kind": residency.get_kind_display(),
    }


def me_payload(household: Household) -> dict[str, Any]:
    consent = consent_given(household.phone)
    return {
        "name": household.name,
        "phone": mask_phone(household.phone),
        "units": [unit_payload(r) for r in household.residencies],
        "privacy_consent_at": consent.accepted_at if consent else None,
    }
