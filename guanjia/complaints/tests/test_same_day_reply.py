"""C16: completion starts a limit ending at 24:00 of the completion day for telling the customer the result,
reminded before it (17:00, or 2 hours before 24:00 when completed later), met by ``inform`` and counted in the
monthly report (S01, S05). Fixed times only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanjia.cases.models import DeadlineState
from guanjia.cases.services import sweep
from guanjia.complaints import services
from guanjia.notifications.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECOND = timedelta(seconds=1)


def local(d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 5, d, hh, mm, tzinfo=SHANGHAI)


def completed(world, *, received: datetime, at: datetime):
    with time_machine.travel(at, tick=False):
        complaint = services.complaint_register(
            project=world.estate,
            actor=world.front_desk,
            channel="phone",
            description="楼道灯不亮",
            customer=world.customer,
            received_at=received,
            now=received,
        )
        complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
        complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
        return services.complaint_complete(complaint=complaint, result="已修好", actor=world.front_desk)


def inform_limit(complaint):
    return complaint.deadlines.exclude(state=DeadlineState.CANCELLED).get(kind="inform")


@pytest.mark.django_db
def test_c16_completion_starts_a_same_day_reply_reminded_at_17_and_met_by_inform(world):
    complaint = completed(world, received=local(10, 9), at=local(10, 15))
    limit = inform_limit(complaint)
    assert (limit.due_at, limit.remind_at, limit.state) == (local(11, 0), local(10, 17), DeadlineState.PENDING)
    assert limit.kind_label == "当日告知结果"

    assert sweep(local(10, 17) - SECOND).reminded == []
    assert sweep(local(10, 17)).reminded == [limit.pk]
    assert Notification.objects.filter(recipient=world.front_desk, kind="complaint.inform_reminder").count() == 1

    with time_machine.travel(local(10, 20), tick=False):
        services.complaint_inform_customer(
            complaint=complaint, method="phone", note="已电话告知结果", actor=world.front_desk
        )
    limit.refresh_from_db()
    assert (limit.state, limit.met_at) == (DeadlineState.MET, local(10, 20))
    assert sweep(local(11, 0)).missed == []


@pytest.mark.django_db
def test_c16_completed_after_17_is_reminded_2_hours_before_midnight_and_a_miss_is_reported(world):
    complaint = completed(world, received=local(12, 9), at=local(12, 18, 30))
    limit = inform_limit(complaint)
    assert (limit.due_at, limit.remind_at) == (local(13, 0), local(12, 22))
    assert sweep(local(13, 0)).missed == [limit.pk]
    assert Notification.objects.filter(recipient=world.supervisor, kind="complaint.inform_missed").count() == 1
    # Told the next morning: late, still missed for the report
    with time_machine.travel(local(13, 9), tick=False):
        services.complaint_inform_customer(complaint=complaint, method="phone", note="次日告知", actor=world.front_desk)
    limit.refresh_from_db()
    assert (limit.state, limit.late) == (DeadlineState.MISSED, True)


@pytest.mark.django_db
def test_c16_s01_s05_the_monthly_report_counts_the_same_day_replies(world, api_as):
    told = completed(world, received=local(10, 9), at=local(10, 15))
    completed(world, received=local(12, 9), at=local(12, 18, 30))  # never told
    with time_machine.travel(local(10, 16), tick=False):
        services.complaint_inform_customer(complaint=told, method="visit", note="上门告知", actor=world.front_desk)
    with time_machine.travel(local(20, 10), tick=False):
        sweep(local(20, 10))
        body = (
            api_as(world.supervisor)
            .get("/api/v1/reports/monthly", {"project": world.estate.pk, "month": "2026-05"})
            .json()
        )
    assert (body["complaints"]["inform_due"], body["complaints"]["informed_same_day"]) == (2, 1)
    rate = body["rates"]["same_day_reply"]
    assert (rate["value"], rate["target"], rate["meets"]) == (0.5, 1.0, False)
