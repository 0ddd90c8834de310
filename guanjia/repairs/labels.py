"""Words for the timeline verbs repairs write (registered in RepairsConfig.ready); status changes read as
the status (``register_status_verbs``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Timeline verbs of an order that are not status changes (those are labelled by the status).
VERB_LABELS: dict[str, Any] = {
    "repair.logged": _("登记报修"),
    "repair.dispatched": _("派至部门"),
    "repair.items_set": _("填写实际项目"),
    "repair.materials_checked": _("检验客户自备材料"),
    "repair.signed": _("签名"),
    "repair.photo_added": _("上传照片"),
    "repair.note_added": _("维保跟进记录"),
    "repair.payment_recorded": _("登记收费"),
    "repair.handed_to_finance": _("收费交财务"),
    "price_item.fee_changed": _("修改维修收费标准"),
}
