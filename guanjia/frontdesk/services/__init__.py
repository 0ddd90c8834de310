"""Writes of the front-desk ledgers (F01–F07, S06).

Handing something over is one conditional UPDATE (``status`` still ``held``) inside the transaction that
records it: when two clerks hand over the same parcel at once, exactly one UPDATE changes the row and the
other clerk is told who took it (on PostgreSQL the second UPDATE waits for the first transaction, then
matches nothing; SQLite serialises writers). The proof is checked against the item before that.

Codes (pickup codes, visitor pass codes) are random six digits, stored as a keyed hash of project and
code, and returned once to the caller that issues them.

The package is split by ledger: ``custody`` (F02–F06), ``ageing`` (their ageing alerts, fired by the sweep),
``visitors`` (F01), ``archive`` (F07) and ``retention`` (S06), with the codes and checks they share in
``_common``; it re-exports them all, so ``from guanjia.frontdesk import services`` keeps working.
"""

from __future__ import annotations

from guanjia.frontdesk.services._common import (
    AGE_KIND,
    CODE_DIGITS,
    DUE_KIND,
    Issued,
    code_hash,
    send_to_customer,
    unit_phone,
)
from guanjia.frontdesk.services.ageing import register_ageing_handlers
from guanjia.frontdesk.services.archive import (
    archive_event_record,
    archive_residency_change,
)
from guanjia.frontdesk.services.custody import (
    Proof,
    check_proof,
    custody_dispose,
    custody_hand_over,
    custody_lend,
    custody_receive,
    custody_ref,
    custody_resend_code,
    custody_slip_register,
    custody_slip_release,
    custody_take_back,
    find_by_pickup_code,
)
from guanjia.frontdesk.services.retention import (
    PurgeResult,
    ledgers_purge,
)
from guanjia.frontdesk.services.visitors import (
    visitor_admit,
    visitor_confirm_host,
    visitor_pass_create,
    visitor_refuse,
    visitor_register,
    visitor_reveal_phone,
    visitor_sign_out,
    visitor_verify,
)

__all__ = [
    "AGE_KIND",
    "CODE_DIGITS",
    "DUE_KIND",
    "Issued",
    "Proof",
    "PurgeResult",
    "archive_event_record",
    "archive_residency_change",
    "check_proof",
    "code_hash",
    "custody_dispose",
    "custody_hand_over",
    "custody_lend",
    "custody_receive",
    "custody_ref",
    "custody_resend_code",
    "custody_slip_register",
    "custody_slip_release",
    "custody_take_back",
    "find_by_pickup_code",
    "ledgers_purge",
    "register_ageing_handlers",
    "send_to_customer",
    "unit_phone",
    "visitor_admit",
    "visitor_confirm_host",
    "visitor_pass_create",
    "visitor_refuse",
    "visitor_register",
    "visitor_reveal_phone",
    "visitor_sign_out",
    "visitor_verify",
]
