"""The sweep fires the follow-up limits of a batch at once (issue 14): firing 12 archive, call, letter, escalate
and answer limits takes as many queries as firing 3, and each does what it did alone (the same notices to the
same people, the same automatic escalation and its event)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanjia.cases.models import Deadline
from guanjia.cases.services import deadline_set, sweep
from guanjia.followup.models import CustomerProfile, FollowUpCall, Issue, IssueStatus
from guanjia.followup.services import handlers
from guanjia.followup.tests.conftest import at
from guanjia.notifications.models import Level, Notification
from guanjia.testing.factories import make_customer
from guanjia.timeline.models import Event

START = at("2026-11-02")
DAY = timedelta(days=1)
MIN = timedelta(minutes=1)


def make_batch(world, n: int, due, tag: str) -> dict[str, list]:
    """``n`` profiles, calls and issues whose limits all fall due at ``due`` (the calls reminded a day before)."""
    made: dict[str, list] = {"profiles": [], "calls": [], "issues": []}
    for i in range(n):
        customer = make_customer(world.estate, name=f"客户{tag}{i}", phones=())
        profile = CustomerProfile.objects.create(
            project=world.estate, customer=customer, owner=world.butler, first_service_at=START, archive_due_at=due
        )
        deadline_set(subject=profile, kind="archive", due_at=due, now=START)
        call = FollowUpCall.objects.create(
            project=world.estate,
            customer=customer,
            label=f"第{i + 1}次回访",
            not_before=START.date(),
            due_at=due,
            assignee=world.butler,
        )
        deadline_set(subject=call, kind="call", due_at=due, now=START, remind_before=DAY)
        deadline_set(subject=call, kind="letter", due_at=due, now=START)
        issue = Issue.objects.create(
            project=world.estate,
            customer=customer,
            call=call,
            text=f"空调有异响 {tag}{i}",
            owner=world.butler,
            raised_at=START,
            handle_due_at=due,
        )
        deadline_set(subject=issue, kind="escalate", due_at=due, now=START)
        deadline_set(subject=issue, kind="answer", due_at=due, now=START)
        made["profiles"].append(profile)
        made["calls"].append(call)
        made["issues"].append(issue)
    return made


def fire(now) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = sweep(now)
    return len(captured.captured_queries), result


def notices(kind: str) -> set[tuple]:
    rows = Notification.objects.filter(kind=kind)
    return {(n.recipient_id, n.title, n.body, n.url, n.level, n.dedupe_key, n.project_id) for n in rows}


def deadline_of(subject, kind: str) -> Deadline:
    return Deadline.objects.get(subject_id=subject.pk, kind=kind, subject_type__model=type(subject)._meta.model_name)


def expected(world, made, kind: str, deadline_kind: str, people, title, *, level=Level.WARNING, url, subjects):
    return {
        (
            person.pk,
            title(subject),
            "",
            url(subject),
            level,
            f"{kind}:{deadline_of(subject, deadline_kind).pk}",
            world.estate.pk,
        )
        for subject in made[subjects]
        for person in people
    }


def test_firing_12_follow_up_limits_takes_the_queries_of_firing_3_and_does_what_each_did_alone(world):
    small_due, large_due = at("2026-11-10"), at("2026-11-20")
    small, large = make_batch(world, 3, small_due, "a"), make_batch(world, 12, large_due, "b")

    n_remind_small, r1 = fire(small_due - 2 * 60 * MIN)
    n_missed_small, r2 = fire(small_due + MIN)
    n_remind_large, r3 = fire(large_due - 2 * 60 * MIN)
    n_missed_large, r4 = fire(large_due + MIN)

    counts = [len(r.reminded) + len(r.missed) for r in (r1, r2, r3, r4)]
    assert counts == [3, 15, 12, 60]
    assert n_remind_small == n_remind_large
    assert n_missed_small == n_missed_large

    owner, boss = world.butler, world.supervisor
    made = {key: small[key] + large[key] for key in small}
    assert notices("followup.call_due") == expected(
        world,
        made,
        "followup.call_due",
        "call",
        [owner],
        lambda c: f"今天可以拨打跟踪电话：{c.customer.name}（{c.label}）",
        level=Level.INFO,
        url=lambda c: reverse("followup:call", args=[c.pk]),
        subjects="calls",
    )
    assert notices("followup.call_overdue") == expected(
        world,
        made,
        "followup.call_overdue",
        "call",
        [owner, boss],
        lambda c: f"跟踪电话已超期：{c.customer.name}（{c.label}）",
        url=lambda c: reverse("followup:call", args=[c.pk]),
        subjects="calls",
    )
    assert notices("followup.letter_overdue") == expected(
        world,
        made,
        "followup.letter_overdue",
        "letter",
        [owner],
        lambda c: f"邀请函超过 2 天未寄出：{c.customer.name}",
        url=lambda c: reverse("followup:call", args=[c.pk]),
        subjects="calls",
    )
    assert notices("followup.archive_overdue") == expected(
        world,
        made,
        "followup.archive_overdue",
        "archive",
        [owner, boss],
        lambda p: f"客户档案超过 2 天未建完：{p.customer.name}",
        url=lambda p: reverse("followup:archive", args=[p.customer_id]),
        subjects="profiles",
    )
    assert notices("followup.answer_overdue") == expected(
        world,
        made,
        "followup.answer_overdue",
        "answer",
        [owner, boss],
        lambda i: f"已有解决办法但当天未答复客户：{i.text}",
        url=lambda i: reverse("followup:issue", args=[i.pk]),
        subjects="issues",
    )
    # Escalated automatically, once each: the status, the event and the supervisor told, as one by one.
    escalated = {
        (boss.pk, f"跟踪服务事项超过 2 天未解决：{i.text}", "负责人：王管家", reverse("followup:issue", args=[i.pk]))
        for i in made["issues"]
    }
    rows = Notification.objects.filter(kind="followup.issue_escalated")
    assert {(n.recipient_id, n.title, n.body, n.url) for n in rows} == escalated
    assert {(n.level, n.dedupe_key) for n in rows} == {
        (Level.WARNING, f"followup.issue_escalated:{i.pk}") for i in made["issues"]
    }
    for batch, due in ((small, small_due), (large, large_due)):
        for issue in batch["issues"]:
            issue.refresh_from_db()
            assert (issue.status, issue.escalated_at, issue.escalated_automatically, issue.version) == (
                IssueStatus.ESCALATED,
                due + MIN,
                True,
                2,
            )
            (event,) = Event.objects.filter(subject_id=issue.pk, verb="followup.issue_escalated")
            assert (event.actor_id, event.at, event.project_id, event.reason) == (None, due + MIN, world.estate.pk, "")
            assert event.data == {"from": "open", "to": "escalated", "automatic": True}


def test_a_limit_fired_alone_does_the_same_as_in_a_batch(world):
    due = at("2026-11-10")
    made = make_batch(world, 1, due, "c")
    issue, profile = made["issues"][0], made["profiles"][0]
    with transaction.atomic():
        handlers._escalate_missed(deadline_of(issue, "escalate"), issue, due + MIN)
        handlers._archive_missed(deadline_of(profile, "archive"), profile, due + MIN)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ESCALATED and issue.escalated_automatically
    assert Event.objects.filter(subject_id=issue.pk, verb="followup.issue_escalated", actor=None).count() == 1
    assert Notification.objects.get(kind="followup.issue_escalated").recipient == world.supervisor
    assert set(Notification.objects.filter(kind="followup.archive_overdue").values_list("recipient_id", flat=True)) == {
        world.butler.pk,
        world.supervisor.pk,
    }


def test_a_limit_whose_subject_moved_on_does_nothing(world):
    due = at("2026-11-10")
    made = make_batch(world, 2, due, "d")
    done = made["issues"][0]
    Issue.objects.filter(pk=done.pk).update(status=IssueStatus.SOLVED, answered_at=due - DAY)
    CustomerProfile.objects.filter(pk=made["profiles"][0].pk).update(completed_at=due - DAY)
    sweep(due + MIN)
    assert Notification.objects.filter(kind="followup.issue_escalated").count() == 1
    assert not Event.objects.filter(subject_id=done.pk, verb="followup.issue_escalated").exists()
    assert Notification.objects.filter(kind="followup.answer_overdue").count() == 2  # owner and supervisor, once
    assert Notification.objects.filter(kind="followup.archive_overdue").count() == 2


def test_in_an_estate_without_a_cs_supervisor_a_batch_reports_to_the_office_manager(world):
    """T03's fallback, through the batch's staff read at once (``SupervisorsOf``)."""
    world.supervisor.is_active = False
    world.supervisor.save(update_fields=["is_active"])
    due = at("2026-11-10")
    made = make_batch(world, 2, due, "c")
    fire(due + MIN)
    overdue = Notification.objects.filter(kind="followup.call_overdue")
    assert {n.recipient_id for n in overdue} == {world.butler.pk, world.office_manager.pk}
    assert overdue.count() == 2 * len(made["calls"])
