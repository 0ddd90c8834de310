"""The project's price list (R05): a fee in yuan and the change of an item's fee."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_edit_price_list,
)
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Project
from guanjia.repairs.models import (
    PriceItem,
)
from guanjia.timeline.services import record

FEE_MAX = Decimal("9999999.99")


def parse_fee(raw: Any) -> Decimal:
    """A fee in yuan: a number ≥ 0 with at most two decimals, else ValidationError on ``fee_yuan``."""
    return clean.money(raw, "fee_yuan", maximum=FEE_MAX, label=_("收费"))


def price_item_set_fee(*, item: PriceItem, fee_yuan: Any, version: int, actor: Any) -> PriceItem:
    """Change the fee of ``item`` if nobody changed the item since ``version`` was read, else ConflictError.

    ``actor`` None is the system (imports); a person must manage the item's project (PermissionError).
    """
    if actor is not None and not can_edit_price_list(actor, item.project_id):
        raise PermissionError("actor may not edit this price list")
    fee = parse_fee(fee_yuan)
    with transaction.atomic():
        before = PriceItem.objects.filter(pk=item.pk).values_list("fee_yuan", flat=True).first()
        if PriceItem.objects.filter(pk=item.pk, version=version).update(fee_yuan=fee, version=version + 1) != 1:
            raise ConflictError(_("收费标准已被他人修改，请刷新后再试。"))
        record(
            subject=item,
            verb="price_item.fee_changed",
            actor=actor,
            project=Project(pk=item.project_id),  # the id is all the event needs; no query for the row
            data={"code": item.code, "from": str(before), "to": str(fee)},
        )
    item.refresh_from_db()
    return item
