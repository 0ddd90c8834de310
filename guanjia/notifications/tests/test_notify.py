"""One interface for notifications: the inbox always, external copies after the commit only."""

import pytest
from django.core import mail
from django.db import transaction

from guanjia.accounts.models import Role
from guanjia.notifications.backends import Message, SmsBackend, deliver
from guanjia.notifications.models import Notification
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify


def test_notify_writes_the_inbox_and_sends_copies_only_after_commit(world, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = notify(
            recipients=[world.supervisor, world.office_manager],
            kind="complaint.registered",
            title="新投诉 TS2611220001",
            project=world.estate,
            url="/complaints/1/",
        )
        assert len(rows) == 2
        assert outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert sorted(m.recipient_id for m in outbox) == sorted([world.supervisor.pk, world.office_manager.pk])
    assert Notification.objects.filter(kind="complaint.registered", project=world.estate).count() == 2


def test_nothing_is_sent_for_a_change_that_rolled_back(world, outbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[world.supervisor], kind="x", title="不会发出")
        raise RuntimeError("registration failed")

    assert callbacks == [] and outbox == []
    assert not Notification.objects.exists()


def test_dedupe_key_reaches_each_person_once(world, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.supervisor], kind="deadline.missed", title="超时", dedupe_key="deadline:7:missed")
        again = notify(
            recipients=[world.supervisor, world.office_manager],
            kind="deadline.missed",
            title="超时",
            dedupe_key="deadline:7:missed",
        )

    assert [n.recipient_id for n in again] == [world.office_manager.pk]
    assert Notification.objects.filter(dedupe_key="deadline:7:missed").count() == 2
    assert len(outbox) == 2


def test_inactive_staff_get_nothing(world):
    world.butler.is_active = False
    world.butler.save()
    assert notify(recipients=[world.butler], kind="x", title="t") == []


def test_unknown_level_is_refused(world):
    with pytest.raises(ValueError):
        notify(recipients=[world.butler], kind="x", title="t", level="panic")


def test_c14_staff_with_roles_includes_the_company_wide_general_manager(world):
    roles = [Role.OFFICE_MANAGER, Role.GENERAL_MANAGER]
    assert list(staff_with_roles(world.estate, roles)) == [world.office_manager, world.general_manager]
    assert list(staff_with_roles(world.other_estate, [Role.FRONT_DESK])) == [world.outsider]
    assert world.front_desk not in staff_with_roles(world.other_estate, [Role.FRONT_DESK])


def test_email_backend_uses_django_mail(settings, world, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.EmailBackend"]
    world.supervisor.email = "zhou@example.com"
    world.supervisor.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.supervisor, world.butler], kind="x", title="投诉超时", body="请处理")

    assert [(m.subject, m.to) for m in mail.outbox] == [("投诉超时", ["zhou@example.com"])]


def test_sms_sends_only_urgent_and_a_failing_backend_does_not_stop_the_others(outbox, caplog):
    sent = []

    class FakeSms(SmsBackend):
        def send_sms(self, phone, text):
            sent.append((phone, text))

    class Broken(SmsBackend):
        def send_sms(self, phone, text):
            raise ConnectionError("gateway down")

    def message(level):
        return Message(1, "周主管", "", "13900000000", "x", level, f"{level} 标题", "", "", None)

    deliver([message("info"), message("urgent")], backends=[Broken(), FakeSms()])

    assert sent == [("13900000000", "urgent 标题")]
    assert "Broken failed" in caplog.text
