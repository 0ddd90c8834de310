"""Writes of repairs: the price list (fee edits) and the work order from request to the desk (R01–R13).

Every status change goes through ``guanjia.cases.services.case_transition``; the limits of R02–R05 are
``cases.Deadline`` rows (kinds "order", "notify", "assess", "arrive") so the sweep and the timeliness report
(维修及时率) serve repairs and complaints alike. Each change records a timeline event in the same transaction.

The package: ``prices`` (the price list), ``orders`` (R01–R05: logging to arrival), ``on_site`` (R07–R09, photos,
signatures, notes), ``closing`` (R10, R11: completion, payment, return, cancelling; the missed limits) and
``_common`` (the clock, ``check_at``, the versioned save, messages). Import from the package, not from its
modules; tests move the clock by replacing the package's ``_now``.
"""

from __future__ import annotations

from guanjia.repairs.services._common import (
    _now as _now,
)
from guanjia.repairs.services._common import (
    check_at,
)
from guanjia.repairs.services.closing import (
    on_deadline_missed,
    repair_cancel,
    repair_complete,
    repair_hand_to_finance,
    repair_record_payment,
    repair_return_to_desk,
)
from guanjia.repairs.services.on_site import (
    ON_SITE,
    Line,
    parse_lines,
    repair_add_note,
    repair_add_photo,
    repair_check_materials,
    repair_countersign,
    repair_customer_agrees,
    repair_customer_sign,
    repair_decline,
    repair_set_actual_items,
)
from guanjia.repairs.services.orders import (
    RepairRequest,
    repair_accept,
    repair_arrive,
    repair_assess,
    repair_log,
    repair_notify_department,
    repair_order_and_notify,
    repair_record_consent,
    repair_write_order,
)
from guanjia.repairs.services.prices import (
    FEE_MAX,
    parse_fee,
    price_item_set_fee,
)

__all__ = [
    "FEE_MAX",
    "ON_SITE",
    "Line",
    "RepairRequest",
    "check_at",
    "on_deadline_missed",
    "parse_fee",
    "parse_lines",
    "price_item_set_fee",
    "repair_accept",
    "repair_add_note",
    "repair_add_photo",
    "repair_arrive",
    "repair_assess",
    "repair_cancel",
    "repair_check_materials",
    "repair_complete",
    "repair_countersign",
    "repair_customer_agrees",
    "repair_customer_sign",
    "repair_decline",
    "repair_hand_to_finance",
    "repair_log",
    "repair_notify_department",
    "repair_order_and_notify",
    "repair_record_consent",
    "repair_record_payment",
    "repair_return_to_desk",
    "repair_set_actual_items",
    "repair_write_order",
]
