"""Words for the timeline verbs of the policy settings (registered in PolicyConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "policy.set": _("修改制度参数"),
    "policy.reset": _("恢复默认"),
}
