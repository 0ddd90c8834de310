"""The sweep fires return-visit limits of a batch at once (issue 14): reminding, flagging overdue and turning
into door-to-door tasks 12 visits takes as many queries as 3, and each visit gets what it got alone (the same
status, the same events on its case's timeline, the same notices to the same people)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline
from guanjia.cases.services import sweep
from guanjia.notifications.models import Level, Notification
from guanjia.repairs.models import Repair
from guanjia.timeline.models import Event
from guanjia.visits import services
from guanjia.visits.models import ReturnVisit, VisitStatus
from guanjia.visits.services import return_visit_plan
from guanjia.visits.tests.conftest import at
from guanjia.workdays.deadlines import due_day

MIN = timedelta(minutes=1)


def plan_visits(world, time_machine, n: int, completed, tag: str) -> list[ReturnVisit]:
    time_machine.move_to(completed, tick=False)
    visits = []
    for i in range(n):
        repair = Repair.objects.create(
            project=world.estate,
            number=f"BX26{tag}{i:06d}",
            unit=world.unit,
            customer=world.customer,
            received_at=completed - timedelta(days=1),
            registered_by=world.front_desk,
            description="漏水",
        )
        visits.append(return_visit_plan(case=repair, case_type="repair", completed_at=completed, actor=None))
    return visits


def limit(visit: ReturnVisit, kind: str) -> Deadline:
    return Deadline.objects.get(subject_id=visit.pk, kind=kind, subject_type__model="returnvisit")


def fire(now) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = sweep(now)
    return len(captured.captured_queries), result


def notices(kind: str) -> set[tuple]:
    rows = Notification.objects.filter(kind=kind)
    return {(n.recipient_id, n.title, n.url, n.level, n.dedupe_key, n.project_id) for n in rows}


def events(verb: str) -> set[tuple]:
    rows = Event.objects.filter(verb=verb)
    return {(e.subject_type.model, e.subject_id, e.actor_id, e.at, e.project_id, e.reason, str(e.data)) for e in rows}


def test_firing_12_visit_limits_takes_the_queries_of_firing_3_and_does_what_each_did_alone(world, time_machine):
    small = plan_visits(world, time_machine, 3, at(2026, 11, 23, 10, 0), "a")
    large = plan_visits(world, time_machine, 12, at(2026, 12, 7, 10, 0), "b")
    times = {}
    counts = {}
    for name, batch in (("small", small), ("large", large)):
        visit_limit, door_limit = limit(batch[0], "visit"), limit(batch[0], "visit_followup")
        times[name] = (visit_limit.remind_at + MIN, visit_limit.due_at + MIN, door_limit.due_at + MIN)
        fired = [fire(when) for when in times[name]]
        counts[name] = [n for n, _result in fired]
        assert [len(r.reminded) + len(r.missed) for _n, r in fired] == [len(batch)] * 3
    assert counts["small"] == counts["large"]

    def label(visit):
        return f"工程维修 {visit.case.number}"

    desk, boss = world.front_desk, world.supervisor
    url = {v.pk: reverse("visits:visit", args=[v.pk]) for v in small + large}
    pk = world.estate.pk
    both = [(small, times["small"]), (large, times["large"])]
    assert notices("visit.due_soon") == {
        (
            desk.pk,
            f"回访即将到期：{label(v)}，请于 {due_day(v.due_at).isoformat()} 24:00 前完成",
            url[v.pk],
            Level.INFO,
            f"visit:{v.pk}:remind:{limit(v, 'visit').pk}",
            pk,
        )
        for v in small + large
    }
    assert notices("visit.overdue") == {
        (person.pk, f"回访已逾期：{label(v)}", url[v.pk], Level.WARNING, f"visit:{v.pk}:overdue", pk)
        for v in small + large
        for person in (desk, boss)
    }
    assert notices("visit.door_followup") == {
        (desk.pk, f"请上门跟进：{label(v)} 计划回访后 3 天仍未完成", url[v.pk], Level.WARNING, f"visit:{v.pk}:door", pk)
        for v in small + large
    }
    for verb, step in (("visit.overdue", 1), ("visit.door_followup", 2)):
        assert events(verb) == {
            ("repair", v.object_id, None, when[step], pk, "", str({"visit": v.pk}))
            for batch, when in both
            for v in batch
        }
    for batch, when in both:
        for visit in batch:
            visit.refresh_from_db()
            assert (visit.status, visit.door_followup_at) == (VisitStatus.MISSED, when[2])


def test_a_visit_made_meanwhile_is_left_alone_and_a_limit_fired_alone_does_the_same(world, time_machine):
    made, planned = plan_visits(world, time_machine, 2, at(2026, 11, 23, 10, 0), "c")
    ReturnVisit.objects.filter(pk=made.pk).update(status=VisitStatus.DONE)
    sweep(limit(planned, "visit").due_at + MIN)
    assert ReturnVisit.objects.get(pk=made.pk).status == VisitStatus.DONE
    assert ReturnVisit.objects.get(pk=planned.pk).status == VisitStatus.MISSED
    assert not Event.objects.filter(verb="visit.overdue", data__visit=made.pk).exists()

    door = limit(planned, "visit_followup")
    planned.refresh_from_db()
    with transaction.atomic():
        services.on_followup_due(door, planned, door.due_at)
        services.on_followup_due(door, planned, door.due_at)  # once only
    assert Event.objects.filter(verb="visit.door_followup", data__visit=planned.pk).count() == 1
    (note,) = Notification.objects.filter(kind="visit.door_followup")
    assert note.recipient == world.front_desk and note.recipient.role == Role.FRONT_DESK
