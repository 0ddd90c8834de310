"""Words for the timeline verbs of 人员管理 (registered in AccountsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "staff.created": _("新增人员"),
    "staff.updated": _("修改人员资料"),
    "staff.role_changed": _("岗位变更"),
    "staff.projects_changed": _("所属项目变更"),
    "staff.password_reset": _("重置密码"),
    "staff.password_changed": _("本人修改密码"),
    "staff.switched_off": _("停用账号"),
    "staff.switched_on": _("启用账号"),
    "staff.households_assigned": _("分配管家负责户"),
    "unit.butler_changed": _("更换管家"),
}
