"""Registering a complaint (C01–C03, C17): checked once by the case intake, graded and timed from when it was
received."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_register_complaint,
)
from guanjia.accounts.models import Role
from guanjia.cases.intake import case_intake, case_number_take, case_register
from guanjia.cases.models import Department
from guanjia.complaints.grading import compute_grade
from guanjia.complaints.incidents import incident_customer_count
from guanjia.complaints.models import (
    Channel,
    Complaint,
    ComplaintStatus,
    Incident,
    MailEntry,
)
from guanjia.complaints.services._common import (
    DESCRIPTION_MAX,
    EDITABLE,
    LATE_ENTRY_AFTER,
    _choice,
    _clean_fact,
    _error,
    _first_limits,
    _limits,
    _locked,
    _notify_grade,
    _now,
    _people,
    _regrade,
    _require,
    _text,
    _thresholds,
    _url,
)
from guanjia.estates.models import Customer, Project, Unit
from guanjia.notifications.services import notify
from guanjia.timeline.services import record

# --- registration (C01–C03, C17) ---------------------------------------------------------------------------------


def complaint_register(
    *,
    project: Project,
    actor: Any,
    channel: str,
    description: str,
    received_at: datetime | None = None,
    customer: Customer | None = None,
    customer_name: str = "",
    contact_phone: str = "",
    unit: Unit | None = None,
    location: str = "",
    occurred_at: datetime | None = None,
    against_department: str = Department.OTHER,
    against_person: str = "",
    customer_request: str = "",
    requested_deadline: datetime | None = None,
    incident: Incident | None = None,
    first_responder: Any | None = None,
    special_service: bool = False,
    facts: Mapping[str, Any] | None = None,
    mail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Register a complaint as the customer tells it (C02), graded (C06–C10) and timed (C13) from
    ``received_at``. ``first_responder`` is whoever first received it (C03; default the actor)."""
    now = _now(now)
    _require(can_register_complaint(actor, project))
    intake = case_intake(
        project=project,
        actor=actor,
        now=now,
        received_at=received_at,
        customer=customer,
        customer_name=customer_name,
        contact_phone=contact_phone,
        unit=unit,
        first_responder=first_responder,
    )
    received = intake.received_at
    values: dict[str, Any] = {
        "channel": _choice(channel, "channel", Channel.values, _("请选择有效的投诉方式")),
        "description": _text(description, "description", required=True, max_length=DESCRIPTION_MAX),
    }
    for name, value in {
        "location": location,
        "occurred_at": occurred_at,
        "against_department": against_department,
        "against_person": against_person,
        "customer_request": customer_request,
        "requested_deadline": requested_deadline,
        "special_service": special_service,
        **(facts or {}),
    }.items():
        if name not in EDITABLE:
            raise _error(name, _("未知字段"))
        values[name] = _clean_fact(name, value, received_at=received, now=now)
    if intake.unit is None and customer is not None:
        # A customer's complaint is about their home unless it names a unit.
        intake = intake.replace(unit=customer.home_unit())
    if incident is not None and incident.project_id != project.pk:
        raise _error("incident", _("事件不属于本项目"))
    mail_values: dict[str, str] = {}
    if values["channel"] == Channel.LETTER:
        mail = mail or {}
        caller = intake.customer_name or (customer.name if customer else "")
        sender = _text(mail.get("sender"), "sender", max_length=100) or caller
        subject = _text(mail.get("subject"), "subject", max_length=200) or values["description"][:200]
        mail_values = {"sender": sender, "subject": subject}

    # Graded (C06–C10) and timed (C13) before the row is written, so it is written once with its limits.
    draft = Complaint(project=project, received_at=received, incident=incident, **values)
    customers = incident_customer_count(incident, joining=draft) if incident is not None else 1
    result = compute_grade(draft.facts(customers_in_incident=customers), _thresholds(project))
    draft.computed_grade = draft.grade = result.grade
    graded = {
        "computed_grade": result.grade,
        "grade": result.grade,
        "grade_reasons": [{"rule": r.rule, "grade": str(r.grade), "text": r.text} for r in result.reasons],
        "escalate_to": _limits(draft).escalate_to or "",
    }
    limits = _first_limits(draft)
    number = case_number_take(Complaint, intake)  # before the transaction: registrations do not queue on it
    with transaction.atomic():
        complaint = case_register(
            Complaint,
            intake=intake,
            number=number,
            limits=limits,
            now=now,
            status=ComplaintStatus.REGISTERED,
            incident=incident,
            entered_late=now - received > LATE_ENTRY_AFTER,
            **graded,
            **values,
        )
        record(
            subject=complaint,
            verb="complaint.registered",
            actor=actor,
            at=now,
            data={
                "channel": complaint.channel,
                "received_at": received.isoformat(),
                "first_responder": intake.first_responder.pk,
                "grade": complaint.grade,
                "reasons": complaint.grade_reasons,
                "entered_late": complaint.entered_late,
                "incident": getattr(incident, "pk", None),
            },
        )
        if mail_values:
            entry = MailEntry.objects.create(
                project=project, complaint=complaint, received_at=received, registered_by=actor, **mail_values
            )
            record(subject=complaint, verb="complaint.mail_registered", actor=actor, at=now, data={"mail": entry.pk})
            notify(
                recipients=_people(complaint, [Role.OFFICE_MANAGER, Role.CS_SUPERVISOR]),
                kind="complaint.letter",
                title=_("书面投诉 %(number)s：%(subject)s") % {"number": complaint.number, "subject": entry.subject},
                url=_url(complaint),
                project=project,
                dedupe_key=f"complaint:{complaint.pk}:letter",
            )
        _notify_grade(complaint, raised=False)
        if incident is not None:
            # C12: one more customer in the incident may lift every complaint already in it.
            for other in Complaint.objects.filter(incident=incident).exclude(pk=complaint.pk).order_by("pk"):
                _regrade(_locked(other), actor=actor, now=now, cause="incident", incident=incident)
    return complaint
