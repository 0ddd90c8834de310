"""Words for the timeline verbs of the monthly reports (registered in ReportsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "report.analysis_saved": _("保存分析说明"),
    "report.sent": _("发送统计分析"),
}
