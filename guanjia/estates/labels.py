"""Words for the timeline verbs of the estate archive (registered in EstatesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Timeline verbs of the estate archive, and of revealing personal data (O04).
VERB_LABELS: dict[str, Any] = {
    "customer.created": _("建立客户档案"),
    "customer.updated": _("修改客户资料"),
    "pii.phone_revealed": _("查看完整电话号码"),
    "unit.status_changed": _("房屋状态变更"),
}
