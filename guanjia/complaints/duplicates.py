"""Registering without duplicates (C01): what the desk is shown before it registers a complaint, and what it may
do instead of registering the same complaint twice.

- ``open_cases``: the chosen customer's open complaints and repairs (every case kind of ``cases.kinds``).
- ``similar_complaints``: recent complaints of the project by the same customer, about the same unit, or with
  similar words (``similarity``), within the policy's ``complaint.duplicate_window_days``.
- ``complaint_add_customer_words``: the customer's new words added to an earlier open complaint as a timeline
  event (nothing of the complaint is overwritten) instead of a new registration.
- ``complaint_note_related``: a new complaint and the earlier one it repeats name each other on their timelines.

Every read starts from what the user may see (``access.scope``) and is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_register_complaint, scope
from guanjia.cases.kinds import case_kinds
from guanjia.complaints.models import Channel, Complaint
from guanjia.complaints.similarity import keywords, text_similarity
from guanjia.core import clean
from guanjia.core.errors import TransitionError
from guanjia.estates.models import Customer, Project, Unit
from guanjia.policy.selectors import policy_for
from guanjia.timeline.models import Event
from guanjia.timeline.services import record

#: Open cases shown per kind when a customer is chosen.
OPEN_CASES_LIMIT = 10
#: Recent complaints compared with what is typed (newest first); similar ones shown.
CANDIDATES_LIMIT = 150
SIMILAR_LIMIT = 5
#: Words this similar (``similarity.text_similarity``) make a complaint of another customer worth showing.
MIN_TEXT_SIMILARITY = 0.4

ADDED_VERB = "complaint.customer_added"
RELATED_VERB = "complaint.related_linked"
# Their labels are in ``complaints.labels`` with the complaints' other verbs.


@dataclass(frozen=True)
class OpenCase:
    kind: str
    kind_label: str
    number: str
    status: str
    received_at: datetime
    url_name: str
    pk: int


def open_cases(*, user: Any, customer: Customer, limit: int = OPEN_CASES_LIMIT) -> list[OpenCase]:
    """The customer's open cases of every kind the user may see, newest first: one query per case kind."""
    found: list[OpenCase] = []
    for kind in case_kinds():
        model = kind.model
        rows = (
            scope(model._default_manager.filter(customer=customer).filter(kind.open_q()), user)
            .only("id", "number", "status", "received_at")
            .order_by("-received_at", "-id")[:limit]
        )
        labels = dict(model._meta.get_field("status").choices or ())
        found.extend(
            OpenCase(
                kind=kind.key,
                kind_label=str(model._meta.verbose_name),
                number=row.number,
                status=str(labels.get(row.status, row.status)),
                received_at=row.received_at,
                url_name=f"{model._meta.app_label}:detail",
                pk=row.pk,
            )
            for row in rows
        )
    return sorted(found, key=lambda case: case.received_at, reverse=True)


@dataclass(frozen=True)
class Similar:
    complaint: Complaint
    score: float
    reasons: tuple[str, ...]


def window_days(project: Project) -> int:
    return int(policy_for(project).get("complaint.duplicate_window_days"))


def similar_complaints(
    *,
    user: Any,
    project: Project,
    description: str,
    customer: Customer | None = None,
    unit: Unit | None = None,
    now: datetime | None = None,
    limit: int = SIMILAR_LIMIT,
) -> list[Similar]:
    """Recent complaints of ``project`` the new one may repeat, best first: the same customer's, the same
    unit's, or any with similar words. One query for the candidates (plus the policy, cached per request)."""
    now = now or timezone.now()
    if not description.strip() and customer is None and unit is None:
        return []
    since = now - timedelta(days=window_days(project))
    candidates = (
        scope(Complaint.objects.filter(project=project, received_at__gte=since), user)
        .select_related("customer", "unit__building")
        .defer("grade_reasons", "customer_request", "result", "group_measure_note")
        .order_by("-received_at", "-id")[:CANDIDATES_LIMIT]
    )
    words = keywords(description)
    found: list[Similar] = []
    for complaint in candidates:
        same_customer = customer is not None and complaint.customer_id == customer.pk
        same_unit = unit is not None and complaint.unit_id == unit.pk
        text = text_similarity(words, keywords(complaint.description)) if words else 0.0
        if not (same_customer or same_unit or text >= MIN_TEXT_SIMILARITY):
            continue
        reasons: list[str] = []
        if same_customer:
            reasons.append(_("同一客户"))
        if same_unit:
            reasons.append(_("同一房屋"))
        if text >= MIN_TEXT_SIMILARITY:
            reasons.append(_("内容相似"))
        if complaint.is_open:
            reasons.append(_("尚未办结"))
        score = text + (0.5 if same_customer else 0.0) + (0.3 if same_unit else 0.0) + (0.1 if complaint.is_open else 0)
        found.append(Similar(complaint=complaint, score=round(score, 3), reasons=tuple(reasons)))
    found.sort(key=lambda s: (-s.score, -s.complaint.received_at.timestamp()))
    return found[:limit]


def complaint_add_customer_words(
    *, complaint: Complaint, text: Any, channel: Any, actor: Any, now: datetime | None = None
) -> Event:
    """What the customer says again, added to their earlier open ``complaint`` as their own words (a timeline
    event), instead of a second registration. Nothing of the complaint is changed."""
    if not can_register_complaint(actor, complaint.project):
        raise PermissionError("role may not register complaints in this project")
    words = clean.text(text, "description", required=True, max_length=5000)
    way = str(channel or "")
    if way and way not in Channel.values:
        raise clean.invalid("channel", _("请选择投诉方式"))
    if not complaint.is_open:
        raise TransitionError(_("投诉 %(number)s 已办结，请登记新投诉并关联") % {"number": complaint.number})
    data: dict[str, Any] = {"text": words}
    if way:
        data["channel"] = way
    with transaction.atomic():
        return record(subject=complaint, verb=ADDED_VERB, actor=actor, at=now or timezone.now(), data=data)


def related_choice(*, user: Any, project: Project, value: Any) -> Complaint | None:
    """The earlier complaint the desk chose to relate the new one to (a visible complaint of the project)."""
    if not str(value or "").isdigit():
        return None
    return scope(Complaint.objects.filter(project=project), user).filter(Q(pk=int(value))).first()


def complaint_note_related(*, complaint: Complaint, earlier: Complaint, actor: Any) -> None:
    """Each of the two complaints names the other on its timeline (caller holds the registration's transaction)."""
    record(subject=complaint, verb=RELATED_VERB, actor=actor, data={"related": earlier.number})
    record(subject=earlier, verb=RELATED_VERB, actor=actor, data={"related": complaint.number})
