"""What the deadline sweep does when a follow-up limit is reached (registered from ``FollowupConfig.ready``).

Each deadline fires once across workers (``guanjia.cases.services.sweep``); notifications carry a dedupe key
as well, so a person is told once per limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.cases.models import DEADLINE_KIND_LABELS, Deadline
from guanjia.cases.services import register_deadline_handler
from guanjia.followup.models import CallStatus, CustomerProfile, FollowUpCall, Issue
from guanjia.followup.services._common import supervisors
from guanjia.followup.services.archive import ARCHIVE_KIND
from guanjia.followup.services.calls import ANSWER_KIND, ESCALATE_KIND, LETTER_KIND, issue_escalate_missed
from guanjia.followup.services.plans import CALL_KIND
from guanjia.notifications.models import Level
from guanjia.notifications.services import notify

#: Names of the follow-up limits where deadlines are listed (added once, next to the cases' own kinds).
KIND_LABELS = {
    ARCHIVE_KIND: gettext_lazy("建档"),
    CALL_KIND: gettext_lazy("跟踪电话"),
    LETTER_KIND: gettext_lazy("寄出信函"),
    ESCALATE_KIND: gettext_lazy("上报"),
    ANSWER_KIND: gettext_lazy("答复客户"),
}


def _tell(
    people: list[Any], *, deadline: Deadline, kind: str, title: str, url: str, level: str = Level.WARNING
) -> None:
    notify(
        recipients=people,
        kind=kind,
        title=title,
        url=url,
        project=deadline.project,
        level=level,
        dedupe_key=f"{kind}:{deadline.pk}",
    )


def _archive_missed(deadline: Deadline, profile: CustomerProfile, now: datetime) -> None:
    if profile.completed_at is not None:
        return
    people = [p for p in [profile.owner, *supervisors(profile.project)] if p is not None]
    _tell(
        people,
        deadline=deadline,
        kind="followup.archive_overdue",
        title=_("客户档案超过 2 天未建完：%(name)s") % {"name": profile.customer.name},
        url=reverse("followup:archive", args=[profile.customer_id]),
    )


def _call_opens(deadline: Deadline, call: FollowUpCall, now: datetime) -> None:
    if call.status != CallStatus.PENDING:
        return
    _tell(
        [call.assignee],
        deadline=deadline,
        kind="followup.call_due",
        level=Level.INFO,
        title=_("今天可以拨打跟踪电话：%(name)s（%(label)s）") % {"name": call.customer.name, "label": call.label},
        url=reverse("followup:call", args=[call.pk]),
    )


def _call_missed(deadline: Deadline, call: FollowUpCall, now: datetime) -> None:
    if call.status != CallStatus.PENDING:
        return
    _tell(
        [call.assignee, *supervisors(call.project)],
        deadline=deadline,
        kind="followup.call_overdue",
        title=_("跟踪电话已超期：%(name)s（%(label)s）") % {"name": call.customer.name, "label": call.label},
        url=reverse("followup:call", args=[call.pk]),
    )


def _letter_missed(deadline: Deadline, call: FollowUpCall, now: datetime) -> None:
    _tell(
        [call.assignee],
        deadline=deadline,
        kind="followup.letter_overdue",
        title=_("邀请函超过 2 天未寄出：%(name)s") % {"name": call.customer.name},
        url=reverse("followup:call", args=[call.pk]),
    )


def _escalate_missed(deadline: Deadline, issue: Issue, now: datetime) -> None:
    issue_escalate_missed(issue, now)


def _answer_missed(deadline: Deadline, issue: Issue, now: datetime) -> None:
    if issue.answered_at is not None:
        return
    _tell(
        [issue.owner, *supervisors(issue.project)],
        deadline=deadline,
        kind="followup.answer_overdue",
        title=_("已有解决办法但当天未答复客户：%(text)s") % {"text": issue.text[:60]},
        url=reverse("followup:issue", args=[issue.pk]),
    )


def register_followup_handlers() -> None:
    for kind, label in KIND_LABELS.items():
        DEADLINE_KIND_LABELS.setdefault(kind, label)
    register_deadline_handler("followup.customerprofile", ARCHIVE_KIND, on_missed=_archive_missed)
    register_deadline_handler("followup.followupcall", CALL_KIND, on_missed=_call_missed, on_remind=_call_opens)
    register_deadline_handler("followup.followupcall", LETTER_KIND, on_missed=_letter_missed)
    register_deadline_handler("followup.issue", ESCALATE_KIND, on_missed=_escalate_missed)
    register_deadline_handler("followup.issue", ANSWER_KIND, on_missed=_answer_missed)
