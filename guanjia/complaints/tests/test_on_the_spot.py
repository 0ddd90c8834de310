"""C15, C04: what the first responder settles at once is completed at the desk without dispatch, and no
complaint is completed before its nature (valid / invalid) is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanjia.cases.models import DeadlineState
from guanjia.complaints import services
from guanjia.complaints.tests.test_services import deadline, register
from guanjia.core.errors import TransitionError
from guanjia.timeline.models import Event

URL = "/api/v1/complaints/"


def test_c04_c15_a_complaint_is_not_completed_before_its_nature_is_recorded(world):
    complaint = register(world)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    with pytest.raises(ValidationError) as error:
        services.complaint_complete(complaint=complaint, result="已修好", actor=world.front_desk)
    assert "nature" in error.value.message_dict
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    complaint = services.complaint_complete(complaint=complaint, result="已修好", actor=world.front_desk)
    assert complaint.status == "completed" and complaint.settled_on_the_spot is False


def test_c15_the_first_responder_settles_it_on_the_spot_without_dispatch(world):
    complaint = register(world, actor=world.front_desk)
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    complaint = services.complaint_complete(
        complaint=complaint, result="当场为客户重新开通门禁卡", actor=world.front_desk, on_the_spot=True
    )
    assert (complaint.status, complaint.settled_on_the_spot, complaint.dispatched_at) == ("completed", True, None)
    event = Event.objects.get(subject_id=complaint.pk, verb="complaint.completed")
    assert event.data["on_the_spot"] is True and event.actor == world.front_desk
    # C13: settled at once, so it was responded to at once
    assert deadline(complaint, "response").state == DeadlineState.MET


def test_c15_on_the_spot_is_refused_once_dispatched_and_to_someone_other_than_the_first_responder(world):
    complaint = register(world, actor=world.front_desk)
    complaint = services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    with pytest.raises(PermissionError):
        services.complaint_complete(complaint=complaint, result="x", actor=world.butler, on_the_spot=True)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    with pytest.raises(TransitionError):
        services.complaint_complete(complaint=complaint, result="x", actor=world.front_desk, on_the_spot=True)


def test_c04_c15_complete_api_answers_400_naming_nature_and_accepts_on_the_spot(world, api_as):
    complaint = register(world, actor=world.front_desk)
    desk = api_as(world.front_desk)
    url = f"{URL}{complaint.pk}/complete/"
    r = desk.post(url, {"result": "当场解决", "on_the_spot": True}, format="json")
    assert r.status_code == 400 and "nature" in r.json()
    r = desk.post(url, {"result": "当场解决", "on_the_spot": "maybe"}, format="json")
    assert r.status_code == 400 and "on_the_spot" in r.json()
    services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    r = desk.post(url, {"result": "当场解决", "on_the_spot": True}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed" and r.json()["settled_on_the_spot"] is True


def test_c15_the_page_offers_the_first_responder_to_settle_it_on_the_spot(world, web_as):
    complaint = register(world, actor=world.front_desk)
    services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    client = web_as(world.front_desk)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="action-complete"' in html and "当场解决" in html
    response = client.post(
        reverse("complaints:complete", args=[complaint.pk]),
        {"complete-result": "当场调解，客户满意", "complete-on_the_spot": "on"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "completed" and complaint.settled_on_the_spot
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "当场解决" in html


def test_c15_the_on_the_spot_option_is_not_offered_once_dispatched(world, web_as):
    complaint = register(world, actor=world.front_desk)
    services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)
    services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    html = web_as(world.front_desk).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="action-complete"' in html and 'name="complete-on_the_spot"' not in html
