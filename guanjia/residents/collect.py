"""Collect and invite: the household's parcels waiting at the desk (F02), visitor passes (F01), the estate's
posted notices (F12) and the household's fee notices (F13, read only).

The desk finds a pickup code by its keyed hash (``frontdesk``) and keeps the code itself only sealed
(``frontdesk.sealed_codes``), opened here for the item's own household: the list shows the code the text
message carried, with its QR, which the desk scans or types (``find_by_pickup_code``). An item whose code is
not sealed (registered before codes were, or sealed under a key since rotated away) lists none; the resident
then asks for a fresh one (the old one stops working).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.dutylog.models import FeeNotice, Notice, NoticeStatus
from guanjia.frontdesk import sealed_codes
from guanjia.frontdesk.models import PICKUP_KINDS, RETURNABLE_KINDS, CustodyItem, CustodyStatus, VisitorPass
from guanjia.frontdesk.services import visitor_pass_create
from guanjia.frontdesk.services.custody import _give_code
from guanjia.residents.households import Household
from guanjia.timeline.services import record

LIST_LIMIT = 50


def _local(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# --- parcels (F02) ---------------------------------------------------------------------------------------------


def household_parcels(household: Household) -> QuerySet[CustodyItem]:
    """What waits at the desk for the resident or their homes."""
    return (
        CustodyItem.objects.filter(status=CustodyStatus.HELD, kind__in=list(PICKUP_KINDS))
        .filter(Q(owner_customer_id__in=household.customer_ids) | Q(owner_unit_id__in=household.unit_ids))
        .select_related("owner_unit__building", "project")
        .order_by("-received_at", "-pk")
    )


def parcel_payload(item: CustodyItem, code: str = "") -> dict[str, Any]:
    """``item`` as its household sees it (``household_parcels`` only): with ``code`` when one was just issued,
    else the code it carries now, if it can be opened."""
    code = code or sealed_codes.unseal(item.pk, item.pickup_code_sealed) or ""
    return {
        "id": item.pk,
        "kind": item.get_kind_display(),
        "description": item.description,
        "project": item.project.name,
        "unit": str(item.owner_unit) if item.owner_unit_id else "",
        "received_at": _local(item.received_at),
        "pickup_code": code or None,
        "code_sent_to": item.code_sent_to,
    }


def parcel_code(*, household: Household, pk: Any, now: datetime) -> tuple[CustodyItem, str]:
    """Issue a fresh pickup code for one of the household's waiting items (404 for any other item)."""
    try:
        item = household_parcels(household).get(pk=int(pk))
    except (ValueError, TypeError, CustodyItem.DoesNotExist):
        raise Http404 from None
    with transaction.atomic():
        code = _give_code(item, send=False, now=now)
        record(subject=item, verb="custody.code_issued", actor=None, at=now, data={"by": "customer", "sent": False})
    return item, code


def qr_svg(text: str) -> str:
    """An inline SVG QR code of ``text``, drawn here (no image service, no network)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def household_keys_and_loans(household: Household) -> QuerySet[CustodyItem]:
    """Keys the household entrusted to the desk and things it has on loan (F04, F05)."""
    return (
        CustodyItem.objects.filter(
            kind__in=list(RETURNABLE_KINDS), status__in=[CustodyStatus.HELD, CustodyStatus.HANDED_OVER]
        )
        .filter(Q(owner_customer_id__in=household.customer_ids) | Q(owner_unit_id__in=household.unit_ids))
        .select_related("owner_unit__building", "project")
        .order_by("-received_at", "-pk")
    )


def kept_payload(item: CustodyItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.get_kind_display(),
        "description": item.description,
        "status": item.get_status_display(),
        "out": item.status == CustodyStatus.HANDED_OVER,
        "due_back_at": _local(item.due_back_at),
    }


# --- visitor passes (F01) -------------------------------------------------------------------------------------


def household_passes(household: Household) -> QuerySet[VisitorPass]:
    return (
        VisitorPass.objects.filter(unit_id__in=household.unit_ids)
        .select_related("unit__building")
        .order_by("-valid_on", "-pk")
    )


def pass_payload(visitor_pass: VisitorPass, code: str = "") -> dict[str, Any]:
    return {
        "id": visitor_pass.pk,
        "visitor_name": visitor_pass.visitor_name,
        "visit_date": visitor_pass.valid_on.isoformat(),
        "unit": str(visitor_pass.unit),
        "used": visitor_pass.used_at is not None,
        "code": code or None,
    }


def pass_create(*, household: Household, unit: Any, visitor_name: Any, visit_date: Any) -> tuple[VisitorPass, str]:
    """A pass for a visitor of one of the resident's homes, through the desk's own service (F01)."""
    home = household.unit(unit)
    if not isinstance(visit_date, date):
        raise ValidationError({"visit_date": [_("请选择来访日期")]})
    try:
        issued = visitor_pass_create(
            project=home.project,
            unit=home,
            visitor_name=visitor_name,
            valid_on=visit_date,
            actor=None,
            customer=household.customer_for(home),
        )
    except ValidationError as exc:
        # The desk's service names its own fields; the resident's API calls the date ``visit_date``.
        errors = {("visit_date" if k == "valid_on" else k): v for k, v in exc.message_dict.items()}
        raise ValidationError(errors) from None
    return issued.obj, issued.code


# --- notices (F12) and fees (F13) -----------------------------------------------------------------------------


def household_notices(household: Household) -> QuerySet[Notice]:
    projects = {r.unit.project_id for r in household.residencies}
    return Notice.objects.filter(project_id__in=projects, status=NoticeStatus.POSTED).order_by("-posted_at", "-pk")


def notice_payload(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.get_kind_display(),
        "title": notice.title,
        "body": notice.body,
        "posted_at": _local(notice.posted_at),
    }


def household_fees(household: Household) -> QuerySet[FeeNotice]:
    return (
        FeeNotice.objects.filter(unit_id__in=household.unit_ids)
        .select_related("unit__building")
        .order_by("paid_at", "-period", "pk")
    )


def fee_payload(fee: FeeNotice) -> dict[str, Any]:
    return {
        "id": fee.pk,
        "unit": str(fee.unit),
        "period": fee.period,
        "kind": fee.get_kind_display(),
        "amount": str(fee.amount),
        "paid": fee.paid_at is not None,
        "sent_at": _local(fee.sent_at),
    }
