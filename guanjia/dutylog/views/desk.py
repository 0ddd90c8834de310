"""The desk page (``duty:today``), the duty log (F08) and the shift handover (F09)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guanjia.accounts.access import get_for_user
from guanjia.cases.models import DEADLINE_KIND_LABELS
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import (
    CheckArea,
    ChecklistItem,
    DutyLogEntry,
    Handover,
    HandoverStatus,
    Shift,
    ShiftKind,
)
from guanjia.dutylog.views.common import (
    current_project,
    parse_when,
    project_staff,
    staff_member,
    write_view,
)

#: The usual shifts of a front desk: 白班 08:00–20:00, 夜班 20:00–08:00.
DAY_START, NIGHT_START = time(8), time(20)


def default_shift_times(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the ``kind`` shift that contains ``now`` (or starts next) in local time."""
    local = timezone.localtime(now)
    today = local.date()
    if kind == ShiftKind.NIGHT:
        start_day = today if local.time() >= DAY_START else today - timedelta(days=1)
        start = timezone.make_aware(datetime.combine(start_day, NIGHT_START))
        return start, start + timedelta(hours=12)
    if kind == ShiftKind.DAY:
        start = timezone.make_aware(datetime.combine(today, DAY_START))
        return start, start + timedelta(hours=12)
    return local.replace(second=0, microsecond=0), local.replace(second=0, microsecond=0) + timedelta(hours=8)


_TIME_KEYS = frozenset({"at", "due_at", "since", "due_back_at", "taken_at"})


#: Words the sheet keeps as they read when it was signed (in Chinese) or as a code: shown in the reader's language.
_WORD_KEYS = frozenset({"kind", "case_type", "status"})


def _words(value: str) -> str:
    """A kind of limit by its code (``custody_age``) or a label the frozen sheet kept (``物品滞留``), in words."""
    if value in DEADLINE_KIND_LABELS:
        return str(DEADLINE_KIND_LABELS[value])
    return gettext(value) if value else value


def _for_display(data: Any) -> Any:
    """The sheet's JSON with its ISO times turned back into datetimes for the template's date filter, and its
    kinds and statuses in words."""
    if isinstance(data, list):
        return [_for_display(v) for v in data]
    if isinstance(data, dict):
        return {
            k: (
                parse_datetime(v)
                if k in _TIME_KEYS and isinstance(v, str)
                else _words(v)
                if k in _WORD_KEYS and isinstance(v, str)
                else _for_display(v)
            )
            for k, v in data.items()
        }
    return data


def _shift(request: HttpRequest, pk: int) -> Shift:
    return get_for_user(Shift.objects.select_related("project"), request.user, pk)


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """The shift at a glance: checklist, log, open matters, calls, relays, tasks, handover status."""
    project = current_project(request)
    now = timezone.now()
    shift = selectors.current_shift(project, now)
    checks: dict[str, ChecklistItem] = {}
    entries: list[DutyLogEntry] = []
    if shift is not None:
        checks = {c.area: c for c in selectors.checklist_of(shift)}
        entries = list(selectors.entries_of(shift)[:30])
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = list(selectors.calls_of(project, since=day_start, limit=10))
    suggested = ShiftKind.DAY if DAY_START <= timezone.localtime(now).time() < NIGHT_START else ShiftKind.NIGHT
    context: dict[str, Any] = {
        "project": project,
        "now": now,
        "shift": shift,
        "checklist": [(value, label, checks.get(value)) for value, label in CheckArea.choices],
        "entries": entries,
        "open_matters": list(selectors.open_matters(project)),
        "repairs_pending": list(selectors.anomalies_needing_repair(project)),
        "calls": calls,
        "my_relays": [r for r in selectors.relays_for(request.user, project, limit=10) if r.read_at is None],
        "tasks": list(selectors.open_tasks(project)[:20]),
        "recent_shifts": list(selectors.recent_shifts(project, limit=6)),
        "unsigned": list(selectors.unsigned_shifts(now=now, project=project)),
        "phrases": selectors.phrases_for(project),
        "shift_kinds": ShiftKind.choices,
        "suggested_kind": suggested,
        "staff": project_staff(project),
    }
    return render(request, "dutylog/today.html", context)


@write_view("duty:today")
def shift_open(request: HttpRequest) -> str:
    project = current_project(request)
    kind = request.POST.get("kind", "")
    start, end = default_shift_times(kind, timezone.now())
    starts_at = parse_when(request.POST.get("starts_at"), "starts_at", required=False) or start
    ends_at = parse_when(request.POST.get("ends_at"), "ends_at", required=False) or end
    people = [
        u
        for raw in request.POST.getlist("on_duty")
        if (u := staff_member(project, raw, "on_duty", required=False)) is not None
    ]
    shift = services.shift_open(
        project=project,
        kind=kind,
        name=request.POST.get("name", ""),
        starts_at=starts_at,
        ends_at=ends_at,
        on_duty=people or [request.user],  # type: ignore[list-item]
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("%(shift)s 已开班。") % {"shift": shift.label}


@write_view("duty:today")
def check(request: HttpRequest, pk: int) -> HttpResponse | str:
    shift = _shift(request, pk)
    item = services.checklist_record(
        shift=shift,
        area=request.POST.get("area", ""),
        result=request.POST.get("result", ""),
        note=request.POST.get("note", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "dutylog/_check_row.html",
            {"shift": shift, "area": item.area, "label": item.get_area_display(), "item": item},
        )
    return ""


@write_view("duty:today")
def check_repair(request: HttpRequest, pk: int) -> str:
    item = get_for_user(
        ChecklistItem.objects.select_related("shift__project"), request.user, pk, field="shift__project"
    )
    item = services.checklist_request_repair(item=item, actor=request.user)  # type: ignore[arg-type]
    if item.repair_ref:
        return _("已生成维修单 %(number)s。") % {"number": item.repair_ref}
    return _("已记为“待开维修单”，请到报修登记后填写单号。")


@write_view("duty:today")
def check_link_repair(request: HttpRequest, pk: int) -> str:
    item = get_for_user(
        ChecklistItem.objects.select_related("shift__project"), request.user, pk, field="shift__project"
    )
    services.checklist_link_repair(item=item, repair_ref=request.POST.get("repair_ref", ""), actor=request.user)  # type: ignore[arg-type]
    return _("已填写维修单号。")


@write_view("duty:today")
def entry_add(request: HttpRequest, pk: int) -> str:
    shift = _shift(request, pk)
    services.log_entry_add(
        shift=shift,
        text=request.POST.get("text", ""),
        is_open=request.POST.get("is_open") == "1",
        actor=request.user,  # type: ignore[arg-type]
    )
    return ""


@write_view("duty:today")
def entry_close(request: HttpRequest, pk: int) -> str:
    entry = get_for_user(DutyLogEntry.objects.all(), request.user, pk)
    services.log_entry_close(entry=entry, note=request.POST.get("note", ""), actor=request.user)  # type: ignore[arg-type]
    return _("事项已关闭。")


@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """The handover sheet of a shift: live until submitted, the frozen snapshot afterwards."""
    shift = _shift(request, pk)
    now = timezone.now()
    record: Handover | None = Handover.objects.filter(shift=shift).select_related("submitted_by", "signed_by").first()
    context: dict[str, Any] = {"shift": shift, "handover": record, "now": now, "project": shift.project}
    if record is None:
        data = selectors.handover_sheet(project=shift.project, shift=shift, now=now).as_json()
    else:
        data = selectors.snapshot_of(record)
    context["sheet"] = _for_display(data)
    if record is not None:
        context["can_sign"] = record.status == HandoverStatus.SUBMITTED and record.submitted_by_id != request.user.pk
    context["late"] = record is None or record.status != HandoverStatus.SIGNED
    context["late"] = context["late"] and shift.ends_at <= now - selectors.UNSIGNED_GRACE
    return render(request, "dutylog/handover.html", context)


@write_view("duty:today")
def handover_submit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    services.handover_submit(
        shift=shift,
        open_matters=request.POST.get("open_matters", ""),
        custody_note=request.POST.get("custody_note", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("已交班，请接班人员核对后签名。"))
    return redirect("duty:handover", shift.pk)


@write_view("duty:today")
def handover_sign(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_user(Handover.objects.all(), request.user, pk)
    services.handover_sign(handover=record, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已签名接班。"))
    return redirect("duty:handover", record.shift_id)
