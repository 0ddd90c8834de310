"""Words for the timeline verbs of the duty log and the office's ledgers (registered in DutylogConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanjia.dutylog.models import BookingStatus, NoticeStatus

VERB_LABELS: dict[str, Any] = {
    "shift.opened": _("开班"),
    "shift.checked": _("巡查记录"),
    "shift.anomaly_to_repair": _("转报修"),
    "shift.repair_linked": _("关联报修单"),
    "dutylog.entry_added": _("记录值班日志"),
    "dutylog.entry_closed": _("值班事项已处理"),
    "handover.submitted": _("已交班，待接班签名"),
    "handover.signed": _("已接班签名"),
    "handover.flagged_unsigned": _("交接班未签名"),
    "call.recorded": _("登记来电"),
    "relay.sent": _("转告留言"),
    "relay.read": _("留言已读"),
    "task.created": _("布置跟进任务"),
    "task.done": _("跟进任务完成"),
    "phrase.added": _("新增常用语"),
    "phrase.shown": _("启用常用语"),
    "phrase.hidden": _("停用常用语"),
    "room.added": _("已添加会议室"),
    "booking.requested": _("申请预订会议室"),
    "notice.drafted": _("起草通知"),
    "fee.notice_sent": _("发缴费通知"),
    "fee.paid": _("已缴费"),
    "collection.opened": _("已建立催缴计划"),
    "collection.followed_up": _("催缴跟进记录"),
    "collection.closed": _("欠费已缴清"),
    "parking.added": _("登记车位"),
    "parking.holder_changed": _("车位使用人变更"),
}

#: ``f"booking.{to}"`` and ``f"notice.{to}"``: a booking's or a notice's status change reads as the status.
VERB_FAMILIES: dict[str, type[models.TextChoices]] = {"booking.": BookingStatus, "notice.": NoticeStatus}
