"""T05: when the assigned person is absent, the supervisor reassigns their open work in one recorded action."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.followup import services
from guanjia.followup.models import CallStatus, CustomerProfile, FollowUpCall, Issue, Lead, Reassignment
from guanjia.followup.tests.conftest import at
from guanjia.notifications.models import Notification
from guanjia.timeline.models import Event


@pytest.fixture
def butlers_work(world, plan, first_call):
    services.call_record(
        call=first_call,
        actor=world.butler,
        version=first_call.version,
        outcome="reached",
        notes="ok",
        raised="要求修门禁",
        now=at("2026-11-06"),
    )
    services.lead_create(
        project=world.estate, name="钱先生", phone="13500000000", grade="A", actor=world.butler, now=at("2026-11-06")
    )


def test_t05_supervisor_moves_all_open_work_of_an_absent_butler_in_one_action(world, butlers_work):
    done = services.followup_reassign(
        project=world.estate,
        from_user=world.butler,
        to_user=world.front_desk,
        actor=world.supervisor,
        reason="休假一周",
        now=at("2026-11-07"),
    )
    assert done.counts == {"calls": 1, "plans": 1, "issues": 1, "archives": 1, "leads": 1}
    assert FollowUpCall._default_manager.get(status=CallStatus.PENDING).assignee == world.front_desk
    assert FollowUpCall._default_manager.get(status=CallStatus.DONE).assignee == world.butler  # done work stays
    assert Issue._default_manager.get().owner == world.front_desk
    assert CustomerProfile._default_manager.get().owner == world.front_desk
    assert Lead._default_manager.get().owner == world.front_desk
    assert Event.objects.filter(verb="followup.reassigned").count() == 6  # the action and each item
    note = Notification.objects.get(kind="followup.reassigned")
    assert note.recipient == world.front_desk and "5" in note.title


def test_t05_only_a_supervisor_reassigns(world, butlers_work):
    with pytest.raises(PermissionDenied):
        services.followup_reassign(
            project=world.estate,
            from_user=world.butler,
            to_user=world.front_desk,
            actor=world.front_desk,
            reason="休假",
        )
    with pytest.raises(PermissionDenied):
        services.followup_reassign(
            project=world.estate, from_user=world.butler, to_user=world.front_desk, actor=world.outsider, reason="休假"
        )
    assert not Reassignment._default_manager.exists()


def test_t05_the_stand_in_must_do_follow_up_work_here_and_a_reason_is_given(world, butlers_work):
    for to_user in (world.technician, world.outsider, world.butler):
        with pytest.raises(ValidationError) as err:
            services.followup_reassign(
                project=world.estate, from_user=world.butler, to_user=to_user, actor=world.supervisor, reason="休假"
            )
        assert "to_user" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.followup_reassign(
            project=world.estate, from_user=world.butler, to_user=world.front_desk, actor=world.supervisor, reason=" "
        )
    assert "reason" in err.value.message_dict


def test_t05_reassign_page_shows_workload_and_moves_it(world, web_as, butlers_work):
    client = web_as(world.supervisor)
    assert "王管家" in client.get("/followup/reassign/").content.decode()
    response = client.post(
        "/followup/reassign/",
        {"from_user": world.butler.pk, "to_user": world.front_desk.pk, "reason": "外出培训"},
        follow=True,
    )
    assert "已转交 5 项工作" in response.content.decode()
    assert Reassignment._default_manager.get().by == world.supervisor


def test_t05_reassign_page_is_for_supervisors_only(world, web_as, butlers_work):
    assert web_as(world.butler).get("/followup/reassign/").status_code == 403
    outsider = web_as(world.outsider)
    response = outsider.post(
        "/followup/reassign/", {"from_user": world.butler.pk, "to_user": world.front_desk.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert not Reassignment._default_manager.exists()
