"""C11: a missed limit proposes "mishandled"; a CS supervisor (or above) decides.

The sweep never raises a grade by itself. When a complaint's response, escalation or resolution limit is missed
(``complaints.handlers``), the missed ``cases.Deadline`` carries ``data["proposal"] = "open"``: the complaint
shows the supervisor a proposal to mark it mishandled. Accepting it is ``complaint_mark_mishandled`` (which may
raise the grade, C06–C08, C11); dismissing it is ``complaint_dismiss_proposal`` with a reason. Both close every
open proposal of the complaint (``"accepted"`` / ``"dismissed"``) with who decided and when, and the timeline
keeps the decision. A limit later shown to have been kept in time (a step typed in after the fact with its
earlier time, C11) is ``met`` and so no longer proposed.
"""

from __future__ import annotations

from collections.abc import Iterable

from guanjia.cases.models import Deadline, DeadlineState

#: Missing one of these may be mishandling (C11): the sweep proposes it to the supervisor.
PROPOSAL_KINDS = ("response", "escalate", "resolve")
OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"


def is_open_proposal(deadline: Deadline) -> bool:
    """The one definition of a pending proposal: a missed limit of a proposing kind, not yet decided."""
    return (
        deadline.kind in PROPOSAL_KINDS
        and deadline.state == DeadlineState.MISSED
        and (deadline.data or {}).get("proposal") == OPEN
    )


def open_proposals(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """The pending proposals among ``deadlines`` (e.g. a complaint's prefetched ``deadlines.all()``), due order."""
    return sorted((d for d in deadlines if is_open_proposal(d)), key=lambda d: (d.due_at, d.pk))
