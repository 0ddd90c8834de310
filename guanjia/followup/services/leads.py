"""T06: prospects graded A–D (很有希望/有希望/一般/希望不大), every contact recorded, followed up by grade."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.core import clean
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.estates.models import Project
from guanjia.followup.models import Lead, LeadChannel, LeadContact, LeadGrade, LeadStatus
from guanjia.followup.services._common import (
    check_worker,
    require_follow_up,
    required_text,
    within_days,
)
from guanjia.timeline.services import record


def cadence_days(project: Project, grade: str) -> int:
    """Days between follow-ups of a lead of ``grade``: the project's row, else the product default row."""
    from guanjia.followup.selectors import lead_cadences

    return lead_cadences(project)[grade]


def _phone(raw: str) -> str:
    return clean.phone(required_text(raw, "phone", _("请填写联系电话"), 20))


def _grade(value: str, field: str = "grade") -> str:
    if value not in LeadGrade.values:
        raise ValidationError({field: [_("请选择等级 A、B、C 或 D")]})
    return value


def lead_create(
    *,
    project: Project,
    name: str,
    phone: str,
    grade: str,
    actor: User,
    source: str = "",
    needs: str = "",
    reason: str = "",
    owner: User | None = None,
    now: datetime | None = None,
) -> Lead:
    """Fill in the customer record after a reception (客户资料表): contact, needs, why (not) bought, grade.
    The next follow-up is due by the grade's cadence."""
    require_follow_up(actor, project)
    now = now or timezone.now()
    name = required_text(name, "name", _("请填写客户姓名"), 50)
    phone = _phone(phone)
    grade = _grade(grade)
    owner = owner or actor
    check_worker(owner, project, "owner")
    next_due = within_days(now, cadence_days(project, grade))
    with transaction.atomic():
        lead = Lead._default_manager.create(
            project=project,
            name=name,
            phone=phone,
            source=(source or "").strip()[:100],
            needs=(needs or "").strip(),
            reason=(reason or "").strip(),
            grade=grade,
            owner=owner,
            last_contact_at=now,
            next_due_at=next_due,
            created_at=now,
        )
        record(
            subject=lead,
            verb="followup.lead_created",
            actor=actor,
            at=now,
            data={"grade": grade, "source": lead.source, "next_due_at": next_due.isoformat()},
        )
    return lead


def lead_contact_add(
    *,
    lead: Lead,
    actor: User,
    version: int,
    notes: str,
    grade: str | None = None,
    channel: str = "phone",
    status: str = LeadStatus.OPEN,
    at: datetime | None = None,
    now: datetime | None = None,
) -> LeadContact:
    """Record one follow-up (追踪情况) and re-grade; the next one is due by the (new) grade's cadence. A lead
    that bought (won) or gave up (lost) has no next follow-up."""
    require_follow_up(actor, lead.project_id)
    now = now or timezone.now()
    at = clean.past_time(at, now=now, field="at")
    notes = required_text(notes, "notes", _("请记录本次追踪情况"), 2000)
    new_grade = _grade(grade or lead.grade)
    if channel not in LeadChannel.values:
        raise ValidationError({"channel": [_("请选择联系方式")]})
    if status not in LeadStatus.values:
        raise ValidationError({"status": [_("请选择状态")]})
    if lead.status != LeadStatus.OPEN:
        raise TransitionError(_("该客户已结束追踪"))
    next_due = within_days(at, cadence_days(lead.project, new_grade)) if status == LeadStatus.OPEN else None
    with transaction.atomic():
        changed = Lead._default_manager.filter(pk=lead.pk, version=version, status=LeadStatus.OPEN).update(
            grade=new_grade, status=status, last_contact_at=at, next_due_at=next_due, version=F("version") + 1
        )
        if changed != 1:
            raise ConflictError(_("记录已被他人修改，请刷新后再试。"))
        contact = LeadContact._default_manager.create(
            lead=lead, at=at, channel=channel, notes=notes, grade_before=lead.grade, grade_after=new_grade, by=actor
        )
        record(
            subject=lead,
            verb="followup.lead_contacted",
            actor=actor,
            at=at,
            data={"grade": [lead.grade, new_grade], "status": status, "channel": channel},
        )
        lead.refresh_from_db()
    return contact
