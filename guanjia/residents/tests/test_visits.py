"""V05/V06 from the resident's phone: the same visit service as a phone answer; unsatisfied opens the
rectification and the review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanjia.complaints.models import Complaint
from guanjia.complaints.services import (
    complaint_complete,
    complaint_dispatch,
    complaint_register,
    complaint_set_nature,
)
from guanjia.residents.tests.conftest import LI_MING_PHONE, ZHAO_LIU_PHONE
from guanjia.timeline.models import Event
from guanjia.visits.models import ReturnVisit, VisitStatus


@pytest.fixture
def visit(world) -> ReturnVisit:
    now = timezone.now().replace(microsecond=0)
    received = now - timedelta(hours=3)
    complaint = complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="phone",
        description="楼道灯坏了",
        customer=world.customer,
        unit=world.unit,
        received_at=received,
    )
    complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk, at=received)
    complaint_set_nature(complaint=complaint, nature="valid", actor=world.supervisor)
    complaint_complete(
        complaint=complaint, result="已更换灯管", actor=world.supervisor, completed_at=now - timedelta(hours=1)
    )
    return ReturnVisit.objects.get(object_id=complaint.pk)


def answer_url(visit: ReturnVisit) -> str:
    return f"/api/v1/resident/return-visits/{visit.pk}/answer"


def test_v05_resident_answers_satisfied(world, resident_api, visit):
    client = resident_api(LI_MING_PHONE)
    listed = client.get("/api/v1/resident/return-visits/").json()
    assert [v["id"] for v in listed] == [visit.pk] and listed[0]["can_answer"] is True
    answer = client.post(answer_url(visit), {"satisfaction": 5, "comment": "很快就修好了"}, format="json")
    assert answer.status_code == 200, answer.content
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.satisfaction == 5 and not visit.unsatisfied
    assert "很快就修好了" in visit.notes
    event = Event.objects.filter(verb="resident.visit_answered").get()
    assert event.actor is None and event.data["by"] == "customer"
    # Answered once only.
    again = client.post(answer_url(visit), {"satisfaction": 4}, format="json")
    assert again.status_code == 409


def test_v06_unsatisfied_answer_opens_the_rectification(world, resident_api, visit):
    client = resident_api(LI_MING_PHONE)
    answer = client.post(answer_url(visit), {"satisfaction": 2, "comment": "灯又坏了"}, format="json")
    assert answer.status_code == 200, answer.content
    visit.refresh_from_db()
    assert visit.unsatisfied and visit.rectification is not None
    assert visit.shortfalls == "灯又坏了"
    assert Complaint.objects.filter(pk=visit.rectification_id, customer=world.customer).exists()


@pytest.mark.parametrize("satisfaction", [0, 6, "x", None])
def test_satisfaction_is_one_to_five(world, resident_api, visit, satisfaction):
    client = resident_api(LI_MING_PHONE)
    answer = client.post(answer_url(visit), {"satisfaction": satisfaction}, format="json")
    assert answer.status_code == 400 and "satisfaction" in answer.json()


def test_another_households_visit_is_not_found(world, resident_api, visit):
    client = resident_api(ZHAO_LIU_PHONE)
    assert client.get("/api/v1/resident/return-visits/").json() == []
    assert client.post(answer_url(visit), {"satisfaction": 1}, format="json").status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
