"""Words for the timeline verbs of the follow-up service (registered in FollowupConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from guanjia.followup.models import IssueStatus

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
    "followup.template_created": gettext_lazy("新建跟踪计划模板"),
    "followup.plan_applied": gettext_lazy("制定跟踪计划"),
    "followup.plan_done": gettext_lazy("跟踪计划完成"),
    "followup.activity_created": gettext_lazy("新建客户活动"),
    "followup.letter_registered": gettext_lazy("信函登记"),
    "followup.survey_created": gettext_lazy("新建满意度问卷"),
    "followup.survey_round_opened": gettext_lazy("开始新一轮问卷"),
    "followup.survey_answered": gettext_lazy("收到问卷答卷"),
}

#: ``f"followup.issue_{to}"``: an issue's status change reads as the status unless labelled above.
VERB_FAMILIES: dict[str, type[models.TextChoices]] = {"followup.issue_": IssueStatus}
