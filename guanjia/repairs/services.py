"""Writes to the repair price list. Each change records a timeline event in the same transaction."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_manage_master_data, can_see_project
from guanjia.estates.models import Project
from guanjia.estates.services import ConflictError
from guanjia.repairs.models import PriceItem
from guanjia.timeline.services import record

FEE_MAX = Decimal("9999999.99")


def can_edit_price_list(user: Any, project_id: int) -> bool:
    """Managers of the project (the master-data roles, O04) keep its price list."""
    return can_manage_master_data(user) and can_see_project(user, project_id)


def parse_fee(raw: Any) -> Decimal:
    """A fee in yuan: a number ≥ 0 with at most two decimals, else ValidationError on ``fee_yuan``."""
    try:
        fee = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError({"fee_yuan": [_("收费须为数字，例如 35 或 12.50")]}) from None
    if not fee.is_finite() or fee.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({"fee_yuan": [_("收费须为数字，最多两位小数")]})
    if fee < 0:
        raise ValidationError({"fee_yuan": [_("收费不能为负数")]})
    if fee > FEE_MAX:
        raise ValidationError({"fee_yuan": [_("收费不能超过 %(max)s 元") % {"max": FEE_MAX}]})
    return fee.quantize(Decimal("0.01"))


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
