"""F10 Calls: every call is recorded; a message for someone absent is relayed and the relay tracked until
read; a question that cannot be answered now becomes a task listed until done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guanjia.core.errors import NotPossible
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import CallRecord, FollowUpTask, Relay
from guanjia.dutylog.tests.conftest import verbs
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event

pytestmark = pytest.mark.django_db


def test_f10_a_call_is_recorded_with_who_and_about_what(world):
    call = services.call_record(
        project=world.estate, caller="李明", phone="139-1234-5678", about="问停水时间", actor=world.front_desk
    )
    assert call.phone == "13912345678" and call.answered_by == world.front_desk
    assert verbs(call) == ["call.recorded"]


def test_f10_a_call_needs_caller_and_subject(world):
    with pytest.raises(ValidationError) as exc:
        services.call_record(project=world.estate, caller="", about="", actor=world.front_desk)
    assert {"caller", "about"} & set(exc.value.message_dict)


def test_f10_relay_notifies_the_absent_colleague_and_is_tracked_until_read(world):
    call = services.call_record(project=world.estate, caller="李明", about="找王管家", actor=world.front_desk)
    relay = services.relay_send(
        project=world.estate, call=call, to_user=world.butler, message="请回电李明", actor=world.front_desk
    )
    call.refresh_from_db()
    assert call.outcome == "relayed" and relay.status == "sent" and relay.read_at is None
    assert Notification.objects.filter(recipient=world.butler, kind="dutylog.relay").exists()
    assert relay in selectors.unread_relays(world.estate)

    with pytest.raises(PermissionDenied):
        services.relay_mark_read(relay=relay, actor=world.front_desk)  # only the recipient reads it
    relay = services.relay_mark_read(relay=relay, actor=world.butler)
    assert relay.status == "read" and relay.read_at is not None
    assert relay not in selectors.unread_relays(world.estate)
    services.relay_mark_read(relay=relay, actor=world.butler)  # reading again changes nothing
    assert verbs(relay) == ["relay.sent", "relay.read"]


def test_f10_relay_only_to_colleagues_of_the_project(world):
    with pytest.raises(ValidationError) as exc:
        services.relay_send(project=world.estate, to_user=world.outsider, message="x", actor=world.front_desk)
    assert "to_user" in exc.value.message_dict


def test_f10_answer_later_becomes_a_task_listed_until_done(world):
    call = services.call_record(project=world.estate, caller="李明", about="物业费发票", actor=world.front_desk)
    task = services.task_create(
        project=world.estate, call=call, question="发票何时能开？", assignee=world.supervisor,
        due_at=timezone.now() + timedelta(hours=4), actor=world.front_desk,
    )  # fmt: skip
    assert task in selectors.open_tasks(world.estate)
    assert Notification.objects.filter(recipient=world.supervisor, kind="dutylog.task").exists()
    services.task_done(task=task, answer="已电话告知：周五可取", actor=world.supervisor)
    assert task not in selectors.open_tasks(world.estate)
    with pytest.raises(NotPossible):
        services.task_done(task=task, answer="again", actor=world.supervisor)


def test_f10_task_due_must_be_in_the_future(world):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            project=world.estate, question="?", assignee=world.front_desk,
            due_at=timezone.now() - timedelta(minutes=5), actor=world.front_desk,
        )  # fmt: skip
    assert "due_at" in exc.value.message_dict


def test_f10_one_form_records_the_call_and_the_relay(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("duty:call_add"),
        {
            "caller": "李明",
            "phone": "13912345678",
            "about": "找王管家看房",
            "outcome": "relayed",
            "relay_to": world.butler.pk,
        },
        follow=True,
    )
    assert "已记录并转告" in response.content.decode()
    relay = Relay.objects.get()
    assert relay.message == "找王管家看房" and relay.to_user == world.butler


def test_f10_one_form_records_the_call_and_the_task_with_defaults(world, web_as):
    client = web_as(world.front_desk)
    client.post(reverse("duty:call_add"), {"caller": "李明", "about": "车位还有吗", "outcome": "later"})
    task = FollowUpTask.objects.get()
    assert task.assignee == world.front_desk and task.due_at > timezone.now() + timedelta(hours=23)
    assert CallRecord.objects.get().outcome == "later"


def test_f10_relay_without_recipient_records_nothing_and_names_the_field(world, web_as):
    response = web_as(world.front_desk).post(
        reverse("duty:call_add"), {"caller": "李明", "about": "x", "outcome": "relayed"}, follow=True
    )
    assert "转告给：" in response.content.decode()
    assert not CallRecord.objects.exists()


def test_f10_call_list_masks_phones_and_reveal_is_recorded(world, web_as):
    call = services.call_record(
        project=world.estate, caller="李明", phone="13912345678", about="x", actor=world.front_desk
    )
    client = web_as(world.front_desk)
    page = client.get(reverse("duty:calls")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "13912345678" in client.post(reverse("duty:call_phone", args=[call.pk])).content.decode()
    assert Event.objects.for_subject(call).filter(verb="pii.phone_revealed", actor=world.front_desk).exists()


def test_f10_outsider_cannot_touch_our_calls_relays_or_tasks(world, web_as):
    call = services.call_record(
        project=world.estate, caller="李明", phone="13912345678", about="x", actor=world.front_desk
    )
    relay = services.relay_send(project=world.estate, to_user=world.butler, message="m", actor=world.front_desk)
    task = services.task_create(
        project=world.estate, question="q", assignee=world.butler, due_at=timezone.now() + timedelta(hours=1),
        actor=world.front_desk,
    )  # fmt: skip
    client = web_as(world.outsider)
    assert client.post(reverse("duty:call_phone", args=[call.pk])).status_code == 404
    assert client.post(reverse("duty:relay_read", args=[relay.pk])).status_code == 404
    assert client.post(reverse("duty:task_done", args=[task.pk]), {"answer": "a"}).status_code == 404
    assert "李明" not in client.get(reverse("duty:calls")).content.decode()
    with pytest.raises(PermissionDenied):
        services.call_record(project=world.estate, caller="x", about="y", actor=world.outsider)


def test_f10_calls_page_query_count_is_flat(world, web_as, django_assert_max_num_queries):
    for i in range(12):
        call = services.call_record(
            project=world.estate, caller=f"客户{i}", phone="13800000000", about="x", actor=world.front_desk
        )
        services.relay_send(project=world.estate, call=call, to_user=world.butler, message="m", actor=world.front_desk)
        services.task_create(
            project=world.estate, call=call, question="q", assignee=world.butler,
            due_at=timezone.now() + timedelta(hours=2), actor=world.front_desk,
        )  # fmt: skip
    client = web_as(world.butler)
    client.get(reverse("duty:calls"))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("duty:calls")).status_code == 200
