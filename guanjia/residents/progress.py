"""A case in plain words for the resident: received, dispatched, technician on the way, done.

The desk's statuses are many and speak the desk's language; a resident wants to know four things. Each internal
status maps to one plain step here and nowhere else. Staff are named by name only: never a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanjia.complaints.models import Complaint, ComplaintStatus
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.residents.models import OnlineReport

STEP_LABELS: dict[str, Any] = {
    "submitted": _("已提交，等待物业受理"),
    "received": _("物业已受理"),
    "dispatched": _("已派单处理"),
    "on_the_way": _("师傅已接单，正在上门"),
    "on_site": _("师傅已到场维修"),
    "done": _("已完成"),
    "closed": _("已结束"),
}

REPAIR_STEPS = ("received", "dispatched", "on_the_way", "on_site", "done")
COMPLAINT_STEPS = ("received", "dispatched", "done")

REPAIR_STEP_OF: dict[str, str] = {
    RepairStatus.LOGGED: "received",
    RepairStatus.ORDERED: "dispatched",
    RepairStatus.NOTIFIED: "dispatched",
    RepairStatus.QUOTED: "dispatched",
    RepairStatus.CONSENTED: "dispatched",
    RepairStatus.WITH_CONTRACTOR: "dispatched",
    RepairStatus.ACCEPTED: "on_the_way",
    RepairStatus.ARRIVED: "on_site",
    RepairStatus.IN_PROGRESS: "on_site",
    RepairStatus.COMPLETED: "done",
    RepairStatus.DECLINED: "closed",
    RepairStatus.RETURNED: "closed",
    RepairStatus.CLOSED: "done",
    RepairStatus.CANCELLED: "closed",
}
COMPLAINT_STEP_OF: dict[str, str] = {
    ComplaintStatus.REGISTERED: "received",
    ComplaintStatus.DISPATCHED: "dispatched",
    ComplaintStatus.ACKNOWLEDGED: "dispatched",
    ComplaintStatus.COMPLETED: "done",
    ComplaintStatus.CLOSED: "done",
}


@dataclass(frozen=True)
class Step:
    key: str
    at: datetime | None
    done: bool

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.key])


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def repair_steps(repair: Repair) -> list[Step]:
    current = REPAIR_STEP_OF.get(repair.status, "received")
    times = {
        "received": repair.received_at,
        "dispatched": repair.ordered_at or repair.dispatched_at,
        "on_the_way": repair.accepted_at,
        "on_site": repair.arrived_at,
        "done": repair.completed_at,
    }
    if current == "closed":
        return [Step("received", repair.received_at, True), Step("closed", None, True)]
    reached = REPAIR_STEPS.index(current)
    return [Step(key, times[key], i <= reached) for i, key in enumerate(REPAIR_STEPS)]


def complaint_steps(complaint: Complaint) -> list[Step]:
    current = COMPLAINT_STEP_OF.get(complaint.status, "received")
    times = {"received": complaint.received_at, "dispatched": complaint.dispatched_at, "done": complaint.completed_at}
    reached = COMPLAINT_STEPS.index(current)
    return [Step(key, times[key], i <= reached) for i, key in enumerate(COMPLAINT_STEPS)]


def steps_payload(steps: list[Step]) -> list[dict[str, Any]]:
    return [{"step": s.key, "label": s.label, "at": _when(s.at), "done": s.done} for s in steps]


def _staff_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_full_name() or user.get_username())


def case_payload(case: Complaint | Repair) -> dict[str, Any]:
    is_repair = isinstance(case, Repair)
    steps = repair_steps(case) if isinstance(case, Repair) else complaint_steps(case)
    current = next((s for s in reversed(steps) if s.done), steps[0])
    payload: dict[str, Any] = {
        "id": case.pk,
        "number": case.number,
        "unit": str(case.unit) if case.unit_id else "",
        "description": case.description,
        "received_at": _when(case.received_at),
        "status": current.key,
        "status_label": current.label,
        "timeline": steps_payload(steps),
    }
    if is_repair:
        payload["appointment_at"] = _when(case.appointment_at)  # type: ignore[union-attr]
        payload["technician"] = _staff_name(case.assignee) if case.assignee_id else ""
    return payload


def pending_payload(report: OnlineReport) -> dict[str, Any]:
    """A report the desk has not accepted yet: no case number, one step."""
    step = Step("submitted", report.submitted_at, True)
    payload: dict[str, Any] = {
        "id": None,
        "report": report.pk,
        "number": "",
        "unit": str(report.unit),
        "description": report.description,
        "received_at": _when(report.submitted_at),
        "status": step.key,
        "status_label": step.label,
        "timeline": steps_payload([step]),
    }
    if report.kind == "repair":
        payload["appointment_at"] = _when(report.appointment_at)
        payload["technician"] = ""
    return payload
