"""Writes of the counter's daily work (F08–F14). Each function validates, then changes the rows and appends
a timeline event in one transaction. Bad input raises ``ValidationError({field: message})``; a move that
the record's state refuses raises ``NotPossible`` (HTTP 409 in spirit); a role that may not act raises
``PermissionDenied``. Callers have looked the objects up through ``guanjia.accounts.access``.

The duty log (``duty``: F08–F10, F14) and the office's own ledgers (``ledgers``: F11–F13) are separate
modules; this package re-exports both, so ``from guanjia.dutylog import services`` keeps working."""

from __future__ import annotations

from guanjia.dutylog.services.duty import (
    call_record,
    call_reveal_phone,
    checklist_link_repair,
    checklist_record,
    checklist_request_repair,
    handover_flag_unsigned,
    handover_sign,
    handover_submit,
    log_entry_add,
    log_entry_close,
    phrase_add,
    phrase_set_active,
    relay_mark_read,
    relay_send,
    shift_open,
    task_create,
    task_done,
)
from guanjia.dutylog.services.ledgers import (
    AMOUNT_MAX,
    PERIOD_RE,
    booking_request,
    booking_transition,
    collection_follow_up,
    collection_plan_open,
    fee_mark_paid,
    fee_notice_send,
    notice_draft,
    notice_transition,
    parking_space_save,
    parse_amount,
    room_add,
)

__all__ = [
    "AMOUNT_MAX",
    "PERIOD_RE",
    "booking_request",
    "booking_transition",
    "call_record",
    "call_reveal_phone",
    "checklist_link_repair",
    "checklist_record",
    "checklist_request_repair",
    "collection_follow_up",
    "collection_plan_open",
    "fee_mark_paid",
    "fee_notice_send",
    "handover_flag_unsigned",
    "handover_sign",
    "handover_submit",
    "log_entry_add",
    "log_entry_close",
    "notice_draft",
    "notice_transition",
    "parking_space_save",
    "parse_amount",
    "phrase_add",
    "phrase_set_active",
    "relay_mark_read",
    "relay_send",
    "room_add",
    "shift_open",
    "task_create",
    "task_done",
]
