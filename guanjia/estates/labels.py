"""Words for the timeline verbs of the estate archive (registered in EstatesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Timeline verbs of the estate archive, and of revealing personal data (O04).
VERB_LABELS: dict[str, Any] = {
    "company.renamed": _("修改公司名称"),
    "project.created": _("新建项目"),
    "project.updated": _("修改项目资料"),
    "project.retired": _("停用项目"),
    "building.created": _("新建楼栋"),
    "building.updated": _("修改楼栋"),
    "building.retired": _("停用楼栋"),
    "unit.created": _("新建房屋"),
    "unit.updated": _("修改房屋资料"),
    "unit.retired": _("停用房屋"),
    "customer.created": _("建立客户档案"),
    "customer.updated": _("修改客户资料"),
    "customer.moved_in": _("客户入住"),
    "customer.moved_out": _("客户迁出"),
    "pii.phone_revealed": _("查看完整电话号码"),
    "unit.status_changed": _("房屋状态变更"),
    "roster.imported": _("导入花名册"),
}
