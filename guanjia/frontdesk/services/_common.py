"""What the front-desk ledgers share: the issued codes (a keyed hash, shown once), the checks of a unit and a
customer of the project, and a message to a customer."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.estates.models import Customer, Project, Residency, Unit
from guanjia.notifications.backends import Message, deliver
from guanjia.notifications.models import Level

logger = logging.getLogger(__name__)

AGE_KIND = "custody_age"  # a parcel, letter or left item uncollected too long (F02)
DUE_KIND = "custody_due"  # a loan or key not back in time (F04, F05)
CODE_DIGITS = 6
_CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class Issued:
    """An item (or pass) and the plain code issued with it: shown once, never stored."""

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


def send_to_customer(*, project: Project, phone: str, name: str, title: str, body: str) -> bool:
    """Give a customer a short message through the external notification backends (SMS in production),
    after the commit. The in-app inbox is for staff, so nothing is written there.

    Sent at the urgent level because a gateway sends only that by default (``SmsBackend.levels``) and a
    pickup code is worthless if it never arrives. Returns False when there is no phone to send to.
    """
    if not phone:
        return False
    message = Message(
        recipient_id=0,  # not a member of staff
        recipient_name=name,
        email="",
        phone=phone,
        kind="frontdesk.customer_message",
        level=Level.URGENT,
        title=title,
        body=body,
        url="",
        project_id=project.pk,
    )
    transaction.on_commit(lambda: deliver([message]))
    return True
