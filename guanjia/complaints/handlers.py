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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role, User
from guanjia.cases.models import Deadline
from guanjia.cases.services import register_deadline_handler
from guanjia.complaints.models import Complaint, ComplaintStatus
from guanjia.complaints.proposals import OPEN, PROPOSAL_KINDS
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.timeline.services import record

MODEL = "complaints.complaint"
#: Missing one of these proposes "mishandled" to the supervisor (C11).
MISHANDLING_KINDS = PROPOSAL_KINDS


def _locked(subject: Any) -> Complaint | None:
    return Complaint.objects.select_for_update().select_related("project").filter(pk=subject.pk).first()


def _current(subject: Any) -> Complaint | None:
    """The complaint, locked, when it is still open; None otherwise (nothing to do)."""
    complaint = _locked(subject)
    if complaint is None or not complaint.is_open:
        return None
    return complaint


def _people(complaint: Complaint, roles: list[str], *extra: User | None) -> list[User]:
    people = {u.pk: u for u in staff_with_roles(complaint.project, roles)}
    for user in extra:
        if user is not None:
            people.setdefault(user.pk, user)
    return list(people.values())


def _due(deadline: Deadline) -> str:
    return f"{timezone.localtime(deadline.due_at):%m-%d %H:%M}"


def on_missed_limit(deadline: Deadline, subject: Any, now: datetime) -> None:
    """C11: a missed limit is recorded missed (by the sweep), proposes "mishandled" to the supervisor and alerts
    the people responsible (the assignee, the first responder, the CS supervisor) and the next level up (the
    escalation role of C13; the office manager above a general complaint). The grade is left alone."""
    complaint = _current(subject)
    if complaint is None:
        return
    label = deadline.kind_label
    deadline.data = {**deadline.data, "proposal": OPEN}
    deadline.save(update_fields=["data"])
    record(
        subject=complaint,
        verb="complaint.mishandling_proposed",
        actor=None,
        at=now,
        data={"kind": deadline.kind, "deadline": deadline.pk, "due_at": deadline.due_at.isoformat()},
    )
    roles: list[str] = [Role.CS_SUPERVISOR, complaint.escalate_to or Role.OFFICE_MANAGER]
    if deadline.kind == "escalate" and deadline.data.get("escalate_to"):
        roles.append(str(deadline.data["escalate_to"]))
    notify(
        recipients=_people(complaint, roles, complaint.assignee, complaint.first_responder),
        kind=f"complaint.{deadline.kind}_missed",
        title=_("%(number)s %(kind)s超时，请主管决定是否认定处理不当") % {"number": complaint.number, "kind": label},
        body=_("%(kind)s时限（%(due)s）已过") % {"kind": label, "due": _due(deadline)},
        url=f"/complaints/{complaint.pk}/",
        project=complaint.project,
        level=Level.URGENT if deadline.kind == "escalate" else Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
    )


def on_next_reply_remind(deadline: Deadline, subject: Any, now: datetime) -> None:
    complaint = _current(subject)
    if complaint is None:
        return
    notify(
        recipients=_people(complaint, [], complaint.assignee, complaint.registered_by),
        kind="complaint.next_reply_reminder",
        title=_("%(number)s 请在 %(due)s 前回复客户") % {"number": complaint.number, "due": _due(deadline)},
        url=f"/complaints/{complaint.pk}/",
        project=complaint.project,
        level=Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:remind:{deadline.pk}",
    )


def on_next_reply_missed(deadline: Deadline, subject: Any, now: datetime) -> None:
    complaint = _current(subject)
    if complaint is None:
        return
    notify(
        recipients=_people(complaint, [Role.CS_SUPERVISOR]),
        kind="complaint.next_reply_missed",
        title=_("%(number)s 未按约定时间（%(due)s）回复客户") % {"number": complaint.number, "due": _due(deadline)},
        url=f"/complaints/{complaint.pk}/",
        project=complaint.project,
        level=Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
    )


def _completed(subject: Any) -> Complaint | None:
    """The complaint, locked, when it is completed and not yet closed: the same-day reply is still owed."""
    complaint = _locked(subject)
    if complaint is None or complaint.status != ComplaintStatus.COMPLETED:
        return None
    return complaint


def on_inform_remind(deadline: Deadline, subject: Any, now: datetime) -> None:
    """C16: remind the desk (the clerk, the first responder, the handler) to tell the customer the result today."""
    complaint = _completed(subject)
    if complaint is None:
        return
    notify(
        recipients=_people(complaint, [], complaint.registered_by, complaint.first_responder, complaint.assignee),
        kind="complaint.inform_reminder",
        title=_("%(number)s 已处理完成，请在今天 24:00 前告知客户结果") % {"number": complaint.number},
        url=f"/complaints/{complaint.pk}/",
        project=complaint.project,
        level=Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:remind:{deadline.pk}",
    )


def on_inform_missed(deadline: Deadline, subject: Any, now: datetime) -> None:
    """C16: the result was not told the same day: the CS supervisor is told (counted in the monthly report)."""
    complaint = _completed(subject)
    if complaint is None:
        return
    notify(
        recipients=_people(complaint, [Role.CS_SUPERVISOR], complaint.registered_by),
        kind="complaint.inform_missed",
        title=_("%(number)s 未在完成当天告知客户结果") % {"number": complaint.number},
        url=f"/complaints/{complaint.pk}/",
        project=complaint.project,
        level=Level.WARNING,
        dedupe_key=f"complaint:{complaint.pk}:missed:{deadline.pk}",
    )


def register() -> None:
    for kind in MISHANDLING_KINDS:
        register_deadline_handler(MODEL, kind, on_missed=on_missed_limit)
    register_deadline_handler(MODEL, "next_reply", on_missed=on_next_reply_missed, on_remind=on_next_reply_remind)
    register_deadline_handler(MODEL, "inform", on_missed=on_inform_missed, on_remind=on_inform_remind)
