"""The follow-up pages (tablet and phone first). Thin: reads through ``selectors``, writes through ``services``;
a refused write comes back as messages naming the field, on the same page."""

from guanjia.followup.views.outreach import activities, activity, lead, leads
from guanjia.followup.views.surveys import survey, survey_answer, surveys
from guanjia.followup.views.work import archive, call, home, issue, phone, plan_apply, reassign, templates

__all__ = [
    "activities",
    "activity",
    "archive",
    "call",
    "home",
    "issue",
    "lead",
    "leads",
    "phone",
    "plan_apply",
    "reassign",
    "survey",
    "survey_answer",
    "surveys",
    "templates",
]
