"""Words for the timeline verbs of the holiday calendar (registered in WorkdaysConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "calendar.day_set": _("设置日历"),
    "calendar.day_reset": _("恢复默认"),
    "calendar.notice_imported": _("粘贴国务院通知"),
    "calendar.year_confirmed": _("确认全年安排"),
    "calendar.synced": _("同步官方安排"),
}
