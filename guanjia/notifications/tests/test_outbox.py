"""The outbox: queued in the change's transaction, claimed once, retried with growing delays, then failed;
"not configured" when a channel is off; quiet hours hold non-urgent personal copies."""

from datetime import UTC, datetime, time, timedelta

import time_machine
from django.db import transaction

from guanjia.notifications.models import Channel, Delivery, DeliveryStatus, Level, NotificationPreference
from guanjia.notifications.outbox import backoff, claim, deliver_due, send_sms
from guanjia.notifications.quiet import in_quiet, quiet_until
from guanjia.notifications.services import notify

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
CODE = {"code": "123456"}


def test_a_failed_delivery_is_retried_with_backoff_and_then_shown_failed(world, fake_aliyun, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_SECONDS = 30
    fake_aliyun.mode = "http500"
    row = send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)

    assert deliver_due(NOW) == {"queued": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 1, NOW + timedelta(seconds=30))
    assert "HTTP 500" in row.last_error
    assert deliver_due(NOW + timedelta(seconds=29)) == {}  # not due yet
    assert deliver_due(NOW + timedelta(seconds=30)) == {"queued": 1}
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == NOW + timedelta(seconds=30 + 60)
    assert deliver_due(NOW + timedelta(seconds=90)) == {"failed": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3 and row.sent_at is None
    assert len(fake_aliyun.requests) == 3
    assert deliver_due(NOW + timedelta(hours=2)) == {}  # a failed row is never sent again


def test_a_provider_refusal_that_may_pass_later_is_retried_and_can_then_succeed(world, fake_aliyun):
    fake_aliyun.mode = "error"  # isv.BUSINESS_LIMIT_CONTROL: flow control, try later
    row = send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)
    deliver_due(NOW)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and "BUSINESS_LIMIT_CONTROL" in row.last_error
    fake_aliyun.mode = "ok"
    assert deliver_due(NOW + timedelta(minutes=1)) == {"sent": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2 and row.last_error == ""


def test_backoff_doubles_and_stops_at_an_hour(settings):
    settings.NOTIFY_RETRY_SECONDS = 30
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)


def test_a_row_is_claimed_by_one_worker_only(world, fake_aliyun):
    row = send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)
    assert claim(row.pk, NOW) is True
    assert claim(row.pk, NOW) is False  # the second worker gets nothing
    assert deliver_due(NOW) == {}  # nor does the sweep while it is being sent
    assert fake_aliyun.requests == []


def test_a_row_left_by_a_dead_worker_is_queued_again(world, fake_aliyun):
    row = send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)
    assert claim(row.pk, NOW)
    assert deliver_due(NOW + timedelta(minutes=5)) == {}
    assert deliver_due(NOW + timedelta(minutes=11)) == {"sent": 1}


def test_without_a_provider_the_sms_is_not_configured_and_printed_on_the_console(
    world, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = send_sms(
            phone="13912345678",
            template="pickup_code",
            params={"what": "包裹", "project": "滨江花园", "code": "795032"},
            now=NOW,
        )
    assert row.status == DeliveryStatus.NOT_CONFIGURED
    printed = capsys.readouterr().out
    assert "139****5678" in printed and "795032" in printed and "13912345678" not in printed
    assert deliver_due(NOW) == {}  # nothing to send, nothing pretends to be sent


def test_a_template_without_a_provider_code_is_not_configured(world, fake_aliyun, settings):
    settings.SMS_TEMPLATES = {}
    row = send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)
    assert deliver_due(NOW) == {"not_configured": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.NOT_CONFIGURED and "SMS_TEMPLATES" in row.last_error
    assert fake_aliyun.requests == []


def test_nothing_is_queued_for_a_change_that_rolled_back(world, fake_wecom):
    try:
        with transaction.atomic():
            notify(recipients=[world.supervisor], kind="k", title="紧急", level=Level.URGENT)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not Delivery.objects.exists()


def test_no_channel_on_means_no_outbox_rows_for_staff_notifications(world):
    notify(recipients=[world.supervisor], kind="k", title="紧急", level=Level.URGENT)
    assert not Delivery.objects.exists()


# --- Quiet hours -------------------------------------------------------------------------------------------------


def test_quiet_window_may_cross_midnight():
    assert in_quiet(time(22), time(7), time(23, 30)) and in_quiet(time(22), time(7), time(6, 59))
    assert not in_quiet(time(22), time(7), time(7)) and not in_quiet(time(22), time(7), time(12))
    assert in_quiet(time(12), time(14), time(13)) and not in_quiet(time(12), time(14), time(14))


def test_quiet_hours_hold_non_urgent_copies_until_they_end_and_urgent_go_at_once(world, settings):
    settings.NOTIFY_EMAIL_LEVELS = ["warning", "urgent"]
    world.supervisor.email = "zhou@example.test"
    world.supervisor.save(update_fields=["email"])
    NotificationPreference.objects.create(user=world.supervisor, quiet_start=time(22), quiet_end=time(7))
    late = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    morning = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)  # 07:00 next day in Shanghai

    assert quiet_until(world.supervisor, late) == morning
    assert quiet_until(world.supervisor, NOW) is None
    assert quiet_until(world.butler, late) is None  # no preference: no quiet hours

    notify(recipients=[world.supervisor], kind="k", title="提醒", level=Level.WARNING, now=late)
    notify(recipients=[world.supervisor], kind="k", title="紧急", level=Level.URGENT, now=late)
    held = Delivery.objects.get(channel=Channel.EMAIL, payload__subject="提醒")
    assert held.next_attempt_at == morning
    assert deliver_due(late) == {"sent": 1}  # the urgent one
    assert deliver_due(morning - timedelta(minutes=1)) == {}
    assert deliver_due(morning) == {"sent": 1}


def test_the_periodic_sweep_delivers_the_outbox_and_the_celery_task_too(world, fake_aliyun):
    from guanjia.cases.periodic import run_periodic
    from guanjia.notifications.tasks import deliver_task

    send_sms(phone="13912345678", template="login_code", params=CODE, now=NOW)
    assert run_periodic(NOW)["notification_outbox"] == {"sent": 1}
    send_sms(phone="13912345679", template="login_code", params=CODE, now=NOW)
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):  # the task reads the clock
        assert deliver_task.apply().get() == {"sent": 1}
    assert len(fake_aliyun.accepted) == 2
