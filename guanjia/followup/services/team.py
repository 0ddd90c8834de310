"""T05: when the assigned person is absent, the supervisor hands their open follow-up work to a colleague in
one action (指定跟踪业务员不在岗时，由业务主管临时指派本部其他人员暂时代理工作)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.followup.models import (
    CallStatus,
    CustomerProfile,
    FollowUpCall,
    FollowUpPlan,
    Issue,
    IssueStatus,
    Lead,
    LeadStatus,
    PlanStatus,
    Reassignment,
)
from guanjia.followup.services._common import check_worker, require_supervisor, required_text
from guanjia.notifications.services import notify
from guanjia.timeline.services import record

#: Who is responsible for each kind of open work.
OWNER_FIELD = {"calls": "assignee", "plans": "assignee", "issues": "owner", "archives": "owner", "leads": "owner"}


def open_work_all(project: Project) -> dict[str, QuerySet[Any]]:
    """Everything still open in ``project``, by kind (see ``OWNER_FIELD`` for whose it is)."""
    return {
        "calls": FollowUpCall._default_manager.filter(project=project, status=CallStatus.PENDING),
        "plans": FollowUpPlan._default_manager.filter(project=project, status=PlanStatus.ACTIVE),
        "issues": Issue._default_manager.filter(project=project).exclude(status=IssueStatus.ANSWERED),
        "archives": CustomerProfile._default_manager.filter(project=project, completed_at__isnull=True),
        "leads": Lead._default_manager.filter(project=project, status=LeadStatus.OPEN),
    }


def open_work(project: Project, user: User) -> dict[str, QuerySet[Any]]:
    """Everything still open that ``user`` is responsible for in ``project``, by kind."""
    return {name: rows.filter(**{OWNER_FIELD[name]: user}) for name, rows in open_work_all(project).items()}


def followup_reassign(
    *, project: Project, from_user: User, to_user: User, actor: User, reason: str, now: datetime | None = None
) -> Reassignment:
    """Move all of ``from_user``'s open calls, plans, issues, archive tasks and leads in ``project`` to
    ``to_user``; one ``Reassignment`` row and one timeline event per moved item; ``to_user`` is told."""
    require_supervisor(actor, project)
    now = now or timezone.now()
    reason = required_text(reason, "reason", _("请填写原因（例如 休假、外出）"), 200)
    check_worker(to_user, project, "to_user")
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": [_("代理人不能是原负责人")]})
    counts: dict[str, int] = {}
    with transaction.atomic():
        moved: list[models.Model] = []
        for name, rows in open_work(project, from_user).items():
            items = list(rows.select_for_update())
            field = OWNER_FIELD[name]
            rows.model._default_manager.filter(pk__in=[i.pk for i in items]).update(**{field: to_user})
            counts[name] = len(items)
            moved.extend(items)
        reassignment = Reassignment._default_manager.create(
            project=project, from_user=from_user, to_user=to_user, reason=reason, counts=counts, by=actor, at=now
        )
        record(
            subject=reassignment,
            verb="followup.reassigned",
            actor=actor,
            at=now,
            reason=reason,
            data={"from": from_user.pk, "to": to_user.pk, "counts": counts},
        )
        for item in moved:
            record(
                subject=item,
                verb="followup.reassigned",
                actor=actor,
                at=now,
                project=project,
                reason=reason,
                data={"from": from_user.pk, "to": to_user.pk, "reassignment": reassignment.pk},
            )
        total = sum(counts.values())
        if total:
            notify(
                recipients=[to_user],
                kind="followup.reassigned",
                title=_("%(who)s 的 %(n)s 项跟踪工作已交给您代理") % {"who": from_user.display_name, "n": total},
                body=reason,
                project=project,
                dedupe_key=f"followup.reassigned:{reassignment.pk}",
            )
    return reassignment
