"""The customer archive (F07): move-in and move-out handovers, decoration and other events of a unit."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_record_archive
from guanjia.accounts.models import User
from guanjia.core import clean
from guanjia.estates.models import Customer, Residency, Unit
from guanjia.estates.services import ResidencyChange
from guanjia.frontdesk.models import ArchiveEvent, ArchiveEventKind
from guanjia.frontdesk.services._common import _check_customer, _require
from guanjia.timeline.services import record

# --- Customer archive (F07) ---------------------------------------------------------------------------------------


def archive_event_record(
    *,
    unit: Unit,
    kind: str,
    on: date,
    actor: User,
    customer: Customer | None = None,
    details: str = "",
    documents_note: str = "",
    approved: bool | None = None,
    application: ArchiveEvent | None = None,
    now: datetime | None = None,
) -> ArchiveEvent:
    """Record a move-in handover, a move-out, a decoration application or its review on the customer's and
    the unit's archive (F07). A review names the application it decides and whether it is approved."""
    project = unit.project
    _require(can_record_archive(actor, project))
    if kind not in ArchiveEventKind.values:
        raise ValidationError({"kind": [_("请选择档案事件类别")]})
    _check_customer(project, customer, "customer")
    if customer is not None and not Residency.objects.filter(customer=customer, unit=unit).exists():
        raise ValidationError({"customer": [_("该客户不是此房屋的住户")]})
    if on > timezone.localdate(now):
        raise ValidationError({"date": [_("日期不能晚于今天")]})
    if kind == ArchiveEventKind.DECORATION_REVIEW:
        if (
            application is None
            or application.unit_id != unit.pk
            or application.kind != (ArchiveEventKind.DECORATION_APPLICATION)
        ):
            raise ValidationError({"application": [_("请选择该房屋的装修申请")]})
        if approved is None:
            raise ValidationError({"approved": [_("请选择审核结果")]})
    else:
        approved, application = None, None
    with transaction.atomic():
        event = ArchiveEvent.objects.create(
            project=project,
            unit=unit,
            customer=customer,
            kind=kind,
            date=on,
            details=clean.text(details, "details", max_length=2000),
            documents_note=clean.text(documents_note, "documents_note"),
            approved=approved,
            application=application,
            recorded_by=actor,
        )
        data = {"kind": kind, "date": on.isoformat(), "archive_event": event.pk, "approved": approved}
        record(subject=unit, verb=f"archive.{kind}", actor=actor, project=project, data=data, at=now)
        if customer is not None:
            record(subject=customer, verb=f"archive.{kind}", actor=actor, project=project, data=data, at=now)
    return event


def archive_residency_change(change: ResidencyChange) -> None:
    """Hook of ``estates.services.customer_move_in`` / ``customer_move_out``: the move-in handover or the
    move-out goes into the customer's and the unit's archive (F07), in the transaction of the move."""
    kind = ArchiveEventKind.MOVE_IN_HANDOVER if change.kind == "move_in" else ArchiveEventKind.MOVE_OUT
    archive_event_record(
        unit=change.unit,
        customer=change.customer,
        kind=kind,
        on=change.on,
        details=change.details,
        documents_note=change.documents_note,
        actor=change.actor,
        now=change.now,
    )
