"""T04: activity invitations by phone 2 weeks before, letters within 2 days after, every letter registered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.cases.services import deadline_meet
from guanjia.estates.models import Customer, Project
from guanjia.followup.limits import limits_for
from guanjia.followup.models import (
    Activity,
    CallPurpose,
    CustomerProfile,
    FollowUpCall,
    LetterKind,
    LetterRegister,
)
from guanjia.followup.services._common import (
    days_after,
    end_of,
    require_follow_up,
    required_text,
    start_of,
    today,
)
from guanjia.followup.services.calls import LETTER_KIND
from guanjia.followup.services.plans import call_deadline
from guanjia.timeline.services import record


def invitation_due(held_on: date, project: Project) -> datetime:
    """T04: 24:00 of the day two weeks (the project's ``followup.invitation_lead_days``) before the activity:
    the phone invitations must have gone out by then."""
    return end_of(days_after(held_on, -limits_for(project).invitation_lead_days))


def activity_create(
    *,
    project: Project,
    name: str,
    held_on: date | None,
    actor: User,
    place: str = "",
    description: str = "",
    customers: Iterable[Customer] | None = None,
    now: datetime | None = None,
) -> Activity:
    """Create an activity and one invitation call per customer (by default every customer in the follow-up
    archive of the project), each due 2 weeks before the activity and given to the customer's follow-up owner.
    An activity planned less than 2 weeks ahead gets invitations that are already late, and show so."""
    require_follow_up(actor, project)
    now = now or timezone.now()
    name = required_text(name, "name", _("请填写活动名称"), 100)
    if held_on is None:
        raise ValidationError({"held_on": [_("请填写活动日期")]})
    if held_on <= today(now):
        raise ValidationError({"held_on": [_("活动日期应晚于今天")]})
    if customers is None:
        profiles = CustomerProfile._default_manager.filter(project=project).select_related("customer")
        invitees = [(p.customer, p.owner_id or actor.pk) for p in profiles]
    else:
        chosen = list(customers)
        if any(c.project_id != project.pk for c in chosen):
            raise ValidationError({"customers": [_("客户不属于本项目")]})
        owners = dict(
            CustomerProfile._default_manager.filter(customer__in=chosen).values_list("customer_id", "owner_id")
        )
        invitees = [(c, owners.get(c.pk) or actor.pk) for c in chosen]
    due = invitation_due(held_on, project)
    with transaction.atomic():
        activity = Activity._default_manager.create(
            project=project,
            name=name,
            held_on=held_on,
            place=(place or "").strip()[:200],
            description=(description or "").strip(),
            created_by=actor,
            created_at=now,
        )
        label = _("活动邀请：%(name)s") % {"name": name}
        FollowUpCall._default_manager.bulk_create(
            FollowUpCall(
                project=project,
                customer=customer,
                purpose=CallPurpose.INVITATION,
                activity=activity,
                label=label[:100],
                not_before=today(now),
                due_at=due,
                assignee_id=owner_id,
            )
            for customer, owner_id in invitees
        )
        for call in FollowUpCall._default_manager.filter(activity=activity):
            call_deadline(call, now)
        record(
            subject=activity,
            verb="followup.activity_created",
            actor=actor,
            at=now,
            data={"held_on": str(held_on), "invitations": len(invitees), "due_at": due.isoformat()},
        )
    return activity


def letter_register(
    *,
    project: Project,
    customer: Customer,
    subject: str,
    sent_on: date | None,
    actor: User,
    kind: str = LetterKind.INVITATION,
    activity: Activity | None = None,
    call: FollowUpCall | None = None,
    address: str = "",
    now: datetime | None = None,
) -> LetterRegister:
    """Register a letter sent (跟踪服务信函登记表). Tied to an invitation call, it keeps the call's letter limit."""
    require_follow_up(actor, project)
    now = now or timezone.now()
    if customer.project_id != project.pk:
        raise ValidationError({"customer": [_("客户不属于本项目")]})
    if kind not in LetterKind.values:
        raise ValidationError({"kind": [_("请选择信函类别")]})
    subject = required_text(subject, "subject", _("请填写事由"), 200)
    if sent_on is None:
        raise ValidationError({"sent_on": [_("请填写寄出日期")]})
    if sent_on > today(now):
        raise ValidationError({"sent_on": [_("寄出日期不能晚于今天")]})
    if activity is not None and activity.project_id != project.pk:
        raise ValidationError({"activity": [_("活动不属于本项目")]})
    if call is not None and (call.project_id != project.pk or call.customer_id != customer.pk):
        raise ValidationError({"call": [_("邀请电话与客户不符")]})
    if call is not None and activity is None:
        activity = call.activity
    if not address:
        profile = CustomerProfile._default_manager.filter(customer=customer).select_related("unit__building").first()
        address = profile.unit.number if profile and profile.unit else ""
    with transaction.atomic():
        letter = LetterRegister._default_manager.create(
            project=project,
            customer=customer,
            kind=kind,
            activity=activity,
            call=call,
            subject=subject,
            sent_on=sent_on,
            address=address[:200],
            registered_by=actor,
            registered_at=now,
        )
        record(
            subject=letter,
            verb="followup.letter_registered",
            actor=actor,
            at=now,
            data={"customer": customer.pk, "kind": kind, "sent_on": str(sent_on), "call": getattr(call, "pk", None)},
        )
        if call is not None:
            deadline_meet(subject=call, kind=LETTER_KIND, at=start_of(sent_on))
    return letter
