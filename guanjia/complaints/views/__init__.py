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
from guanjia.complaints.views.registration_help import add_to_existing, customer_cases, similar_complaints

__all__ = [
    "ACTIONS",
    "PRIMARY_ACTIONS",
    "Action",
    "act",
    "add_to_existing",
    "board",
    "complaint_list",
    "customer_cases",
    "customer_lookup",
    "detail",
    "incident_detail",
    "incident_suggestions",
    "register",
    "sign",
    "signature_image",
    "similar_complaints",
    "update_facts",
]
