"""The resident answers a return visit from their phone (V05): the same ``return_visit_record`` as a phone
call, so an unsatisfied answer opens the same review and rectification (V06).

The visits service records a visit as done by a member of staff. A resident's own answer has none, so it is
recorded on their behalf by the project's customer-service supervisor (or office manager) — the same stand-in
the visits service uses to register a rectification — with method "other" and the customer's words in the
notes, and the case's timeline says the customer answered (``resident.visit_answered``, ``by: customer``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role
from guanjia.core.errors import NotPossible
from guanjia.notifications.selectors import staff_with_roles
from guanjia.residents.households import Household
from guanjia.residents.labels import VISIT_ANSWERED_VERB
from guanjia.timeline.services import record
from guanjia.visits.models import UNSATISFIED_AT_MOST, Method, ReturnVisit, VisitStatus
from guanjia.visits.services import VisitResult, return_visit_record

COMMENT_MAX = 1000
STAND_IN_ROLES = (Role.CS_SUPERVISOR, Role.OFFICE_MANAGER)


def household_visits(household: Household) -> QuerySet[ReturnVisit]:
    """Return visits of the resident's cases or homes."""
    return ReturnVisit.objects.filter(
        Q(customer_id__in=household.customer_ids) | Q(unit_id__in=household.unit_ids)
    ).select_related("unit__building")


def visit_for(household: Household, pk: Any) -> ReturnVisit:
    try:
        return household_visits(household).get(pk=int(pk))
    except (ValueError, TypeError, ReturnVisit.DoesNotExist):
        raise Http404 from None


def visit_payload(visit: ReturnVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "case": visit.get_case_type_display(),
        "unit": str(visit.unit) if visit.unit_id else "",
        "status": visit.status,
        "status_label": visit.get_status_display(),
        "can_answer": visit.status == VisitStatus.PLANNED and not visit.on_site_required,
        "satisfaction": visit.satisfaction,
        "done_at": timezone.localtime(visit.done_at).isoformat() if visit.done_at else None,
    }


def visit_answer(*, household: Household, visit_id: Any, satisfaction: Any, comment: Any, now: datetime) -> ReturnVisit:
    """Record the resident's answer (1–5 and a comment). A visit that must be made on site (V03) or is not
    waiting for an answer is NotPossible (409); a visit of another household is a 404."""
    visit = visit_for(household, visit_id)
    if visit.on_site_required:
        raise NotPossible(_("该回访须由工作人员上门进行，不能在线评价。"))
    if visit.status != VisitStatus.PLANNED:
        raise NotPossible(_("该回访已完成或已取消。"))
    stand_in = next(iter(staff_with_roles(visit.project, STAND_IN_ROLES)), None)
    if stand_in is None:
        raise NotPossible(_("物业暂未开通在线评价，请等待工作人员回访。"))
    text = str(comment or "").strip()[:COMMENT_MAX]
    unsatisfied = str(satisfaction).strip().isdigit() and int(str(satisfaction)) <= UNSATISFIED_AT_MOST
    with transaction.atomic():
        done = return_visit_record(
            visit=visit,
            result=VisitResult(
                method=Method.OTHER,
                satisfaction=satisfaction,
                notes=_("业主在线评价") + (f"：{text}" if text else ""),
                shortfalls=text if unsatisfied else "",
                suggestions="" if unsatisfied else text,
                at=now,
            ),
            actor=stand_in,
        )
        case = done.case
        record(
            subject=case if case is not None else done,
            project=done.project,
            verb=VISIT_ANSWERED_VERB,
            actor=None,
            at=now,
            data={"by": "customer", "visit": done.pk, "satisfaction": done.satisfaction},
        )
    return done
