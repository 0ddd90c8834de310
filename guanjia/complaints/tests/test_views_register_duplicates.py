"""登记投诉 without duplicates (C01): the chosen customer's open cases, similar recent complaints proposed while
typing, and the customer's words added to an earlier complaint instead of a second registration."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.complaints import services
from guanjia.complaints.models import Complaint
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_customer
from guanjia.timeline.models import Event

TEXT = "楼上每天晚上十一点以后还在装修，电钻声音吵得孩子睡不着"
SIMILAR = reverse("complaints:similar_complaints")
CASES = reverse("complaints:customer_cases")


def register(world, *, project=None, actor=None, **kw):
    kw.setdefault("channel", "phone")
    kw.setdefault("description", TEXT)
    return services.complaint_register(project=project or world.estate, actor=actor or world.front_desk, **kw)


def test_c01_same_customer_same_text_proposes_the_earlier_complaint(world, web_as):
    earlier = register(world, customer=world.customer, unit=world.unit)
    html = (
        web_as(world.front_desk)
        .get(SIMILAR, {"description": TEXT, "customer": world.customer.pk, "unit": world.unit.pk})
        .content.decode()
    )
    assert earlier.number in html
    assert "同一客户" in html and "内容相似" in html
    assert reverse("complaints:add_to_existing", args=[earlier.pk]) in html
    assert f'name="related_complaint" value="{earlier.pk}"' in html


def test_c01_similar_text_of_another_customer_is_proposed_but_not_an_unrelated_one(world, web_as):
    neighbour = make_customer(world.estate, name="王芳", phones=("13800002222",))
    similar = register(world, customer=neighbour)
    unrelated = register(world, customer=neighbour, description="小区东门的道闸坏了，车辆进不来")
    html = web_as(world.front_desk).get(SIMILAR, {"description": TEXT}).content.decode()
    assert similar.number in html
    assert unrelated.number not in html


def test_c01_another_projects_complaint_is_never_proposed(world, web_as):
    theirs = register(world, project=world.other_estate, actor=world.outsider, customer=world.other_customer)
    ours = register(world, customer=world.customer)
    html = web_as(world.front_desk).get(SIMILAR, {"description": TEXT, "customer": world.customer.pk}).content.decode()
    assert ours.number in html and theirs.number not in html
    # Nor the other way round, even when the outsider names our customer.
    html = web_as(world.outsider).get(SIMILAR, {"description": TEXT, "customer": world.customer.pk}).content.decode()
    assert theirs.number in html and ours.number not in html


def test_c01_complaints_older_than_the_policy_window_are_not_proposed(world, web_as):
    old = register(world, customer=world.customer, received_at=timezone.now() - timedelta(days=31))
    html = web_as(world.front_desk).get(SIMILAR, {"description": TEXT, "customer": world.customer.pk}).content.decode()
    assert old.number not in html
    assert "近期没有相似的投诉" in html


def test_c01_similar_list_is_bounded_and_its_queries_do_not_grow(world, web_as):
    client = web_as(world.front_desk)
    register(world, customer=world.customer)
    client.get(SIMILAR, {"description": TEXT, "customer": world.customer.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(SIMILAR, {"description": TEXT, "customer": world.customer.pk})
    for _ in range(8):
        register(world, customer=world.customer)
    with CaptureQueriesContext(connection) as many:
        html = client.get(SIMILAR, {"description": TEXT, "customer": world.customer.pk}).content.decode()
    assert len(many) == len(few)
    assert html.count('name="related_complaint"') == 5


def test_c01_choosing_a_customer_shows_their_open_complaints_and_repairs(world, web_as):
    complaint = register(world, customer=world.customer, unit=world.unit)
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="厨房水龙头漏水", unit=world.unit, customer=world.customer),
        actor=world.front_desk,
    )
    register(world, project=world.other_estate, actor=world.outsider, customer=world.other_customer)
    client = web_as(world.front_desk)
    client.get(CASES, {"customer": world.customer.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CASES, {"customer": world.customer.pk})
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "customer-picked"
    assert complaint.number in html and repair.number in html
    assert reverse("complaints:detail", args=[complaint.pk]) in html
    assert reverse("repairs:detail", args=[repair.pk]) in html
    assert "已登记" in html and "受理" in html
    assert len(queries) <= 8
    # The outsider cannot read 滨江花园's customer's cases.
    assert complaint.number not in web_as(world.outsider).get(CASES, {"customer": world.customer.pk}).content.decode()


def test_c01_no_customer_chosen_shows_no_cases(world, web_as):
    response = web_as(world.front_desk).get(CASES)
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_c01_the_pick_list_loads_the_customers_open_cases(world, web_as):
    html = web_as(world.front_desk).get(reverse("complaints:customer_lookup"), {"lookup": "李明"}).content.decode()
    assert f"{CASES}?customer={world.customer.pk}" in html


def test_c01_adding_a_note_records_the_customers_words_on_the_earlier_complaint(world, web_as):
    earlier = register(world, customer=world.customer)
    before = Complaint.objects.values().get(pk=earlier.pk)
    response = web_as(world.front_desk).post(
        reverse("complaints:add_to_existing", args=[earlier.pk]),
        {"description": "今晚又在装修，已经第三次打电话了", "channel": "phone", "customer": world.customer.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:detail", args=[earlier.pk])
    assert Complaint.objects.count() == 1
    event = Event.objects.get(subject_id=earlier.pk, verb="complaint.customer_added")
    assert event.data == {"text": "今晚又在装修，已经第三次打电话了", "channel": "phone"}
    assert event.actor == world.front_desk
    assert Complaint.objects.values().get(pk=earlier.pk) == before
    page = web_as(world.front_desk).get(reverse("complaints:detail", args=[earlier.pk])).content.decode()
    assert "客户补充反映" in page and "今晚又在装修，已经第三次打电话了" in page


def test_c01_adding_a_note_without_words_or_by_an_outsider_changes_nothing(world, web_as):
    earlier = register(world, customer=world.customer)
    url = reverse("complaints:add_to_existing", args=[earlier.pk])
    response = web_as(world.front_desk).post(url, {"description": "  ", "channel": "phone"})
    assert response.status_code == 302 and response["Location"] == reverse("complaints:register")
    page = web_as(world.front_desk).get(reverse("complaints:register")).content.decode()
    assert "投诉内容：此项为必填项" in page
    assert web_as(world.outsider).post(url, {"description": "再次反映", "channel": "phone"}).status_code == 404
    assert not Event.objects.filter(verb="complaint.customer_added").exists()


def test_c01_a_new_registration_related_to_the_earlier_one_names_it_on_both_timelines(world, web_as):
    earlier = register(world, customer=world.customer)
    response = web_as(world.front_desk).post(
        reverse("complaints:register"),
        {
            "channel": "phone",
            "description": TEXT,
            "customer": world.customer.pk,
            "against_department": "engineering",
            "related_complaint": earlier.pk,
        },
    )
    assert response.status_code == 302
    new = Complaint.objects.exclude(pk=earlier.pk).get()
    assert Event.objects.get(subject_id=new.pk, verb="complaint.related_linked").data == {"related": earlier.number}
    assert Event.objects.get(subject_id=earlier.pk, verb="complaint.related_linked").data == {"related": new.number}
