"""What the deadline sweep does when a follow-up limit is reached (registered from ``FollowupConfig.ready``).

Each deadline fires once across workers (``guanjia.cases.services.sweep``); notifications carry a dedupe key
as well, so a person is told once per limit.

Each handler is written for a sweep batch (``*_many(fired, now)``, ``fired`` a list of (deadline, subject)): the
rows a notice names read once per relation, the supervisors once per project, the notices through
``notify_many`` and the automatic escalations through ``issues_escalate_missed``, so firing 100 limits takes the
queries of firing one. The per-deadline handler (a deadline fired alone) is the same code with a batch of one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.cases.deadlines import batch_of_one
from guanjia.cases.models import DEADLINE_KIND_LABELS, Deadline
from guanjia.cases.services import register_deadline_handler
from guanjia.followup.models import CallStatus
from guanjia.followup.services._common import SupervisorsOf
from guanjia.followup.services.archive import ARCHIVE_KIND
from guanjia.followup.services.calls import ANSWER_KIND, ESCALATE_KIND, LETTER_KIND, issues_escalate_missed
from guanjia.followup.services.plans import CALL_KIND
from guanjia.notifications.models import Level
from guanjia.notifications.services import Notice, notify_many

#: Names of the follow-up limits where deadlines are listed (added once, next to the cases' own kinds).
KIND_LABELS = {
    ARCHIVE_KIND: gettext_lazy("建档"),
    CALL_KIND: gettext_lazy("跟踪电话"),
    LETTER_KIND: gettext_lazy("寄出信函"),
    ESCALATE_KIND: gettext_lazy("上报"),
    ANSWER_KIND: gettext_lazy("答复客户"),
}


Fired = list[tuple[Deadline, Any]]


def _notice(
    people: list[Any], *, deadline: Deadline, kind: str, title: str, url: str, level: str = Level.WARNING
) -> Notice:
    return Notice(
        recipients=people,
        kind=kind,
        title=title,
        url=url,
        project=deadline.project,
        level=level,
        dedupe_key=f"{kind}:{deadline.pk}",
    )


def _load(fired: Fired, *related: str) -> Fired:
    """The batch's subjects with the rows their notices name, read once per relation (not per deadline)."""
    prefetch_related_objects([subject for _deadline, subject in fired], *related)
    return fired


def _archive_missed_many(fired: Fired, now: datetime) -> None:
    loaded = _load(fired, "owner", "project", "customer")
    bosses = SupervisorsOf(profile.project for _deadline, profile in loaded)
    notify_many(
        [
            _notice(
                [p for p in [profile.owner, *bosses(profile.project)] if p is not None],
                deadline=deadline,
                kind="followup.archive_overdue",
                title=_("客户档案超过 2 天未建完：%(name)s") % {"name": profile.customer.name},
                url=reverse("followup:archive", args=[profile.customer_id]),
            )
            for deadline, profile in loaded
            if profile.completed_at is None
        ]
    )


def _call_opens_many(fired: Fired, now: datetime) -> None:
    notify_many(
        [
            _notice(
                [call.assignee],
                deadline=deadline,
                kind="followup.call_due",
                level=Level.INFO,
                title=_("今天可以拨打跟踪电话：%(name)s（%(label)s）")
                % {"name": call.customer.name, "label": call.label},
                url=reverse("followup:call", args=[call.pk]),
            )
            for deadline, call in _load(fired, "assignee", "customer")
            if call.status == CallStatus.PENDING
        ]
    )


def _call_missed_many(fired: Fired, now: datetime) -> None:
    loaded = _load(fired, "assignee", "project", "customer")
    bosses = SupervisorsOf(call.project for _deadline, call in loaded)
    notify_many(
        [
            _notice(
                [call.assignee, *bosses(call.project)],
                deadline=deadline,
                kind="followup.call_overdue",
                title=_("跟踪电话已超期：%(name)s（%(label)s）") % {"name": call.customer.name, "label": call.label},
                url=reverse("followup:call", args=[call.pk]),
            )
            for deadline, call in loaded
            if call.status == CallStatus.PENDING
        ]
    )


def _letter_missed_many(fired: Fired, now: datetime) -> None:
    notify_many(
        [
            _notice(
                [call.assignee],
                deadline=deadline,
                kind="followup.letter_overdue",
                title=_("邀请函超过 2 天未寄出：%(name)s") % {"name": call.customer.name},
                url=reverse("followup:call", args=[call.pk]),
            )
            for deadline, call in _load(fired, "assignee", "customer")
        ]
    )


def _escalate_missed_many(fired: Fired, now: datetime) -> None:
    issues_escalate_missed([issue for _deadline, issue in fired], now)


def _answer_missed_many(fired: Fired, now: datetime) -> None:
    loaded = _load(fired, "owner", "project")
    bosses = SupervisorsOf(issue.project for _deadline, issue in loaded)
    notify_many(
        [
            _notice(
                [issue.owner, *bosses(issue.project)],
                deadline=deadline,
                kind="followup.answer_overdue",
                title=_("已有解决办法但当天未答复客户：%(text)s") % {"text": issue.text[:60]},
                url=reverse("followup:issue", args=[issue.pk]),
            )
            for deadline, issue in loaded
            if issue.answered_at is None
        ]
    )


_archive_missed = batch_of_one(_archive_missed_many)
_call_opens = batch_of_one(_call_opens_many)
_call_missed = batch_of_one(_call_missed_many)
_letter_missed = batch_of_one(_letter_missed_many)
_escalate_missed = batch_of_one(_escalate_missed_many)
_answer_missed = batch_of_one(_answer_missed_many)


def register_followup_handlers() -> None:
    for kind, label in KIND_LABELS.items():
        DEADLINE_KIND_LABELS.setdefault(kind, label)
    register = register_deadline_handler
    register("followup.customerprofile", ARCHIVE_KIND, on_missed=_archive_missed, on_missed_many=_archive_missed_many)
    register(
        "followup.followupcall",
        CALL_KIND,
        on_missed=_call_missed,
        on_remind=_call_opens,
        on_missed_many=_call_missed_many,
        on_remind_many=_call_opens_many,
    )
    register("followup.followupcall", LETTER_KIND, on_missed=_letter_missed, on_missed_many=_letter_missed_many)
    register("followup.issue", ESCALATE_KIND, on_missed=_escalate_missed, on_missed_many=_escalate_missed_many)
    register("followup.issue", ANSWER_KIND, on_missed=_answer_missed, on_missed_many=_answer_missed_many)
