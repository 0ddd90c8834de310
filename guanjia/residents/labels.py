"""Words for the timeline verbs the residents' door writes (registered in ResidentsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: The resident's own submission, on their report and, once accepted, on the case: ``actor`` None,
#: ``data["by"] == "customer"``, at the time they submitted it.
SUBMITTED_VERB = "resident.submitted"
#: The desk took the report in and registered the case.
ACCEPTED_VERB = "resident.accepted"
#: The resident answered a return visit from their phone.
VISIT_ANSWERED_VERB = "resident.visit_answered"
#: The technician asked the customer to sign the repair order on their own phone (R10).
SIGN_REQUESTED_VERB = "resident.sign_requested"

VERB_LABELS: dict[str, Any] = {
    SUBMITTED_VERB: _("业主在线提交"),
    ACCEPTED_VERB: _("前台受理在线提交"),
    VISIT_ANSWERED_VERB: _("业主在线评价回访"),
    SIGN_REQUESTED_VERB: _("请客户在手机上签名"),
}
