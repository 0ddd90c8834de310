"""The follow-up time limits (seed 001 售后服务管理制度), counted as V04 counts days: the day of the event does
not count and a limit ends at 24:00 of its last day. They are module constants for now; each is read here only,
so moving them into ``guanjia.policy`` changes this module alone."""

from __future__ import annotations

#: T01: the archive of a first-time customer is built within 2 days of the first service or consultation.
ARCHIVE_DAYS = 2
#: T03: what cannot be answered on the call and is still unresolved goes to the supervisor within 2 days.
ISSUE_ESCALATE_DAYS = 2
#: T04: activity invitations go out by phone 2 weeks before the activity …
INVITATION_LEAD_DAYS = 14
#: … and the letter within 2 days after the call.
LETTER_DAYS = 2
#: T06 product defaults (seed 001 only says "by grade"; A and B are followed closely). Stored as
#: ``LeadCadence`` rows by the data migration; these are used only if the rows were removed.
LEAD_CADENCE_DEFAULTS = {"A": 3, "B": 7, "C": 14, "D": 30}
