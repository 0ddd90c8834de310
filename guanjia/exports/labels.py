"""Words for the timeline verbs the exports app writes (registered in ExportsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "export.downloaded": _("导出表格"),
    "export.requested": _("申请导出"),
    "export.finished": _("导出完成"),
    "export.monthly_kept": _("保存月度导出"),
    "export.monthly_late": _("月度导出逾期未完成"),
    "retention.purged": _("删除到期记录"),
    "review.written": _("撰写回访工作总结"),
    "review.revised": _("修订回访工作总结"),
}
