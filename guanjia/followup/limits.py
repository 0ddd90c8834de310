"""The follow-up time limits (seed 001 售后服务管理制度), counted as V04 counts days: the day of the event does
not count and a limit ends at 24:00 of its last day. T01, T03 and T04 are policy data of the project
(``guanjia.policy``: ``followup.*`` keys, with the manual's numbers as defaults); the follow-up services read
them here only."""

from __future__ import annotations

from guanjia.estates.models import Project
from guanjia.policy.selectors import FollowupLimits, policy_for

#: T06 product defaults (seed 001 only says "by grade"; A and B are followed closely). Stored as
#: ``LeadCadence`` rows by the data migration; these are used only if the rows were removed.
LEAD_CADENCE_DEFAULTS = {"A": 3, "B": 7, "C": 14, "D": 30}


def limits_for(project: Project) -> FollowupLimits:
    """T01: the archive of a first-time customer is built within ``archive_days`` of the first service or
    consultation. T03: what cannot be answered on the call and is still unresolved goes to the supervisor within
    ``issue_escalate_days``. T04: activity invitations go out by phone ``invitation_lead_days`` before the
    activity, and the letter within ``letter_days`` after the call."""
    return policy_for(project).followup_limits()
