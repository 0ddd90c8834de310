"""What the front-desk ledgers share: the issued codes (a keyed hash; a parcel's also sealed for its owner), the
checks of a unit and a customer of the project, and a message to a customer."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from guanjia.estates.models import Customer, CustomerPhone, Project, Residency, Unit
from guanjia.notifications.models import Delivery
from guanjia.notifications.outbox import send_sms

logger = logging.getLogger(__name__)

AGE_KIND = "custody_age"  # a parcel, letter or left item uncollected too long (F02)
DUE_KIND = "custody_due"  # a loan or key not back in time (F04, F05)
CODE_DIGITS = 6
_CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class Issued:
    """An item (or pass) and the plain code issued with it. Never stored in plain: the desk keeps a keyed hash,
    and a parcel's code is also kept sealed (``frontdesk.sealed_codes``) for its owner's phone alone."""

    obj: Any
    code: str


# --- Shared helpers ---------------------------------------------------------------------------------------


def code_hash(project_id: int, code: str) -> str:
    message = f"frontdesk:{project_id}:{code.strip()}".encode()
    return hmac.new(settings.PII_HASH_KEY.encode(), message, sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("无权操作本项目的前台台账"))


def _check_unit(project: Project, unit: Unit | None, field: str) -> None:
    if unit is not None and unit.project_id != project.pk:
        raise ValidationError({field: [_("房屋不属于本项目")]})


def _check_customer(project: Project, customer: Customer | None, field: str) -> None:
    if customer is not None and customer.project_id != project.pk:
        raise ValidationError({field: [_("客户不属于本项目")]})


def _resides(customer: Customer, unit: Unit) -> bool:
    return Residency.objects.filter(customer=customer, unit=unit, move_out_date__isnull=True).exists()


def send_to_customer(
    *, project: Project, phone: str, template: str, params: dict[str, str], now: datetime, ref: str = ""
) -> Delivery | None:
    """Queue a templated SMS to a customer through the outbox, in the caller's transaction (nothing leaves for
    a change that rolled back). The in-app inbox is for staff, so nothing is written there.

    Returns the ``Delivery`` whose status a page shows (``not_configured`` when no SMS provider is set: the text
    is then printed on the server console only), or None when there is no phone to send to.
    """
    if not phone:
        return None
    return send_sms(phone=phone, template=template, params=params, now=now, project=project, ref=ref, kind="frontdesk")


def unit_phone(unit: Unit) -> str:
    """The phone on file of ``unit``'s current residents: the first phone of the earliest registered resident
    who has one."""
    phone = (
        CustomerPhone.objects.filter(
            customer__residencies__unit=unit, customer__residencies__move_out_date__isnull=True
        )
        .order_by("customer__residencies__id", "position", "id")
        .values_list("number", flat=True)
        .first()
    )
    return phone or ""
