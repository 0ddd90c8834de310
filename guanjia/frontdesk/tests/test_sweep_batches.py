"""The sweep fires the custody ledger's ageing limits of a batch at once (issue 14): alerting about 12 parcels
left uncollected and 12 loans and 12 keys not back takes as many queries as about 3 of each, and each alert is
the one it was alone (the same words, the same people, once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline
from guanjia.cases.services import sweep
from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, ProofKind
from guanjia.frontdesk.services import ageing
from guanjia.notifications.models import Level, Notification

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = timedelta(days=1)


def ledger(world, time_machine, n: int, now, tag: str) -> list[CustodyItem]:
    """``n`` parcels received, ``n`` ladders lent for a day and ``n`` keys handed out, all at ``now``."""
    time_machine.move_to(now, tick=False)
    items = []
    for i in range(n):
        items.append(
            services.custody_receive(
                project=world.estate,
                kind=CustodyKind.PARCEL,
                description="",
                tracking_number=f"SF{tag}{i:08d}",
                owner_unit=world.unit,
                owner_customer=world.customer if i % 2 else None,
                owner_name="" if i % 2 else f"王{tag}{i}",
                actor=world.front_desk,
                received_at=now,
                send_code=False,
            ).obj
        )
        items.append(
            services.custody_lend(
                project=world.estate,
                description=f"人字梯 {tag}{i}",
                borrower_name=f"借用人{tag}{i}",
                borrower_unit=world.unit,
                proof_kind=ProofKind.ID_CARD,
                proof_value="110101199003071234",
                actor=world.front_desk,
                due_back_at=now + DAY,
            )
        )
        key = services.custody_receive(
            project=world.estate,
            kind=CustodyKind.KEY,
            description=f"入户门钥匙 {tag}{i}",
            owner_unit=world.unit,
            shelf="K-12",
            actor=world.butler,
        ).obj
        items.append(
            services.custody_hand_over(
                item=key, proof_kind=ProofKind.WORK_CARD, proof_value="tech", purpose="检查水管", actor=world.butler
            )
        )
    return items


def fire(now) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = sweep(now)
    return len(captured.captured_queries), result


def alert(item: CustodyItem, now) -> set[tuple]:
    """What one alert about ``item`` was when each limit fired alone: (recipient, kind, title, url, level, key)."""
    if item.kind == CustodyKind.PARCEL:
        days = (now - item.received_at).days
        title = f"{item.get_kind_display()}超过 {days} 天未领取：{item.owner_label or item.description}"
        kind, tab, level, people = "frontdesk.uncollected", "parcels", Level.INFO, ["front_desk"]
    else:
        title = f"{item.get_kind_display()}逾期未还：{item.description}（{item.taken_by_name}）"
        kind, level = "frontdesk.overdue", Level.WARNING
        tab, people = ("keys", ["front_desk", "butler"]) if item.kind == CustodyKind.KEY else ("loans", ["front_desk"])
    return {
        (person, kind, title, f"/frontdesk/?tab={tab}", level, f"{kind}:{item.pk}:{item.version}") for person in people
    }


def test_alerting_about_12_of_each_takes_the_queries_of_3_and_says_what_each_said_alone(world, time_machine):
    small = ledger(world, time_machine, 3, T0, "a")
    large = ledger(world, time_machine, 12, T0 + 10 * DAY, "b")
    n_small, fired_small = fire(T0 + 5 * DAY)
    n_large, fired_large = fire(T0 + 15 * DAY)

    assert (len(fired_small.missed), len(fired_large.missed)) == (9, 36)
    assert n_small == n_large

    names = {world.front_desk.pk: "front_desk", world.butler.pk: "butler"}
    got = {
        (names[n.recipient_id], n.kind, n.title, n.url, n.level, n.dedupe_key)
        for n in Notification.objects.filter(kind__in=["frontdesk.uncollected", "frontdesk.overdue"])
    }
    want = set()
    for items, now in ((small, T0 + 5 * DAY), (large, T0 + 15 * DAY)):
        for item in items:
            want |= alert(CustodyItem.objects.get(pk=item.pk), now)
    assert got == want
    assert Notification.objects.filter(kind__startswith="frontdesk.", project=world.estate).count() == len(want)


def test_an_item_gone_meanwhile_gets_no_alert_and_a_limit_fired_alone_says_the_same(world, time_machine):
    parcel, _loan, key = ledger(world, time_machine, 1, T0, "c")
    CustodyItem.objects.filter(pk=parcel.pk).update(status=CustodyStatus.DISPOSED)
    sweep(T0 + 5 * DAY)
    assert not Notification.objects.filter(kind="frontdesk.uncollected").exists()
    assert Notification.objects.filter(kind="frontdesk.overdue").count() == 3  # the loan's desk, the key's two

    Notification.objects.all().delete()
    limit = Deadline.objects.get(subject_id=key.pk, kind="custody_due")
    key = CustodyItem.objects.get(pk=key.pk)
    with transaction.atomic():
        ageing.on_due_missed(limit, key, T0 + 5 * DAY)
    got = {(n.recipient.username, n.kind, n.title, n.url, n.level, n.dedupe_key) for n in Notification.objects.all()}
    assert got == {("frontdesk" if who == "front_desk" else who, *rest) for who, *rest in alert(key, T0 + 5 * DAY)}
