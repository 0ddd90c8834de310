"""Reads of the counter's daily work (F08–F14). Project-level functions take a project the caller has
already checked against the access policy (``request.project`` or ``get_for_user``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.dutylog.models import (
    Booking,
    CallRecord,
    ChecklistItem,
    CheckResult,
    CollectionPlan,
    DutyLogEntry,
    FeeNotice,
    FollowUpTask,
    Handover,
    HandoverStatus,
    Notice,
    NoticeStatus,
    ParkingSpace,
    Phrase,
    Relay,
    RelayStatus,
    Shift,
)
from guanjia.estates.models import Project, Unit

#: The handover sheet lists case deadlines falling due within this many hours (F09).
DEFAULT_HANDOVER_HOURS = 12
#: How long after its end a shift without a signed handover is flagged.
UNSIGNED_GRACE = timedelta(minutes=30)


# --- F08 -------------------------------------------------------------------------------------------------
def current_shift(project: Project, now: datetime) -> Shift | None:
    """The shift running at ``now`` (the latest started, if shifts overlap at a change)."""
    return (
        Shift.objects.filter(project=project, starts_at__lte=now, ends_at__gt=now)
        .prefetch_related("on_duty")
        .order_by("-starts_at", "-id")
        .first()
    )


def recent_shifts(project: Project, limit: int = 10) -> QuerySet[Shift]:
    return (
        Shift.objects.filter(project=project)
        .select_related("handover__signed_by", "handover__submitted_by")
        .order_by("-starts_at", "-id")[:limit]
    )


def checklist_of(shift: Shift) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(shift=shift).select_related("checked_by"))


def entries_of(shift: Shift) -> QuerySet[DutyLogEntry]:
    return DutyLogEntry.objects.filter(shift=shift).select_related("author", "closed_by").order_by("-at", "-id")


def open_matters(project: Project) -> QuerySet[DutyLogEntry]:
    """Log entries flagged open and not closed: they carry over from shift to shift (F09)."""
    return (
        DutyLogEntry.objects.filter(project=project, is_open=True, closed_at__isnull=True)
        .select_related("author", "shift")
        .order_by("at", "id")
    )


def anomalies_needing_repair(project: Project) -> QuerySet[ChecklistItem]:
    """Anomalies sent to repair whose order number is not known yet (待开维修单), and anomalies not sent."""
    return (
        ChecklistItem.objects.filter(shift__project=project, result=CheckResult.ANOMALY, repair_ref="")
        .select_related("shift", "checked_by")
        .order_by("checked_at", "id")
    )


# --- F09 -------------------------------------------------------------------------------------------------
@dataclass
class HandoverSheet:
    """What the outgoing shift hands over, read live. ``as_json`` is what the snapshot stores."""

    project: Project
    shift: Shift | None
    now: datetime
    hours: int
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    custody_out: list[dict[str, Any]] = field(default_factory=list)
    custody_waiting: list[dict[str, Any]] = field(default_factory=list)
    visitors: list[dict[str, Any]] = field(default_factory=list)
    open_entries: list[DutyLogEntry] = field(default_factory=list)
    repairs_pending: list[ChecklistItem] = field(default_factory=list)
    relays_unread: list[Relay] = field(default_factory=list)
    tasks_open: list[FollowUpTask] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "deadlines": len(self.deadlines),
            "custody_out": len(self.custody_out),
            "custody_waiting": len(self.custody_waiting),
            "visitors": len(self.visitors),
            "open_matters": len(self.open_entries),
            "repairs_pending": len(self.repairs_pending),
            "relays_unread": len(self.relays_unread),
            "tasks_open": len(self.tasks_open),
        }

    def as_json(self) -> dict[str, Any]:
        def t(value: datetime | None) -> str | None:
            return timezone.localtime(value).isoformat() if value else None

        return {
            "project": self.project.pk,
            "shift": self.shift.pk if self.shift else None,
            "taken_at": t(self.now),
            "hours": self.hours,
            "deadlines": [{**d, "due_at": t(d["due_at"])} for d in self.deadlines],
            "custody_out": [
                {**c, "since": t(c["since"]), "due_back_at": t(c["due_back_at"])} for c in self.custody_out
            ],
            "custody_waiting": [
                {**c, "since": t(c["since"]), "due_back_at": t(c["due_back_at"])} for c in self.custody_waiting
            ],
            "visitors": [{**v, "since": t(v["since"])} for v in self.visitors],
            "open_matters": [
                {"id": e.pk, "at": t(e.at), "text": e.text, "author": e.author.display_name} for e in self.open_entries
            ],
            "repairs_pending": [
                {
                    "id": c.pk,
                    "area": str(c.get_area_display()),
                    "note": c.note,
                    "requested": c.repair_requested_at is not None,
                }
                for c in self.repairs_pending
            ],
            "relays_unread": [
                {"id": r.pk, "to": r.to_user.display_name, "message": r.message} for r in self.relays_unread
            ],
            "tasks_open": [
                {"id": k.pk, "question": k.question, "assignee": k.assignee.display_name, "due_at": t(k.due_at)}
                for k in self.tasks_open
            ],
            "counts": self.counts(),
        }


def case_deadlines_due(project: Project, now: datetime, hours: int) -> list[dict[str, Any]]:
    """Pending case limits of ``project`` due before ``now + hours`` (overdue ones included), with the case's
    number: two queries plus one per kind of case."""
    rows = list(
        Deadline.objects.filter(project=project, state=DeadlineState.PENDING, due_at__lt=now + timedelta(hours=hours))
        .select_related("subject_type")
        .prefetch_related("subject")
        .order_by("due_at", "id")[:100]
    )
    result = []
    for d in rows:
        subject = d.subject
        model = d.subject_type.model_class()
        result.append(
            {
                "id": d.pk,
                "kind": d.kind_label,
                "case_type": str(model._meta.verbose_name) if model is not None else "",
                "number": getattr(subject, "number", "") or str(subject or ""),
                "summary": (getattr(subject, "description", "") or "")[:60],
                "due_at": d.due_at,
                "overdue": d.due_at <= now,
                "url": _url_of(subject),
            }
        )
    return result


def _url_of(subject: Any) -> str:
    """The case page of ``subject`` (``<app>:detail``), or "" where that app has no such page."""
    if subject is None:
        return ""
    try:
        return reverse(f"{subject._meta.app_label}:detail", args=[subject.pk])
    except NoReverseMatch:
        return ""


def _custody(project: Project) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(out: keys and loans out; waiting: parcels, mail, items and keys at the desk) from the front-desk
    ledger (F02–F05)."""
    from guanjia.frontdesk.selectors import open_custody_items

    out: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    for item in open_custody_items(project):
        row = {
            "id": item.pk,
            "kind": str(item.get_kind_display()),
            "what": item.description,
            "whose": item.owner_label,
            "shelf": item.shelf,
            "since": item.handed_over_at if item.is_out else item.received_at,
            "due_back_at": item.due_back_at,
        }
        (out if item.is_out else waiting).append(row)
    return out, waiting


def _visitors(project: Project) -> list[dict[str, Any]]:
    from guanjia.frontdesk.selectors import visitors_inside

    return [
        {
            "id": v.pk,
            "name": v.name,
            "party_size": v.party_size,
            "host": v.host_unit.number if v.host_unit_id and v.host_unit else "",
            "status": str(v.get_status_display()),
            "since": v.admitted_at or v.arrived_at,
        }
        for v in visitors_inside(project)
    ]


def handover_sheet(
    *, project: Project, shift: Shift | None, now: datetime, hours: int = DEFAULT_HANDOVER_HOURS
) -> HandoverSheet:
    """The live handover sheet of ``project``: a fixed number of queries, whatever the volume."""
    out, waiting = _custody(project)
    return HandoverSheet(
        project=project,
        shift=shift,
        now=now,
        hours=hours,
        deadlines=case_deadlines_due(project, now, hours),
        custody_out=out,
        custody_waiting=waiting,
        visitors=_visitors(project),
        open_entries=list(open_matters(project)),
        repairs_pending=list(anomalies_needing_repair(project)),
        relays_unread=list(unread_relays(project)),
        tasks_open=list(open_tasks(project)),
    )


def unsigned_shifts(*, now: datetime, project: Project | None = None, limit: int = 50) -> QuerySet[Shift]:
    """Shifts that ended more than 30 minutes ago whose handover is missing or not signed (F09). Only the
    last two days count: older gaps are history, not something the desk can still fix."""
    rows = Shift.objects.filter(ends_at__lte=now - UNSIGNED_GRACE, ends_at__gte=now - timedelta(days=2)).exclude(
        handover__status=HandoverStatus.SIGNED
    )
    if project is not None:
        rows = rows.filter(project=project)
    return rows.select_related("project", "handover").order_by("ends_at", "id")[:limit]


def snapshot_of(handover: Handover) -> dict[str, Any]:
    snap = handover.snapshots.order_by("-taken_at", "-id").first()
    return snap.data if snap else {}


# --- F10 -------------------------------------------------------------------------------------------------
def calls_of(project: Project, *, since: datetime | None = None, limit: int = 50) -> QuerySet[CallRecord]:
    rows = CallRecord.objects.filter(project=project)
    if since is not None:
        rows = rows.filter(at__gte=since)
    return (
        rows.select_related("answered_by", "customer")
        .prefetch_related(Prefetch("relays", queryset=Relay.objects.select_related("to_user")))
        .order_by("-at", "-id")[:limit]
    )


def unread_relays(project: Project) -> QuerySet[Relay]:
    return (
        Relay.objects.filter(project=project, status=RelayStatus.SENT)
        .select_related("to_user", "sent_by", "call")
        .order_by("sent_at", "id")
    )


def relays_for(user: Any, project: Project, limit: int = 30) -> QuerySet[Relay]:
    """Relays to ``user`` in ``project``, unread first."""
    return (
        Relay.objects.filter(project=project, to_user=user)
        .select_related("sent_by", "call")
        .order_by("-status", "-sent_at")[:limit]
    )


def open_tasks(project: Project) -> QuerySet[FollowUpTask]:
    return (
        FollowUpTask.objects.filter(project=project, done_at__isnull=True)
        .select_related("assignee", "created_by", "call")
        .order_by("due_at", "id")
    )


# --- F14 -------------------------------------------------------------------------------------------------
def phrases_for(project: Project, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    """The standard phrases of ``project`` (the manual's and its own), with ``{office}`` and ``{phone}``
    filled in, grouped in the category order."""
    from guanjia.dutylog.models import PhraseCategory

    rows = Phrase.objects.filter(Q(project__isnull=True) | Q(project=project))
    if not include_hidden:
        rows = rows.filter(active=True)
    order = {c: i for i, c in enumerate(PhraseCategory.values)}
    office = project.name
    phone = project.phone or ""
    result = []
    for p in sorted(rows, key=lambda p: (order.get(p.category, 99), p.position, p.pk)):
        result.append(
            {
                "phrase": p,
                "category": p.get_category_display(),
                "text": p.text.replace("{office}", office).replace("{phone}", phone),
            }
        )
    return result


# --- F11 -------------------------------------------------------------------------------------------------
def bookings_of(project: Project, *, since: datetime, limit: int = 100) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(project=project, ends_at__gte=since)
        .select_related("room", "requested_by", "decided_by", "checked_by")
        .order_by("starts_at", "id")[:limit]
    )


# --- F12 -------------------------------------------------------------------------------------------------
def notices_of(project: Project, *, include_archived: bool = False, limit: int = 100) -> QuerySet[Notice]:
    rows = Notice.objects.filter(project=project)
    if not include_archived:
        rows = rows.exclude(status=NoticeStatus.ARCHIVED)
    return rows.select_related("drafted_by", "approved_by", "taken_down_by").order_by("-drafted_at", "-id")[:limit]


def notices_due_down(project: Project, now: datetime) -> QuerySet[Notice]:
    """Posted notices whose take-down time has come (by the end of today)."""
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    return Notice.objects.filter(project=project, status=NoticeStatus.POSTED, take_down_due__lte=end_of_day).order_by(
        "take_down_due", "id"
    )


# --- F13 -------------------------------------------------------------------------------------------------
def arrears(project: Project, limit: int = 200) -> list[dict[str, Any]]:
    """Units with unpaid fee notices: total owed, how many notices, the oldest period, the open plan."""
    rows = list(
        FeeNotice.objects.filter(project=project, paid_at__isnull=True)
        .values("unit_id")
        .annotate(total=Sum("amount"), n=Count("id"), oldest=Min("period"))
        .order_by("-total", "unit_id")[:limit]
    )
    units = Unit.objects.select_related("building").in_bulk([r["unit_id"] for r in rows])
    plans = {
        p.unit_id: p
        for p in CollectionPlan.objects.filter(unit_id__in=units, closed_at__isnull=True)
        .select_related("owner")
        .prefetch_related("records")
    }
    for r in rows:
        r["unit"] = units.get(r["unit_id"])
        r["plan"] = plans.get(r["unit_id"])
    return rows


def unpaid_notices(project: Project, limit: int = 200) -> QuerySet[FeeNotice]:
    return (
        FeeNotice.objects.filter(project=project, paid_at__isnull=True)
        .select_related("unit__building")
        .order_by("unit_id", "period", "kind")[:limit]
    )


def recent_fee_notices(project: Project, limit: int = 30) -> QuerySet[FeeNotice]:
    return (
        FeeNotice.objects.filter(project=project).select_related("unit__building").order_by("-sent_at", "-id")[:limit]
    )


def parking_spaces(project: Project) -> QuerySet[ParkingSpace]:
    return ParkingSpace.objects.filter(project=project).select_related("holder", "unit__building").order_by("number")
