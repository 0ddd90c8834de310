"""Words for the timeline verbs of the follow-up service (registered in FollowupConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

VERB_LABELS: dict[str, Any] = {
    "followup.archive_opened": gettext_lazy("建立档案"),
    "followup.archive_updated": gettext_lazy("修改档案"),
    "followup.service_recorded": gettext_lazy("登记服务记录"),
    "followup.archive_completed": gettext_lazy("档案已建完"),
    "followup.call_done": gettext_lazy("通话已记录"),
    "followup.call_attempted": gettext_lazy("拨打未接通"),
    "followup.reassigned": gettext_lazy("临时指派给他人"),
    "followup.issue_raised": gettext_lazy("客户提出事项"),
    "followup.issue_escalated": gettext_lazy("上报主管"),
    "followup.issue_solved": gettext_lazy("找到解决办法"),
    "followup.issue_answered": gettext_lazy("已答复客户"),
    "followup.lead_created": gettext_lazy("登记意向客户"),
    "followup.lead_contacted": gettext_lazy("追踪联系"),
}
