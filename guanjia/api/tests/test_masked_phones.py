"""A phone shows masked the same way wherever the API shows it (one field: ``estates.api.MaskedPhoneField``)."""

from __future__ import annotations

from guanjia.repairs.models import Repair


def test_a_customers_phone_is_masked_alike_on_a_complaint_and_a_work_order(world, api_as):
    # The work order takes the customer's phone (13912345678) itself; the complaint is given it.
    client = api_as(world.front_desk)
    complaint = client.post(
        "/api/v1/complaints/",
        {
            "project": world.estate.pk,
            "customer": world.customer.pk,
            "contact_phone": "13912345678",
            "channel": "phone",
            "description": "楼道灯不亮",
        },
        format="json",
    )
    repair = client.post(
        "/api/v1/repairs/",
        {
            "project": world.estate.pk,
            "unit": world.unit.pk,
            "customer": world.customer.pk,
            "description": "厨房灯不亮",
            "urgent": True,
        },
        format="json",
    )
    assert complaint.status_code == 201 and repair.status_code == 201, (complaint.json(), repair.json())
    assert complaint.json()["contact_phone"] == repair.json()["contact_phone"] == "139****5678"


def test_a_work_order_with_no_phone_on_record_shows_an_empty_phone_not_stars(world, api_as):
    client = api_as(world.front_desk)
    data = {"project": world.estate.pk, "location": "3栋大堂", "description": "大堂门禁失灵", "urgent": True}
    created = client.post("/api/v1/repairs/", {**data, "customer_name": "王先生", "contact_phone": "13800000001"})
    assert created.status_code == 201, created.json()
    Repair.objects.filter(pk=created.json()["id"]).update(contact_phone="")  # a paper form typed in without one

    assert client.get(f"/api/v1/repairs/{created.json()['id']}/").json()["contact_phone"] == ""
