"""S06: the purge of records whose retention has ended — deliberate, batched, and on the record."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import FileField, Model, ProtectedError, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_purge_records
from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline
from guanjia.complaints.models import Complaint
from guanjia.estates.models import Project
from guanjia.exports.models import RetentionKind, RetentionPurge
from guanjia.exports.services import ExportError
from guanjia.frontdesk.models import CustodyItem, CustodyStatus, Visitor, VisitorPass
from guanjia.timeline.services import record
from guanjia.visits.models import HouseholdVisitCampaign, ReturnVisit, VisitSignature, VisitStatus

logger = logging.getLogger(__name__)

#: Default retention in days; None means kept long-term (never purged). ``settings.RETENTION_DAYS`` may
#: override a kind, e.g. {"complaints": 3650} to allow purging complaint forms after ten years.
DEFAULT_RETENTION_DAYS: dict[str, int | None] = {
    RetentionKind.RETURN_VISITS: 730,  # S06, V10: visit records at least 2 years
    RetentionKind.LEDGERS: 730,
    RetentionKind.COMPLAINTS: None,  # S06: complaint forms long-term
}
#: Who may delete after retention: the office manager and the general manager (S06 "deliberate").
PURGE_BATCH = 1000


def retention_days(kind: str) -> int | None:
    """Days ``kind`` is kept; configuration may lengthen a retention or allow purging complaint forms, never
    shorten the rule's minimum."""
    default = DEFAULT_RETENTION_DAYS.get(kind)
    configured: dict[str, int | None] = getattr(settings, "RETENTION_DAYS", {})
    if kind not in configured:
        return default
    days = configured[kind]
    if days is None or default is None:
        return days
    return max(days, default)


def retention_oldest_allowed(kind: str, today: date) -> date | None:
    """The latest ``before`` date a purge of ``kind`` may use today; None when the kind is never purged."""
    days = retention_days(kind)
    return None if days is None else today - timedelta(days=days)


def _purge_targets(project: Project, kind: str, before: date) -> list[QuerySet[Any]]:
    before_at = timezone.make_aware(datetime.combine(before, time.min))
    if kind == RetentionKind.RETURN_VISITS:
        finished = (VisitStatus.DONE, VisitStatus.MISSED, VisitStatus.CANCELLED)
        return [
            ReturnVisit.objects.filter(project=project, status__in=finished)
            .annotate(ended=Coalesce("done_at", "due_at", "planned_at"))
            .filter(ended__lt=before_at),
            HouseholdVisitCampaign.objects.filter(project=project, end__lt=before),
        ]
    if kind == RetentionKind.LEDGERS:
        return [
            CustodyItem.objects.filter(project=project, received_at__lt=before_at).exclude(status=CustodyStatus.HELD),
            Visitor.objects.filter(project=project, arrived_at__lt=before_at),
            VisitorPass.objects.filter(project=project, valid_on__lt=before),
        ]
    return [
        Complaint.objects.filter(case_kind("complaint").done_q(), project=project).filter(
            Q(completed_at__lt=before_at) | Q(completed_at__isnull=True, received_at__lt=before_at)
        )
    ]


@dataclass(frozen=True)
class PurgeResult:
    counts: dict[str, int]
    dry_run: bool
    purge: RetentionPurge | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def retention_purge(
    *,
    project: Project,
    kind: str,
    before: date,
    actor: Any,
    reason: str,
    dry_run: bool = False,
    today: date | None = None,
) -> PurgeResult:
    """S06: delete ``kind`` records of ``project`` older than ``before``, deliberately and on the record.

    Refuses (ExportError naming the field) a date inside the retention period and complaint forms entirely
    unless a retention is configured for them; ``dry_run`` only counts. The deletion runs in batches in one
    transaction with its RetentionPurge row and timeline event, so it happens and is recorded, or neither.
    Raises PermissionError for anyone but the office manager or general manager of the project.
    """
    if not can_purge_records(actor, project):
        raise PermissionError("may not purge records")
    if kind not in RetentionKind.values:
        raise ExportError(_("未知记录类别"), "kind")
    today = today or timezone.localdate()
    latest = retention_oldest_allowed(kind, today)
    if latest is None:
        raise ExportError(_("投诉处理单长期保存，不能删除"), "kind")
    if before > latest:
        days = retention_days(kind)
        raise ExportError(
            _("保存期限为 %(days)s 天：只能删除 %(date)s 之前的记录") % {"days": days, "date": latest.isoformat()},
            "before",
        )
    reason = (reason or "").strip()
    if not dry_run and not reason:
        raise ExportError(_("请填写删除原因"), "reason")
    targets = _purge_targets(project, kind, before)
    if dry_run:
        return PurgeResult({_label(qs): qs.count() for qs in targets}, True, None)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for queryset in targets:
                counts[_label(queryset)] = _delete_in_batches(queryset)
            purge = RetentionPurge.objects.create(
                project=project,
                kind=kind,
                before=before,
                retention_days=retention_days(kind) or 0,
                counts=counts,
                reason=reason,
                actor=actor,
                at=timezone.now(),
            )
            record(
                subject=purge,
                verb="retention.purged",
                actor=actor,
                project=project,
                data={"kind": kind, "before": before.isoformat(), "counts": counts},
                reason=reason,
            )
    except ProtectedError:
        raise ExportError(_("部分记录仍被其他记录引用，未删除任何记录"), "kind") from None
    return PurgeResult(counts, False, purge)


def _label(queryset: QuerySet[Any]) -> str:
    meta = queryset.model._meta
    return f"{meta.app_label}.{meta.model_name}"


def _delete_in_batches(queryset: QuerySet[Any]) -> int:
    model: type[Model] = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return deleted
        # Time limits point at their subject generically (no foreign key to cascade): they go with it.
        Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids).delete()
        files = _stored_files(model, ids)
        if model is ReturnVisit:
            files += _purge_visit_signatures(ids)
        model._default_manager.filter(pk__in=ids).delete()
        # A purged record's files (a visit's signature) leave the storage too, once the purge has committed.
        transaction.on_commit(partial(_delete_stored_files, files))
        deleted += len(ids)


def _purge_visit_signatures(visit_ids: list[Any]) -> list[tuple[Storage, str]]:
    """The signatures of purged visits, with their files. Evidence is append-only and never deleted, except by
    S06's purge: the retention of a visit record covers its signature, so it goes with its visit, deliberately
    and on the record (the base queryset's delete, past the append-only guard, on purpose and only here)."""
    signatures = VisitSignature.objects.filter(visit_id__in=visit_ids)
    files = _stored_files(VisitSignature, list(signatures.values_list("pk", flat=True)))
    QuerySet.delete(signatures)
    return files


def _stored_files(model: type[Model], ids: list[Any]) -> list[tuple[Storage, str]]:
    fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
    if not fields:
        return []
    rows = model._default_manager.filter(pk__in=ids).values_list(*(f.attname for f in fields))
    return [(field.storage, name) for row in rows for field, name in zip(fields, row, strict=True) if name]


def _delete_stored_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # a file the store cannot delete now must not undo a recorded purge
            logger.warning("retention purge: could not delete stored file %s", name, exc_info=True)
