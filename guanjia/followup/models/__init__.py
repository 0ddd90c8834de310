"""Follow-up service (跟踪服务, T01–T07, seeds 001 and 003).

- ``CustomerProfile`` and ``ServiceRecord``: the customer archive of T01 (客户档案基本资料表), due complete
  2 days after a first service; until then it is an open task with a deadline.
- ``PlanTemplate``/``PlanStep``: follow-up schedules (T02); ``FollowUpPlan`` applies one to a customer and
  generates ``FollowUpCall`` rows, each with its due window.
- ``FollowUpCall``: one phone follow-up (plan step or activity invitation, T04), recorded with outcome,
  notes and what the customer raised (跟踪服务电话记录表/登记表, T03). Anything raised is an ``Issue`` that
  must be handled or reported to the supervisor within 2 days, and answered the day a solution is found.
- ``Activity`` and ``LetterRegister``: invitations by phone 2 weeks ahead, letters within 2 days, registered
  (跟踪服务信函登记表, T04).
- ``Reassignment``: a supervisor moves an absent person's open work in one action (T05).
- ``Lead``/``LeadContact``/``LeadCadence``: prospects graded A–D and followed up by grade (T06).
- ``Survey``/``SurveyRound``/``SurveyResponse``/``SurveyAnswer``: satisfaction questionnaires (T07).

One module per part (``archive``, ``plans``, ``issues``, ``leads``, ``surveys``); everything is re-exported here,
so ``guanjia.followup.models.X`` names the same model as before (app label and tables unchanged).
"""

from __future__ import annotations

from guanjia.followup.models.archive import CustomerProfile, ServiceRecord
from guanjia.followup.models.issues import (
    Activity,
    Issue,
    IssueKind,
    IssueStatus,
    LetterKind,
    LetterRegister,
    Reassignment,
)
from guanjia.followup.models.leads import Lead, LeadCadence, LeadChannel, LeadContact, LeadGrade, LeadStatus
from guanjia.followup.models.plans import (
    CallOutcome,
    CallPurpose,
    CallStatus,
    FollowUpCall,
    FollowUpPlan,
    PlanStatus,
    PlanStep,
    PlanTemplate,
)
from guanjia.followup.models.surveys import (
    SCHEDULE_MONTHS,
    QuestionType,
    ResponseVia,
    Schedule,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
)

__all__ = [
    "SCHEDULE_MONTHS",
    "Activity",
    "CallOutcome",
    "CallPurpose",
    "CallStatus",
    "CustomerProfile",
    "FollowUpCall",
    "FollowUpPlan",
    "Issue",
    "IssueKind",
    "IssueStatus",
    "Lead",
    "LeadCadence",
    "LeadChannel",
    "LeadContact",
    "LeadGrade",
    "LeadStatus",
    "LetterKind",
    "LetterRegister",
    "PlanStatus",
    "PlanStep",
    "PlanTemplate",
    "QuestionType",
    "Reassignment",
    "ResponseVia",
    "Schedule",
    "ServiceRecord",
    "Survey",
    "SurveyAnswer",
    "SurveyResponse",
    "SurveyRound",
]
