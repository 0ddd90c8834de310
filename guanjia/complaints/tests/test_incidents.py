"""Incidents (C12): distinct customers counted the same in Python and in SQL, and likely incidents proposed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from guanjia.complaints import services
from guanjia.complaints.incidents import incident_customer_count, incident_suggestions, with_customer_count
from guanjia.complaints.models import Incident
from guanjia.complaints.tests.test_services import register
from guanjia.testing.factories import make_building, make_customer


def test_c12_customer_count_in_sql_matches_the_graders_count(world):
    incident = services.incident_create(project=world.estate, title="停电", actor=world.front_desk)
    neighbour = make_customer(world.estate, name="王五", phones=("13500000000",))
    for customer in (world.customer, world.customer, neighbour):
        register(world, customer=customer, incident=incident)
    register(world, customer_name="来电人", contact_phone="13700000000", incident=incident)
    empty = services.incident_create(project=world.estate, title="空事件", actor=world.front_desk)
    annotated = {i.pk: i.customer_count for i in with_customer_count(Incident.objects.all())}
    assert annotated[incident.pk] == incident_customer_count(incident) == 3
    assert annotated[empty.pk] == incident_customer_count(empty) == 0


def test_c12_the_desk_is_shown_the_likely_incident_first(world):
    lift = services.incident_create(
        project=world.estate, title="3栋电梯困人", building=world.building, location="3栋电梯", actor=world.front_desk
    )
    register(world, incident=lift, description="3栋电梯突然停运，困人二十分钟", location="3栋电梯")
    other_building = make_building(world.estate, "9")
    water = services.incident_create(
        project=world.estate, title="9栋停水", building=other_building, location="9栋", actor=world.front_desk
    )
    register(world, incident=water, description="9栋一直停水没有通知", location="9栋")
    found = incident_suggestions(
        project=world.estate, description="电梯又停了，有人被困", location="3栋电梯", building=world.building
    )
    assert found and found[0][0] == lift
    match = found[0][1]
    assert "同一楼栋" in match.reasons and match.score > 0.3
    assert all(incident != water for incident, m in found[:1])


def test_c12_suggestions_stay_in_the_project_and_in_the_time_window(world):
    old = services.incident_create(project=world.estate, title="电梯困人", actor=world.front_desk)
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    services.incident_create(project=world.other_estate, title="电梯困人", actor=world.outsider)
    assert incident_suggestions(project=world.estate, description="电梯困人") == []


def test_c12_an_incident_already_linked_can_be_excluded(world):
    lift = services.incident_create(project=world.estate, title="电梯困人", location="3栋电梯", actor=world.front_desk)
    assert incident_suggestions(project=world.estate, description="电梯困人", location="3栋电梯")
    assert incident_suggestions(project=world.estate, description="电梯困人", location="3栋电梯", exclude=lift) == []
