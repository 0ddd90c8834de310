"""Retention (S06): the front-desk ledgers older than the kept period are purged, once, with a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanjia.accounts.access import can_purge_ledgers
from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.frontdesk import policy
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorPass, VisitorStatus
from guanjia.frontdesk.services._common import _require
from guanjia.timeline.services import record

# --- Retention (S06) --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    visitors: int
    visitor_passes: int
    custody_items: int
    visitors_before: datetime
    custody_before: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "visitors": self.visitors,
            "visitor_passes": self.visitor_passes,
            "custody_items": self.custody_items,
            "visitors_before": self.visitors_before.isoformat(),
            "custody_before": self.custody_before.isoformat(),
        }


def ledgers_purge(
    *, project: Project, actor: User | None, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete the visitor log and the closed custody entries of ``project`` older than their retention
    (S06), and record what was deleted (counts and cut-off dates, by whom) on the project's timeline.

    Only closed entries go: a visitor still inside or an item still held or out is kept whatever its age.
    ``actor`` None is the system (a scheduled command); a person must be a manager of the project.
    """
    if actor is not None:
        _require(can_purge_ledgers(actor, project))
    now = now or timezone.now()
    visitors_before = now - policy.retention("FRONTDESK_VISITOR_RETENTION_DAYS")
    custody_before = now - policy.retention("FRONTDESK_CUSTODY_RETENTION_DAYS")
    visitors = Visitor.objects.filter(
        project=project, arrived_at__lt=visitors_before, status__in=[VisitorStatus.LEFT, VisitorStatus.REFUSED]
    )
    passes = VisitorPass.objects.filter(project=project, valid_on__lt=timezone.localdate(visitors_before))
    items = CustodyItem.objects.filter(
        project=project,
        received_at__lt=custody_before,
        status__in=[CustodyStatus.HANDED_OVER, CustodyStatus.RETURNED, CustodyStatus.RELEASED, CustodyStatus.DISPOSED],
    ).exclude(kind__in=[CustodyKind.KEY, CustodyKind.LOAN], status=CustodyStatus.HANDED_OVER)
    with transaction.atomic():
        counts = (visitors.count(), passes.count(), items.count())
        result = PurgeResult(counts[0], counts[1], counts[2], visitors_before, custody_before)
        if dry_run:
            return result
        visitors.delete()
        passes.delete()
        items.delete()
        record(
            subject=project,
            verb="frontdesk.ledgers_purged",
            actor=actor,
            project=project,
            at=now,
            data=result.as_dict(),
        )
    return result
