"""The desk's complaint pages (``pages``), a complaint's page and its next actions (``actions``), and its
timeline in the desk's words (``timeline``)."""

from guanjia.complaints.views.actions import ACTIONS, PRIMARY_ACTIONS, Action, act, detail, update_facts
from guanjia.complaints.views.pages import (
    board,
    complaint_list,
    customer_lookup,
    incident_detail,
    incident_suggestions,
    register,
    sign,
    signature_image,
)

__all__ = [
    "ACTIONS",
    "PRIMARY_ACTIONS",
    "Action",
    "act",
    "board",
    "complaint_list",
    "customer_lookup",
    "detail",
    "incident_detail",
    "incident_suggestions",
    "register",
    "sign",
    "signature_image",
    "update_facts",
]
