"""Writes of the follow-up service (T01–T07), one module per part; import them from here."""

from guanjia.followup.services.activities import activity_create, invitation_due, letter_register
from guanjia.followup.services.archive import missing_labels, profile_ensure, profile_update, service_record_add
from guanjia.followup.services.calls import call_record, issue_answer, issue_escalate, issue_solve
from guanjia.followup.services.handlers import register_followup_handlers
from guanjia.followup.services.leads import cadence_days, lead_contact_add, lead_create
from guanjia.followup.services.plans import StepSpec, plan_apply, step_window, template_create
from guanjia.followup.services.surveys import (
    survey_answer,
    survey_create,
    survey_fill_by_staff,
    survey_open_due_rounds,
    survey_open_round,
)
from guanjia.followup.services.team import followup_reassign, open_work

__all__ = [
    "StepSpec",
    "activity_create",
    "cadence_days",
    "call_record",
    "followup_reassign",
    "invitation_due",
    "issue_answer",
    "issue_escalate",
    "issue_solve",
    "lead_contact_add",
    "lead_create",
    "letter_register",
    "missing_labels",
    "open_work",
    "plan_apply",
    "profile_ensure",
    "profile_update",
    "register_followup_handlers",
    "service_record_add",
    "step_window",
    "survey_answer",
    "survey_create",
    "survey_fill_by_staff",
    "survey_open_due_rounds",
    "survey_open_round",
    "template_create",
]
