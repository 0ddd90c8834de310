"""T01: the archive of a first-time customer, complete within 2 days of the first service or consultation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts.models import User
from guanjia.cases.services import deadline_meet, deadline_set
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Customer, Unit
from guanjia.followup.limits import limits_for
from guanjia.followup.models import CustomerProfile, ServiceRecord
from guanjia.followup.services._common import (
    check_worker,
    require_follow_up,
    required_text,
    within_days,
)
from guanjia.timeline.services import record

ARCHIVE_KIND = "archive"

#: The archive's fields by name, for messages ("still missing: 电话、服务周期").
FIELD_LABELS = {
    "unit": gettext_lazy("地址（房屋）"),
    "phone": gettext_lazy("电话"),
    "wishes": gettext_lazy("客户希望得到的服务"),
    "service": gettext_lazy("服务记录"),
    "service_cycle": gettext_lazy("服务周期与下次服务日期"),
}


def profile_ensure(
    *,
    customer: Customer,
    actor: User,
    first_service_at: datetime | None = None,
    owner: User | None = None,
    now: datetime | None = None,
) -> tuple[CustomerProfile, bool]:
    """The customer's archive; a first-time customer gets one now, prefilled from the estates archive (unit,
    phone), with a task due at 24:00 of the 2nd day after the first service (T01). Returns (profile, created)."""
    require_follow_up(actor, customer.project_id)
    now = now or timezone.now()
    existing = CustomerProfile._default_manager.filter(customer=customer).first()
    if existing is not None:
        return existing, False
    first = clean.past_time(first_service_at, now=now, field="first_service_at")
    owner = owner or actor
    check_worker(owner, customer.project, "owner")
    residency = customer.residencies.filter(move_out_date__isnull=True).select_related("unit").first()
    phone = customer.phones.order_by("position", "id").values_list("number", flat=True).first() or ""
    with transaction.atomic():
        profile = CustomerProfile._default_manager.create(
            project=customer.project,
            customer=customer,
            unit=residency.unit if residency else None,
            phone=phone,
            first_service_at=first,
            owner=owner,
            archive_due_at=within_days(first, limits_for(customer.project).archive_days),
            created_at=now,
        )
        deadline_set(subject=profile, kind=ARCHIVE_KIND, due_at=profile.archive_due_at, now=now)
        record(
            subject=profile,
            verb="followup.archive_opened",
            actor=actor,
            at=now,
            data={"customer": customer.pk, "due_at": profile.archive_due_at.isoformat()},
        )
    return profile, True


def profile_update(
    *,
    profile: CustomerProfile,
    actor: User,
    version: int,
    unit: Unit | None,
    phone: str,
    wishes: str,
    now: datetime | None = None,
) -> CustomerProfile:
    """Correct the archive's address, phone and wishes; completes it when nothing is missing any more."""
    require_follow_up(actor, profile.project_id)
    now = now or timezone.now()
    if unit is not None and unit.project_id != profile.project_id:
        raise ValidationError({"unit": [_("房屋不属于本项目")]})
    phone = clean.phone(phone)
    with transaction.atomic():
        changed = CustomerProfile._default_manager.filter(pk=profile.pk, version=version).update(
            unit=unit, phone=phone, wishes=(wishes or "").strip(), version=F("version") + 1
        )
        if changed != 1:
            raise ConflictError(_("档案已被他人修改，请刷新后再试。"))
        profile.refresh_from_db()
        record(
            subject=profile,
            verb="followup.archive_updated",
            actor=actor,
            at=now,
            data={"unit": getattr(unit, "pk", None), "phone_set": bool(phone), "wishes_set": bool(profile.wishes)},
        )
        _complete_if_ready(profile, actor, now)
    return profile


def service_record_add(
    *,
    profile: CustomerProfile,
    actor: User,
    served_on: date | None,
    serviced: str,
    cycle_days: int | None = None,
    next_due_on: date | None = None,
    no_cycle: bool = False,
    now: datetime | None = None,
) -> ServiceRecord:
    """Record a service: what, when, its cycle and the next due date (computed from the cycle when not given)."""
    require_follow_up(actor, profile.project_id)
    now = now or timezone.now()
    if served_on is None:
        raise ValidationError({"served_on": [_("请填写服务日期")]})
    if served_on > timezone.localdate(now):
        raise ValidationError({"served_on": [_("服务日期不能晚于今天")]})
    serviced = required_text(serviced, "serviced", _("请填写服务项目"), 200)
    if cycle_days is not None and not (1 <= cycle_days <= 3660):
        raise ValidationError({"cycle_days": [_("服务周期应为 1–3660 天")]})
    if no_cycle:
        cycle_days, next_due_on = None, None
    elif cycle_days is not None and next_due_on is None:
        next_due_on = served_on + timedelta(days=cycle_days)
    if next_due_on is not None and next_due_on <= served_on:
        raise ValidationError({"next_due_on": [_("下次服务日期应晚于服务日期")]})
    with transaction.atomic():
        row = ServiceRecord._default_manager.create(
            profile=profile,
            served_on=served_on,
            serviced=serviced,
            cycle_days=cycle_days,
            next_due_on=next_due_on,
            no_cycle=no_cycle,
            recorded_by=actor,
            recorded_at=now,
        )
        record(
            subject=profile,
            verb="followup.service_recorded",
            actor=actor,
            at=now,
            data={"service": row.pk, "serviced": serviced, "next_due_on": str(next_due_on or "")},
        )
        _complete_if_ready(profile, actor, now)
    return row


def _complete_if_ready(profile: CustomerProfile, actor: Any, now: datetime) -> None:
    """Inside the caller's transaction: mark the archive complete once no T01 field is missing."""
    if profile.completed_at is not None or profile.missing_fields():
        return
    if CustomerProfile._default_manager.filter(pk=profile.pk, completed_at__isnull=True).update(completed_at=now) != 1:
        return
    profile.completed_at = now
    deadline = deadline_meet(subject=profile, kind=ARCHIVE_KIND, at=now)
    on_time = deadline is None or deadline.met_on_time
    record(subject=profile, verb="followup.archive_completed", actor=actor, at=now, data={"on_time": on_time})


def missing_labels(profile: CustomerProfile) -> list[str]:
    return [str(FIELD_LABELS[name]) for name in profile.missing_fields()]
