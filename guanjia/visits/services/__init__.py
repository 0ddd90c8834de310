"""Writes of return visits (V01–V08), service records, household visits (V09) and visit records (V10).

``return_visit_plan`` is called by a case's completion, in its transaction: complaints and repairs through the
completion hooks registered in ``VisitsConfig.ready`` (``guanjia.cases.completion``), service records directly.
Each other function validates first (a ``ValidationError`` naming the field, in the user's language), checks the
actor's capability (``PermissionError``) and the state (``TransitionError``: a 409), then changes the rows and
appends a timeline event in one transaction.

Time limits (V04): a visit's due time is a ``cases.Deadline`` of kind ``visit``, reminded ``VISIT_REMIND_BEFORE``
ahead and flagged once when missed by the shared sweep; ``visit_followup`` (V07) is a second deadline,
the project's ``visit.door_followup_days`` (policy) after the visit's planned day, that turns a visit still
open into a door-to-door task for the front desk.

The package follows a visit's life: ``planning`` (V01–V04: plans, deadlines, service records), ``results``
(V03, V05–V07: the visit made, reviewed or cancelled), ``handlers`` (V04, V07: the sweep's handlers) and
``households`` (V09), with the checks and words they share in ``_common``; it re-exports them all, so
``from guanjia.visits import services`` keeps working.
"""

from __future__ import annotations

from guanjia.visits.services._common import (
    FOLLOWUP_KIND,
    ON_SITE_GRADES,
    RETRY_AFTER,
    TEXT_MAX,
    VISIT_KIND,
    VISIT_REMIND_BEFORE,
)
from guanjia.visits.services.handlers import (
    on_followup_due,
    on_followup_due_many,
    on_visit_missed,
    on_visit_missed_many,
    on_visit_remind,
    on_visit_remind_many,
)
from guanjia.visits.services.households import (
    campaign_create,
    household_issue_raise,
    household_visit_record,
)
from guanjia.visits.services.planning import (
    ServiceFacts,
    plan_case_visit,
    return_visit_plan,
    service_record_complete,
)
from guanjia.visits.services.results import (
    VisitResult,
    return_visit_cancel,
    return_visit_record,
    return_visit_review,
)

__all__ = [
    "FOLLOWUP_KIND",
    "ON_SITE_GRADES",
    "RETRY_AFTER",
    "TEXT_MAX",
    "VISIT_KIND",
    "VISIT_REMIND_BEFORE",
    "ServiceFacts",
    "VisitResult",
    "campaign_create",
    "household_issue_raise",
    "household_visit_record",
    "on_followup_due",
    "on_followup_due_many",
    "on_visit_missed",
    "on_visit_missed_many",
    "on_visit_remind",
    "on_visit_remind_many",
    "plan_case_visit",
    "return_visit_cancel",
    "return_visit_plan",
    "return_visit_record",
    "return_visit_review",
    "service_record_complete",
]
