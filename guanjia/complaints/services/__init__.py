"""Writes of complaints (C01–C20). Each function validates first (``ValidationError`` naming the field, in
Chinese), then acts in one transaction that also appends the timeline events, and returns the fresh row.

Grading (C10): every fact change and every incident link recomputes the grade with the one calculator
(``grading.compute_grade``). The grade rises when the facts now give more than they gave before; it is never
lowered automatically — only ``complaint_lower_grade`` (supervisor or above, with a reason) lowers it.

Deadlines (C13, C16) are ``cases.Deadline`` rows: "response", "escalate" (``data["escalate_to"]``),
"resolve" (``data["agreed"]`` when agreed with the customer) and "next_reply". They are counted from
``received_at``, so a paper form typed in later gets limits that may already be past: ``deadline_set``
records those missed and not fired, and nothing alerts for them (C11). A step recorded with a time before its
due meets the limit whenever it is typed in. The sweep's handlers (``complaints.handlers``) alert and propose
"mishandled" for a missed response, escalation or resolution; only a supervisor's decision raises the grade.

Times given by callers (``at``, ``received_at``, ``completed_at`` …) may be in the past, never in the
future (beyond ``core.clean.CLOCK_SKEW``) and never before the complaint was received.

The package: ``registration`` (C01–C03, C17), ``facts`` (facts, grade, nature, incidents: C04–C12), ``handling``
(C13–C19, completion), and ``_common`` (validation, locking, the time limits, grade alerts and the regrade). Import
from the package, not from its modules.
"""

from __future__ import annotations

from guanjia.complaints.services._common import (
    DESCRIPTION_MAX,
    EDITABLE,
    GRADE_FACTS,
    LATE_ENTRY_AFTER,
    LOSS_MAX,
    SMALL_INT_MAX,
    TEXT_MAX,
    URGENT_ROLES,
)
from guanjia.complaints.services.facts import (
    complaint_dismiss_proposal,
    complaint_link_incident,
    complaint_lower_grade,
    complaint_mark_mishandled,
    complaint_set_nature,
    complaint_update_facts,
    incident_create,
)
from guanjia.complaints.services.handling import (
    INFORM_REMIND_HOUR,
    INFORM_REMIND_LATE,
    complaint_acknowledge,
    complaint_acknowledge_escalation,
    complaint_add_note,
    complaint_agree_deadline,
    complaint_complete,
    complaint_dispatch,
    complaint_inform_customer,
    complaint_record_group_measure,
    complaint_reply_in_writing,
    complaint_set_next_reply,
    complaint_sign,
)
from guanjia.complaints.services.registration import (
    complaint_register,
)

__all__ = [
    "DESCRIPTION_MAX",
    "EDITABLE",
    "GRADE_FACTS",
    "INFORM_REMIND_HOUR",
    "INFORM_REMIND_LATE",
    "LATE_ENTRY_AFTER",
    "LOSS_MAX",
    "SMALL_INT_MAX",
    "TEXT_MAX",
    "URGENT_ROLES",
    "complaint_acknowledge",
    "complaint_acknowledge_escalation",
    "complaint_add_note",
    "complaint_agree_deadline",
    "complaint_complete",
    "complaint_dismiss_proposal",
    "complaint_dispatch",
    "complaint_inform_customer",
    "complaint_link_incident",
    "complaint_lower_grade",
    "complaint_mark_mishandled",
    "complaint_record_group_measure",
    "complaint_register",
    "complaint_reply_in_writing",
    "complaint_set_nature",
    "complaint_set_next_reply",
    "complaint_sign",
    "complaint_update_facts",
    "incident_create",
]
