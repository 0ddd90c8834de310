"""Repair pages (``pages``: what the desk, the supervisor and the technician read) and their writes (``steps``:
logging a request, each step of an order)."""

from guanjia.repairs.views.pages import (
    customer_pick,
    desk,
    detail,
    my_orders,
    photo_file,
    price_item_fee,
    price_list,
    print_order,
    signature_file,
    timeliness,
    work,
)
from guanjia.repairs.views.steps import STEPS, log, step

__all__ = [
    "STEPS",
    "customer_pick",
    "desk",
    "detail",
    "log",
    "my_orders",
    "photo_file",
    "price_item_fee",
    "price_list",
    "print_order",
    "signature_file",
    "step",
    "timeliness",
    "work",
]
