"""The front desk's limits and retention periods, read from settings with the defaults below.

They are settings rather than per-project policy keys for now; each reads through one function so a later
move into ``guanjia.policy`` changes only this module.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

#: S06: visit records are kept at least 2 years; nothing of the ledgers is purged earlier than this.
RETENTION_FLOOR_DAYS = 730

DEFAULTS = {
    # F02: a parcel, letter or left item uncollected this many days raises an alert.
    "FRONTDESK_PARCEL_AGE_DAYS": 3,
    # F04: a loan with no agreed return time is due back after this many hours.
    "FRONTDESK_LOAN_HOURS": 24,
    # F05: an issued key with no agreed return time is "out too long" after this many hours.
    "FRONTDESK_KEY_HOURS": 8,
    # S06: retention of the visitor log and of the custody ledger.
    "FRONTDESK_VISITOR_RETENTION_DAYS": 730,
    "FRONTDESK_CUSTODY_RETENTION_DAYS": 730,
}


def _int(name: str) -> int:
    value = getattr(settings, name, DEFAULTS[name])
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}")
    return value


def parcel_age_limit() -> timedelta:
    return timedelta(days=_int("FRONTDESK_PARCEL_AGE_DAYS"))


def loan_period() -> timedelta:
    return timedelta(hours=_int("FRONTDESK_LOAN_HOURS"))


def key_period() -> timedelta:
    return timedelta(hours=_int("FRONTDESK_KEY_HOURS"))


def retention(name: str) -> timedelta:
    """The retention of ``FRONTDESK_VISITOR_RETENTION_DAYS`` or ``FRONTDESK_CUSTODY_RETENTION_DAYS``; a value
    under the S06 floor is refused rather than silently raised, so a misconfiguration is seen."""
    days = _int(name)
    if days < RETENTION_FLOOR_DAYS:
        raise ValueError(f"{name}={days} is under the {RETENTION_FLOOR_DAYS}-day minimum of S06")
    return timedelta(days=days)
