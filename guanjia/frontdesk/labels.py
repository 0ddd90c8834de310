"""Words for the timeline verbs and deadline kinds of the front-desk ledgers (registered in FrontdeskConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanjia.frontdesk.models import ArchiveEventKind, VisitorStatus

VERB_LABELS: dict[str, Any] = {
    "custody.received": _("前台收件"),
    "custody.code_issued": _("发送取件码"),
    "custody.handed_over": _("已交付"),
    "custody.lent": _("借出物品"),
    "custody.returned": _("归还物品"),
    "custody.key_issued": _("借出钥匙"),
    "custody.key_returned": _("交回钥匙"),
    "custody.slip_registered": _("开放行条"),
    "custody.released": _("已放行"),
    "custody.disposed": _("已处置"),
    "visitor.registered": _("访客登记"),
    "visitor.verified": _("核验访客证件"),
    "visitor_pass.created": _("业主预约通行码"),
    "frontdesk.ledgers_purged": _("删除到期台账"),
}

#: ``f"visitor.{to}"`` (a visitor's status change) and ``f"archive.{kind}"`` (F07's customer archive).
VERB_FAMILIES: dict[str, type[models.TextChoices]] = {"visitor.": VisitorStatus, "archive.": ArchiveEventKind}

#: The ledgers' limits where deadlines are listed.
DEADLINE_KIND_LABELS: dict[str, Any] = {
    "custody_age": _("物品滞留"),
    "custody_due": _("到期归还"),
}
