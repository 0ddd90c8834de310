"""The front desk's limits and retention periods.

The limits of the ledgers (F02 parcel age, F04 loan period, F05 key period) are policy data of the project
(``guanjia.policy``: ``frontdesk.*`` keys, set per company or project on the settings page). The retention
periods (S06) stay deployment settings: they bound what the nightly purge may delete everywhere, and a value
under the S06 floor must stop the deployment, not be one project's choice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from guanjia.estates.models import Project
from guanjia.policy.selectors import policy_for

#: S06: visit records are kept at least 2 years; nothing of the ledgers is purged earlier than this.
RETENTION_FLOOR_DAYS = 730

DEFAULTS = {
    # S06: retention of the visitor log and of the custody ledger.
    "FRONTDESK_VISITOR_RETENTION_DAYS": 730,
    "FRONTDESK_CUSTODY_RETENTION_DAYS": 730,
}


def parcel_age_limit(project: Project) -> timedelta:
    """F02: a parcel, letter or left item uncollected this long raises an alert."""
    return policy_for(project).frontdesk_limits().parcel_age


def loan_period(project: Project) -> timedelta:
    """F04: a loan with no agreed return time is due back after this long."""
    return policy_for(project).frontdesk_limits().loan


def key_period(project: Project) -> timedelta:
    """F05: an issued key with no agreed return time is "out too long" after this long."""
    return policy_for(project).frontdesk_limits().key


def _int(name: str) -> int:
    value = getattr(settings, name, DEFAULTS[name])
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}")
    return value


def retention(name: str) -> timedelta:
    """The retention of ``FRONTDESK_VISITOR_RETENTION_DAYS`` or ``FRONTDESK_CUSTODY_RETENTION_DAYS``; a value
    under the S06 floor is refused rather than silently raised, so a misconfiguration is seen."""
    days = _int(name)
    if days < RETENTION_FLOOR_DAYS:
        raise ValueError(f"{name}={days} is under the {RETENTION_FLOOR_DAYS}-day minimum of S06")
    return timedelta(days=days)
