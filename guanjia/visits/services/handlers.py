"""The sweep's handlers of a return visit's limits (V04, V07), registered in ``VisitsConfig.ready``.

Each is written for a sweep batch (``*_many(fired, now)``, ``fired`` a list of (deadline, visit)): the visits'
projects and cases read once (a query per kind of case, not per visit), the staff of all the batch's projects at once
(``StaffOfProjects``), the status changes in one locked read and one UPDATE, the events on the cases' timelines in one
INSERT and the notices through ``notify_many``. Firing 100 limits takes the queries of firing one. The
per-deadline handlers (``on_visit_remind`` …, a deadline fired alone) are the same code with a batch of one.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role
from guanjia.cases.deadlines import batch_of_one
from guanjia.cases.models import Deadline
from guanjia.core.states import can_transition
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import StaffOfProjects
from guanjia.notifications.services import Notice, notify_many
from guanjia.timeline.services import Entry, record_many
from guanjia.visits.models import ReturnVisit, VisitStatus
from guanjia.visits.services._common import _case_label, _subject, _visit_url
from guanjia.workdays.deadlines import due_day

Fired = list[tuple[Deadline, ReturnVisit]]


def _load(fired: Fired) -> Fired:
    """The visits' projects and cases (what a notice and an event name), read once for the batch."""
    prefetch_related_objects([visit for _deadline, visit in fired], "project", "case")
    return fired


def on_visit_remind_many(fired: Fired, now: datetime) -> None:
    """The day before a visit falls due: tell the people of its role."""
    due = _load([(d, v) for d, v in fired if v.is_open])
    staff = StaffOfProjects(visit.project for _deadline, visit in due)
    notify_many(
        [
            Notice(
                recipients=staff(visit.project, [visit.visitor_role]),
                kind="visit.due_soon",
                title=_("回访即将到期：%(case)s，请于 %(day)s 24:00 前完成")
                % {"case": _case_label(visit), "day": due_day(deadline.due_at).isoformat()},
                url=_visit_url(visit),
                project=visit.project,
                dedupe_key=f"visit:{visit.pk}:remind:{deadline.pk}",
            )
            for deadline, visit in due
        ]
    )


def on_visit_missed_many(fired: Fired, now: datetime) -> None:
    """A visit not made by its due time: flagged overdue (once), the role and the supervisor told. A visit made
    or cancelled since the sweep read it (its locked row no longer planned) is left alone."""
    planned = [(d, v) for d, v in fired if v.status == VisitStatus.PLANNED]
    if not planned:
        return
    with transaction.atomic():
        rows = ReturnVisit.objects.select_for_update().filter(pk__in=sorted({v.pk for _d, v in planned}))
        locked = {row.pk: row for row in rows.order_by("pk").only("pk", "status")}
        moving = [(d, v) for d, v in planned if v.pk in locked and can_transition(locked[v.pk], VisitStatus.MISSED)]
        if not moving:
            return
        ReturnVisit.objects.filter(pk__in=[v.pk for _d, v in moving]).update(status=VisitStatus.MISSED)
        for _deadline, visit in moving:
            visit.status = VisitStatus.MISSED
        _load(moving)
        _record_each([v for _d, v in moving], "visit.overdue", now)
        staff = StaffOfProjects(visit.project for _deadline, visit in moving)
        notify_many(
            [
                Notice(
                    recipients=staff(visit.project, [visit.visitor_role, Role.CS_SUPERVISOR]),
                    kind="visit.overdue",
                    title=_("回访已逾期：%(case)s") % {"case": _case_label(visit)},
                    url=_visit_url(visit),
                    project=visit.project,
                    level=Level.WARNING,
                    dedupe_key=f"visit:{visit.pk}:overdue",
                )
                for _deadline, visit in moving
            ]
        )


def _record_each(visits: list[ReturnVisit], verb: str, now: datetime) -> None:
    """One timeline event ``verb`` by the system on each visit's case, in one write."""
    record_many(
        [
            Entry(subject=_subject(v), verb=verb, actor=None, project=v.project, data={"visit": v.pk}, at=now)
            for v in visits
        ]
    )


def on_followup_due_many(fired: Fired, now: datetime) -> None:
    """V07: still open 3 days after its planned day: the front desk goes to the door (once per visit)."""
    still_open = {v.pk: v for _d, v in fired if v.is_open}
    if not still_open:
        return
    with transaction.atomic():
        waiting = ReturnVisit.objects.filter(pk__in=sorted(still_open), door_followup_at__isnull=True)
        pks = set(waiting.select_for_update().values_list("pk", flat=True))
        if not pks:
            return
        ReturnVisit.objects.filter(pk__in=sorted(pks), door_followup_at__isnull=True).update(door_followup_at=now)
        visits = [v for v in still_open.values() if v.pk in pks]
        prefetch_related_objects(visits, "project", "case")
        _record_each(visits, "visit.door_followup", now)
        staff = StaffOfProjects(visit.project for visit in visits)
        notify_many(
            [
                Notice(
                    recipients=staff(visit.project, [Role.FRONT_DESK]),
                    kind="visit.door_followup",
                    title=_("请上门跟进：%(case)s 计划回访后 3 天仍未完成") % {"case": _case_label(visit)},
                    url=_visit_url(visit),
                    project=visit.project,
                    level=Level.WARNING,
                    dedupe_key=f"visit:{visit.pk}:door",
                )
                for visit in visits
            ]
        )


on_visit_remind = batch_of_one(on_visit_remind_many)
on_visit_missed = batch_of_one(on_visit_missed_many)
on_followup_due = batch_of_one(on_followup_due_many)
