"""R10 on the resident's phone: the technician asks the customer to sign the repair order on their own phone;
the household's resident signs there (canvas → PNG, checked like a signature on the technician's screen).

The signature is stored as the repair's customer signature (``RepairSignature``, role customer, collected by
the technician who asked), so the technician's completion step sees it exactly as one drawn on their device.
The repair's timeline says the customer signed (``repair.signed``, no actor, ``by: customer``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_work_repair
from guanjia.cases.uploads import check_signature
from guanjia.core.errors import NotPossible
from guanjia.repairs.models import Repair, RepairSignature, RepairStatus, SignerRole
from guanjia.residents.households import Household
from guanjia.residents.labels import SIGN_REQUESTED_VERB
from guanjia.residents.models import SignatureRequest
from guanjia.timeline.services import record

#: The repair's states in which the customer may still sign before completion (as on the technician's screen).
SIGNABLE = (RepairStatus.ACCEPTED, RepairStatus.ARRIVED, RepairStatus.IN_PROGRESS, RepairStatus.WITH_CONTRACTOR)


def pending_request(repair: Repair) -> SignatureRequest | None:
    return SignatureRequest.objects.filter(repair=repair, signed_at__isnull=True).first()


def sign_request_open(*, repair: Repair, actor: Any, now: datetime) -> SignatureRequest:
    """The technician (or a repairs supervisor) asks the customer to sign on their phone. Asking again while
    a request is pending returns that request."""
    if not can_work_repair(actor, repair):
        raise PermissionDenied
    if repair.status not in SIGNABLE:
        raise NotPossible(_("只有维修中的工单可以请客户签名"))
    if repair.unit_id is None and repair.customer_id is None:
        raise ValidationError({"repair": [_("该工单没有登记房屋或客户，无法请客户在手机上签名")]})
    if repair.signatures.filter(role=SignerRole.CUSTOMER).exists():
        raise NotPossible(_("客户已签名"))
    with transaction.atomic():
        Repair.objects.select_for_update().filter(pk=repair.pk).first()
        existing = pending_request(repair)
        if existing is not None:
            return existing
        request = SignatureRequest.objects.create(repair=repair, requested_by=actor, requested_at=now)
        record(subject=repair, verb=SIGN_REQUESTED_VERB, actor=actor, at=now, data={"request": request.pk})
    return request


def household_sign_requests(household: Household) -> list[SignatureRequest]:
    """Pending requests on the household's repairs that can still be signed."""
    repairs = household.cases(Repair.objects.filter(status__in=SIGNABLE))
    return list(
        SignatureRequest.objects.filter(signed_at__isnull=True, repair__in=repairs)
        .select_related("repair__unit__building")
        .order_by("requested_at", "pk")
    )


def household_sign_request(household: Household, repair_pk: Any) -> SignatureRequest:
    """The pending request on one of the household's repairs, or 404."""
    for request in household_sign_requests(household):
        if str(request.repair_id) == str(repair_pk):
            return request
    raise Http404


def sign_request_payload(request: SignatureRequest) -> dict[str, Any]:
    repair = request.repair
    return {
        "repair": repair.pk,
        "number": repair.number,
        "description": repair.description,
        "requested_at": request.requested_at.isoformat(),
        "fee_yuan": str(repair.quoted_fee_yuan) if repair.quoted_fee_yuan is not None else None,
    }


def resident_sign(*, household: Household, repair_id: Any, signature: Any, now: datetime) -> RepairSignature:
    """The household's resident signs the repair order on their phone (R10). Append-only; 404 for a repair
    of another household or one without a pending request."""
    request = household_sign_request(household, repair_id)
    checked = check_signature(signature, "signature")
    repair = request.repair
    name = repair.display_customer or household.name or _("客户")
    with transaction.atomic():
        locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.signed_at is not None:
            raise NotPossible(_("已签名"))
        stored = RepairSignature.store(
            checked.content,
            repair=repair,
            role=SignerRole.CUSTOMER,
            signer_name=str(name)[:50],
            signed_at=now,
            collected_by=locked.requested_by,
        )
        locked.signed_at = now
        locked.signature = stored
        locked.save(update_fields=["signed_at", "signature"])
        record(
            subject=repair,
            verb="repair.signed",
            actor=None,
            at=now,
            data={
                "role": SignerRole.CUSTOMER,
                "signature": stored.pk,
                "sha256": checked.sha256,
                "by": "customer",
                "on": "phone",
            },
        )
    return stored
