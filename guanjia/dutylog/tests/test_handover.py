"""F09 Shift handover: the outgoing shift records open matters and items in custody; the incoming one signs
on; open matters carry over until closed; unsigned handovers are flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.cases.services import case_number_next, deadline_set
from guanjia.cases.testapp.models import Ticket
from guanjia.core.errors import NotPossible
from guanjia.core.evidence import AppendOnlyError
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import Handover, HandoverSnapshot
from guanjia.dutylog.tests.conftest import verbs
from guanjia.frontdesk.models import CustodyItem, Visitor
from guanjia.notifications.models import Notification

pytestmark = pytest.mark.django_db


def make_desk_ledger(world):
    """A parcel waiting, a key out, a visitor inside (F1's ledgers), and one of each at the other estate."""
    now = timezone.now()
    CustodyItem.objects.create(
        project=world.estate, kind="parcel", description="顺丰快递", owner_customer=world.customer,
        owner_unit=world.unit, shelf="A-3", received_at=now - timedelta(hours=3), received_by=world.front_desk,
    )  # fmt: skip
    CustodyItem.objects.create(
        project=world.estate, kind="key", description="1201 空置房钥匙", owner_unit=world.unit,
        received_at=now - timedelta(days=3), received_by=world.butler, status="handed_over",
        handed_over_at=now - timedelta(hours=1), taken_by_name="装修队老张", due_back_at=now + timedelta(hours=4),
    )  # fmt: skip
    Visitor.objects.create(
        project=world.estate, name="钱访客", host_unit=world.unit, status="admitted",
        arrived_at=now - timedelta(minutes=20), admitted_at=now - timedelta(minutes=18), registered_by=world.front_desk,
    )  # fmt: skip
    CustodyItem.objects.create(
        project=world.other_estate, kind="parcel", description="翠湖苑的快递", received_at=now,
        received_by=world.outsider,
    )  # fmt: skip


def make_ticket_due_soon(world, hours=2):
    now = timezone.now()
    ticket = Ticket.objects.create(
        project=world.estate, number=case_number_next(prefix="TK", at=now), customer=world.customer,
        unit=world.unit, received_at=now, registered_by=world.front_desk,
    )  # fmt: skip
    deadline_set(subject=ticket, kind="resolve", due_at=now + timedelta(hours=hours), now=now)
    return ticket


def test_f09_sheet_is_built_from_live_data(world, shift):
    make_desk_ledger(world)
    ticket = make_ticket_due_soon(world)
    far = make_ticket_due_soon(world, hours=48)
    services.log_entry_add(shift=shift, text="5栋电梯困人已解救，待维保检查", is_open=True, actor=world.front_desk)
    sheet = selectors.handover_sheet(project=world.estate, shift=shift, now=timezone.now())
    assert [d["number"] for d in sheet.deadlines] == [ticket.number]  # far.number is not due within 12 h
    assert far.number not in str(sheet.as_json())
    assert [c["what"] for c in sheet.custody_out] == ["1201 空置房钥匙"]
    assert [c["what"] for c in sheet.custody_waiting] == ["顺丰快递"]
    assert [v["name"] for v in sheet.visitors] == ["钱访客"]
    assert [e.text for e in sheet.open_entries] == ["5栋电梯困人已解救，待维保检查"]
    assert "翠湖苑的快递" not in str(sheet.as_json())


def test_f09_outgoing_submits_incoming_signs_on_and_the_sheet_is_frozen(world, shift):
    make_desk_ledger(world)
    handover = services.handover_submit(shift=shift, open_matters="3栋门禁待修", actor=world.front_desk)
    snapshot = selectors.snapshot_of(handover)
    assert snapshot["counts"]["custody_out"] == 1 and snapshot["open_matters_note"] == "3栋门禁待修"

    # Live data changes after submission; what was handed over does not.
    CustodyItem.objects.filter(kind="parcel").update(status="handed_over")
    handover = services.handover_sign(handover=handover, actor=world.butler)
    assert handover.status == "signed" and handover.signed_by == world.butler and handover.signed_at
    assert selectors.snapshot_of(handover)["custody_waiting"][0]["what"] == "顺丰快递"
    assert verbs(handover) == ["handover.submitted", "handover.signed"]

    with pytest.raises(NotPossible):
        services.handover_sign(handover=handover, actor=world.supervisor)
    with pytest.raises(NotPossible):
        services.log_entry_add(shift=shift, text="补记", actor=world.front_desk)


def test_f09_snapshot_is_append_only(world, shift):
    handover = services.handover_submit(shift=shift, actor=world.front_desk)
    snap = HandoverSnapshot.objects.get(handover=handover)
    snap.data = {}
    with pytest.raises(AppendOnlyError):
        snap.save()
    with pytest.raises(AppendOnlyError):
        HandoverSnapshot.objects.filter(pk=snap.pk).update(data={})
    with pytest.raises(AppendOnlyError):
        snap.delete()


def test_f09_a_shift_is_handed_over_once(world, shift):
    services.handover_submit(shift=shift, actor=world.front_desk)
    with pytest.raises(NotPossible):
        services.handover_submit(shift=shift, actor=world.front_desk)


def test_f09_the_outgoing_clerk_cannot_sign_on_for_the_incoming_shift(world, shift):
    handover = services.handover_submit(shift=shift, actor=world.front_desk)
    with pytest.raises(NotPossible):
        services.handover_sign(handover=handover, actor=world.front_desk)


def test_f09_open_matters_carry_over_until_closed(world, shift, ended_shift):
    entry = services.log_entry_add(
        shift=ended_shift, text="2栋消防通道堆物，已通知业主清理", is_open=True, actor=world.front_desk
    )
    services.handover_submit(shift=ended_shift, actor=world.front_desk)
    # The next shift's sheet still shows it ...
    assert entry in selectors.handover_sheet(project=world.estate, shift=shift, now=timezone.now()).open_entries
    services.log_entry_close(entry=entry, note="已清理", actor=world.butler)
    # ... until someone closes it.
    assert entry not in selectors.handover_sheet(project=world.estate, shift=shift, now=timezone.now()).open_entries
    with pytest.raises(NotPossible):
        services.log_entry_close(entry=entry, actor=world.butler)


def test_f09_unsigned_handover_is_flagged_once_to_the_cs_supervisor(world, ended_shift, shift):
    assert list(selectors.unsigned_shifts(now=timezone.now(), project=world.estate)) == [ended_shift]
    assert services.handover_flag_unsigned() == 1
    assert services.handover_flag_unsigned() == 0  # once per shift
    note = Notification.objects.get(kind="dutylog.handover_unsigned")
    assert note.recipient == world.supervisor and note.project == world.estate
    assert "handover.flagged_unsigned" in verbs(ended_shift)
    # The running shift is not late yet; a signed one is no longer flagged.
    handover = services.handover_submit(shift=ended_shift, actor=world.front_desk)
    services.handover_sign(handover=handover, actor=world.butler)
    assert not selectors.unsigned_shifts(now=timezone.now(), project=world.estate).exists()


def test_f09_outsider_cannot_submit_or_sign(world, shift, web_as):
    client = web_as(world.outsider)
    assert client.post(reverse("duty:handover_submit", args=[shift.pk])).status_code == 404
    handover = services.handover_submit(shift=shift, actor=world.front_desk)
    assert client.post(reverse("duty:handover_sign", args=[handover.pk])).status_code == 404
    handover.refresh_from_db()
    assert handover.status == "submitted"


def test_f09_handover_pages_submit_then_sign(world, shift, web_as):
    make_desk_ledger(world)
    make_ticket_due_soon(world)
    client = web_as(world.front_desk)
    page = client.get(reverse("duty:handover", args=[shift.pk])).content.decode()
    assert "顺丰快递" in page and "1201 空置房钥匙" in page and "钱访客" in page and "交班" in page
    client.post(reverse("duty:handover_submit", args=[shift.pk]), {"open_matters": "门禁待修"})
    handover = Handover.objects.get(shift=shift)
    page = client.get(reverse("duty:handover", args=[shift.pk])).content.decode()
    assert "签名接班" not in page  # not for the one who handed over

    butler = web_as(world.butler)
    response = butler.post(reverse("duty:handover_sign", args=[handover.pk]), follow=True)
    assert "已签名接班" in response.content.decode()
    handover.refresh_from_db()
    assert handover.signed_by == world.butler


def test_f09_late_unsigned_shift_is_flagged_on_the_desk_page(world, ended_shift, web_as):
    page = web_as(world.front_desk).get(reverse("duty:today")).content.decode()
    assert 'id="unsigned"' in page and "交接班未签名" in page


def test_f09_handover_page_query_count_is_flat(world, shift, web_as, django_assert_max_num_queries):
    for _ in range(3):
        make_desk_ledger(world)
        make_ticket_due_soon(world)
    client = web_as(world.front_desk)
    client.get(reverse("duty:handover", args=[shift.pk]))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("duty:handover", args=[shift.pk])).status_code == 200
