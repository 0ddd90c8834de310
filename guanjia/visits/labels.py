"""Words for the timeline verbs visits write (registered in VisitsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Timeline verbs of return visits and completed services.
VERB_LABELS: dict[str, Any] = {
    "visit.planned": _("计划回访"),
    "visit.attempt_failed": _("回访未接通"),
    "visit.done": _("已回访"),
    "visit.unsatisfied": _("不满意回访"),
    "visit.reviewed": _("主管审核"),
    "visit.overdue": _("回访逾期"),
    "visit.door_followup": _("上门跟进"),
    "visit.cancelled": _("取消回访"),
    "service.completed": _("服务完成"),
    "campaign.created": _("制定走访计划"),
    "campaign.household_visited": _("走访住户"),
    "campaign.issue_raised": _("走访发现问题"),
}

#: V07: where deadlines are listed.
DEADLINE_KIND_LABELS: dict[str, Any] = {"visit_followup": _("上门跟进")}
