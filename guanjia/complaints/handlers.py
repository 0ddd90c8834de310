"""What the deadline sweep does for a complaint's limits (C11, C13, C16). Registered in ``apps.ready()``.

Each handler runs inside the sweep's claim of one deadline (``cases.services.sweep``), so it runs once per
deadline even with two workers, and whatever it writes commits or rolls back with the claim. Handlers look at
the complaint's current state first: a complaint completed (or a limit replaced) in the meantime gets nothing.

- response / escalate / resolve missed: recorded missed (the sweep's ``deadline.missed``), the people
  responsible and the next level up (the escalation role of C13) are alerted, and the complaint shows the
  supervisor a proposal to mark it mishandled (``complaints.proposals``). C11: the grade does not rise by
  itself; a supervisor accepts the proposal (``complaint_mark_mishandled``) or dismisses it with a reason;
- next_reply: a reminder to the assignee and the clerk before it; a miss is reported to the CS supervisor;
- inform (C16, set at completion, ends 24:00 of the completion day): a reminder to the desk before it; a miss
  is reported to the CS supervisor.

Each handler is written for a sweep batch (``on_*_many(fired, now)``, ``fired`` a list of (deadline, subject)):
one locking read of the batch's complaints, the staff of all its projects read at once (``StaffOfProjects``), the
proposals written in one UPDATE, the events in one INSERT and the notifications through ``notify_many``. The
per-deadline handler (a deadline fired alone) is the same code with a batch of one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role
from guanjia.cases.deadlines import batch_of_one
from guanjia.cases.models import Deadline
from guanjia.cases.services import register_deadline_handler
from guanjia.complaints.models import Complaint, ComplaintStatus
from guanjia.complaints.proposals import OPEN, PROPOSAL_KINDS
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import StaffOfProjects
from guanjia.notifications.services import Notice, notify_many
from guanjia.timeline.services import Entry, record_many

MODEL = "complaints.complaint"
#: Missing one of these proposes "mishandled" to the supervisor (C11).
MISHANDLING_KINDS = PROPOSAL_KINDS

Fired = list[tuple[Deadline, Any]]


def _locked(fired: Fired, wanted: Callable[[Complaint], bool]) -> list[tuple[Deadline, Complaint]]:
    """The batch's complaints, locked in one read (in id order), paired with their deadlines; only those
    ``wanted`` still (a complaint completed or closed meanwhile gets nothing)."""
    pks = sorted({subject.pk for _d, subject in fired})
    rows = Complaint.objects.select_for_update().select_related("project").filter(pk__in=pks).order_by("pk")
    complaints = {c.pk: c for c in rows}
    # The people an alert names, read once for the batch (a query per kind, not per complaint).
    prefetch_related_objects(list(complaints.values()), "assignee", "first_responder", "registered_by")
    out = []
    for deadline, subject in fired:
        complaint = complaints.get(subject.pk)
        if complaint is not None and wanted(complaint):
            out.append((deadline, complaint))
    return out


def _is_open(complaint: Complaint) -> bool:
    return complaint.is_open


def _is_completed(complaint: Complaint) -> bool:
    """Completed and not yet closed: the same-day reply is still owed."""
    return complaint.status == ComplaintStatus.COMPLETED


def _due(deadline: Deadline) -> str:
    return f"{timezone.localtime(deadline.due_at):%m-%d %H:%M}"


def _url(complaint: Complaint) -> str:
    return f"/complaints/{complaint.pk}/"


def on_missed_limit_many(fired: Fired, now: datetime) -> None:
    """C11: a missed limit is recorded missed (by the sweep), proposes "mishandled" to the supervisor and alerts
    the people responsible (the assignee, the first responder, the CS supervisor) and the next level up (the
    escalation role of C13; the office manager above a general complaint). The grade is left alone."""
    locked = _locked(fired, _is_open)
    staff = StaffOfProjects(c.project for _d, c in locked)
    proposed: list[Deadline] = []
    entries: list[Entry] = []
    notices: list[Notice] = []
    for deadline, complaint in locked:
        label = deadline.kind_label
        deadline.data = {**deadline.data, "proposal": OPEN}
        proposed.append(deadline)
        event_data = {"kind": deadline.kind, "deadline": deadline.pk, "due_at": deadline.due_at.isoformat()}
        entries.append(
            Entry(subject=complaint, verb="complaint.mishandling_proposed", actor=None, at=now, data=event_data)
        )
        roles: list[str] = [Role.CS_SUPERVISOR, complaint.escalate_to or Role.OFFICE_MANAGER]
        if deadline.kind == "escalate" and deadline.data.get("escalate_to"):
            roles.append(str(deadline.data["escalate_to"]))
        title = _("%(number)s %(kind)s超时，请主管决定是否认定处理不当") % {"number": complaint.number, "kind": label}
        notices.append(
            Notice(
                recipients=staff(complaint.project, roles, complaint.assignee, complaint.first_responder),
                kind=f"complaint.{deadline.kind}_missed",
                title=title,
                body=_("%(kind)s时限（%(due)s）已过") % {"kind": label, "due": _due(deadline)},
                url=_url(complaint),
                project=complaint.project,
                level=Level.URGENT if deadline.kind == "escalate" else Level.WARNING,
                dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
            )
        )
    if proposed:
        Deadline.objects.bulk_update(proposed, ["data"])
    record_many(entries)
    notify_many(notices)


def on_next_reply_remind_many(fired: Fired, now: datetime) -> None:
    locked = _locked(fired, _is_open)
    staff = StaffOfProjects(c.project for _d, c in locked)
    notify_many(
        [
            Notice(
                recipients=staff(complaint.project, [], complaint.assignee, complaint.registered_by),
                kind="complaint.next_reply_reminder",
                title=_("%(number)s 请在 %(due)s 前回复客户") % {"number": complaint.number, "due": _due(deadline)},
                url=_url(complaint),
                project=complaint.project,
                level=Level.WARNING,
                dedupe_key=f"complaint:{complaint.pk}:remind:{deadline.pk}",
            )
            for deadline, complaint in locked
        ]
    )


def on_next_reply_missed_many(fired: Fired, now: datetime) -> None:
    locked = _locked(fired, _is_open)
    staff = StaffOfProjects(c.project for _d, c in locked)
    notify_many(
        [
            Notice(
                recipients=staff(complaint.project, [Role.CS_SUPERVISOR]),
                kind="complaint.next_reply_missed",
                title=_("%(number)s 未按约定时间（%(due)s）回复客户")
                % {"number": complaint.number, "due": _due(deadline)},
                url=_url(complaint),
                project=complaint.project,
                level=Level.WARNING,
                dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
            )
            for deadline, complaint in locked
        ]
    )


def on_inform_remind_many(fired: Fired, now: datetime) -> None:
    """C16: remind the desk (the clerk, the first responder, the handler) to tell the customer the result today."""
    locked = _locked(fired, _is_completed)
    staff = StaffOfProjects(c.project for _d, c in locked)
    notify_many(
        [
            Notice(
                recipients=staff(
                    complaint.project, [], complaint.registered_by, complaint.first_responder, complaint.assignee
                ),
                kind="complaint.inform_reminder",
                title=_("%(number)s 已处理完成，请在今天 24:00 前告知客户结果") % {"number": complaint.number},
                url=_url(complaint),
                project=complaint.project,
                level=Level.WARNING,
                dedupe_key=f"complaint:{complaint.pk}:remind:{deadline.pk}",
            )
            for deadline, complaint in locked
        ]
    )


def on_inform_missed_many(fired: Fired, now: datetime) -> None:
    """C16: the result was not told the same day: the CS supervisor is told (counted in the monthly report)."""
    locked = _locked(fired, _is_completed)
    staff = StaffOfProjects(c.project for _d, c in locked)
    notify_many(
        [
            Notice(
                recipients=staff(complaint.project, [Role.CS_SUPERVISOR], complaint.registered_by),
                kind="complaint.inform_missed",
                title=_("%(number)s 未在完成当天告知客户结果") % {"number": complaint.number},
                url=_url(complaint),
                project=complaint.project,
                level=Level.WARNING,
                dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
            )
            for deadline, complaint in locked
        ]
    )


on_missed_limit = batch_of_one(on_missed_limit_many)
on_next_reply_remind = batch_of_one(on_next_reply_remind_many)
on_next_reply_missed = batch_of_one(on_next_reply_missed_many)
on_inform_remind = batch_of_one(on_inform_remind_many)
on_inform_missed = batch_of_one(on_inform_missed_many)


def register() -> None:
    for kind in MISHANDLING_KINDS:
        register_deadline_handler(MODEL, kind, on_missed=on_missed_limit, on_missed_many=on_missed_limit_many)
    register_deadline_handler(
        MODEL,
        "next_reply",
        on_missed=on_next_reply_missed,
        on_remind=on_next_reply_remind,
        on_missed_many=on_next_reply_missed_many,
        on_remind_many=on_next_reply_remind_many,
    )
    register_deadline_handler(
        MODEL,
        "inform",
        on_missed=on_inform_missed,
        on_remind=on_inform_remind,
        on_missed_many=on_inform_missed_many,
        on_remind_many=on_inform_remind_many,
    )
