"""A case registered for a customer may name only one of the customer's units: the service checks it, so the API
refuses another unit with 400 on ``unit`` just as the complaint form does, and repairs refuse it too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanjia.complaints.models import Complaint
from guanjia.repairs.models import Repair
from guanjia.testing.factories import make_unit

COMPLAINT = {"channel": "phone", "description": "楼上漏水到我家"}
REPAIR = {"description": "厨房水龙头漏水", "urgent": True}


@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/complaints/", COMPLAINT, Complaint),
        ("/api/v1/repairs/", REPAIR, Repair),
    ],
    ids=["complaint", "repair"],
)
def test_a_unit_that_is_not_the_customers_is_refused_naming_the_unit(world, api_as, url, body, model) -> None:
    # Given 李明, who lives in 3-2-1201, and a neighbour's unit he has nothing to do with
    neighbours = make_unit(world.estate, world.unit.building, entrance="2", room="1202")
    api = api_as(world.front_desk)
    # When the desk registers a case for 李明 naming the neighbour's unit, it is refused on ``unit``
    base = {"project": world.estate.pk, "customer": world.customer.pk, **body}
    refused = api.post(url, {**base, "unit": neighbours.pk}, format="json")
    assert refused.status_code == 400
    assert "unit" in refused.json()
    assert not model.objects.exists()
    # and with his own unit it is registered
    accepted = api.post(url, {**base, "unit": world.unit.pk}, format="json")
    assert accepted.status_code == 201, accepted.content
    assert model.objects.get().unit == world.unit


def test_the_complaint_page_still_refuses_it_beside_the_unit_field(world, web_as) -> None:
    # The form no longer checks it itself: the service's refusal reaches the page, on the unit field.
    neighbours = make_unit(world.estate, world.unit.building, entrance="2", room="1202")
    data = {"channel": "phone", "description": "楼上漏水到我家", "customer": world.customer.pk, "unit": neighbours.pk}
    response = web_as(world.front_desk).post(reverse("complaints:register"), data)
    assert response.status_code == 400
    assert "所选房屋不属于该客户" in response.content.decode()
    assert not Complaint.objects.exists()
