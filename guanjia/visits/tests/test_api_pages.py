"""The return-visits API (API.md) and the visit pages (V02, V03, V05, V06, V08–V10): fields, filters, record,
400 naming the field, outsiders, query counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from guanjia.repairs.models import Repair
from guanjia.visits import services
from guanjia.visits.models import ReturnVisit
from guanjia.visits.services import return_visit_plan
from guanjia.visits.tests.conftest import at

URL = "/api/v1/return-visits/"


@pytest.fixture
def planned(world):
    repair = Repair.objects.create(
        project=world.estate,
        number="BX2611020001",
        unit=world.unit,
        customer=world.customer,
        received_at=at(2026, 11, 2, 9, 0),
        registered_by=world.front_desk,
        description="漏水",
    )
    return return_visit_plan(case=repair, case_type="repair", completed_at=at(2026, 11, 2, 10, 0), actor=None)


def test_v01_api_lists_the_contract_fields_and_filters(world, planned, api_as, django_assert_max_num_queries):
    client = api_as(world.front_desk)
    with django_assert_max_num_queries(8):
        body = client.get(URL, {"repair": planned.object_id, "status": "planned", "mine": "true"}).json()
    row = body["results"][0]
    assert {
        "id",
        "case_type",
        "case_id",
        "due_at",
        "visitor_role",
        "on_site_required",
        "status",
        "satisfaction",
    } <= set(row)
    assert (row["case_type"], row["case_id"], row["visitor_role"]) == ("repair", planned.object_id, "front_desk")
    assert client.get(URL, {"complaint": planned.object_id}).json()["count"] == 0
    assert client.get(URL, {"due_before": "2026-11-01T00:00:00+08:00"}).json()["count"] == 0
    assert client.get(URL, {"status": "bogus"}).status_code == 400
    assert client.get(URL, {"project": world.other_estate.pk}).status_code == 400


def test_v01_api_outsider_sees_nothing(world, planned, api_as):
    client = api_as(world.outsider)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{planned.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5}, format="json").status_code
        == 404
    )


def test_v05_api_record_and_400_naming_the_field(world, planned, api_as):
    client = api_as(world.front_desk)
    bad = client.post(f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 9}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.json()
    bad = client.post(f"{URL}{planned.pk}/record", {"method": "fax"}, format="json")
    assert bad.status_code == 400 and "method" in bad.json()
    bad = client.post(f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5, "mood": 1}, format="json")
    assert bad.status_code == 400 and "mood" in bad.json()
    retry = client.post(f"{URL}{planned.pk}/record", {"method": "phone", "outcome": "no_answer"}, format="json")
    assert retry.status_code == 200 and retry.json()["status"] == "planned" and retry.json()["retry_at"]
    done = client.post(
        f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5, "notes": "很好"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["satisfaction"] == 5
    again = client.post(f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5}, format="json")
    assert again.status_code == 409


def test_v03_api_refuses_phone_record_of_an_on_site_visit(world, planned, api_as):
    ReturnVisit.objects.filter(pk=planned.pk).update(on_site_required=True)
    bad = api_as(world.front_desk).post(
        f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5}, format="json"
    )
    assert bad.status_code == 400 and "上门" in bad.json()["method"][0]


def test_v02_api_technician_may_not_record(world, planned, api_as):
    answer = api_as(world.technician).post(
        f"{URL}{planned.pk}/record", {"method": "phone", "satisfaction": 5}, format="json"
    )
    assert answer.status_code == 403


def test_v02_my_visits_today_page(world, planned, web_as, django_assert_max_num_queries):
    client = web_as(world.front_desk)
    # 12, plus the next working days' visits (the working-day calendar is cached once loaded).
    with django_assert_max_num_queries(14):
        page = client.get(reverse("visits:mine"))
    assert page.status_code == 200 and "BX2611020001" in page.content.decode()
    assert "BX2611020001" not in web_as(world.outsider).get(reverse("visits:mine")).content.decode()


def test_v05_visit_form_shows_the_case_record_and_records(world, planned, web_as):
    client = web_as(world.front_desk)
    page = client.get(reverse("visits:visit", args=[planned.pk])).content.decode()
    assert "漏水" in page and "计划回访" in page
    bad = client.post(reverse("visits:visit", args=[planned.pk]), {"method": "phone"})
    assert bad.status_code == 400 and "满意度" in bad.content.decode()
    ok = client.post(reverse("visits:visit", args=[planned.pk]), {"method": "phone", "satisfaction": "5"})
    assert ok.status_code == 302
    assert ReturnVisit.objects.get(pk=planned.pk).status == "done"


def test_v05_visit_page_outsider_404_and_post_refused(world, planned, web_as):
    client = web_as(world.outsider)
    assert client.get(reverse("visits:visit", args=[planned.pk])).status_code == 404
    assert (
        client.post(reverse("visits:visit", args=[planned.pk]), {"method": "phone", "satisfaction": "5"}).status_code
        == 404
    )


def test_v06_review_page_and_decision(world, planned, web_as, django_assert_max_num_queries):
    services.return_visit_record(
        visit=planned, result=services.VisitResult(method="phone", satisfaction=1), actor=world.front_desk
    )
    client = web_as(world.supervisor)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("visits:review"))
    assert "BX2611020001" in page.content.decode()
    assert web_as(world.front_desk).get(reverse("visits:review")).status_code == 403
    web_as(world.supervisor).post(
        reverse("visits:review_decide", args=[planned.pk]), {"decision": "accepted", "comment": "已核实"}
    )
    assert ReturnVisit.objects.get(pk=planned.pk).reviewed_by == world.supervisor
    outsider = web_as(world.outsider).post(
        reverse("visits:review_decide", args=[planned.pk]), {"decision": "accepted", "comment": "x"}
    )
    assert outsider.status_code == 404


def test_v08_quota_page(world, web_as, django_assert_max_num_queries):
    client = web_as(world.office_manager)
    with django_assert_max_num_queries(11):  # the people, their projects and the projects' policies: one each
        page = client.get(reverse("visits:quotas"), {"month": "2026-11"})
    html = page.content.decode()
    assert "吴经理" in html and "周主管" in html and "未达标" in html  # V08: office manager and CS supervisor
    assert "郑总" not in html


def test_v09_campaign_pages(world, web_as, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    created = client.post(
        reverse("visits:campaigns"),
        {"project": world.estate.pk, "name": "下半年走访", "start": "2026-07-01", "end": "2026-12-31"},
    )
    assert created.status_code == 302
    campaign = world.estate.household_campaigns.get()
    household = campaign.households.get()
    client.post(reverse("visits:campaign", args=[campaign.pk]), {"household": household.pk, "notes": "已走访"})
    client.post(
        reverse("visits:campaign", args=[campaign.pk]),
        {"household": household.pk, "action": "issue", "kind": "repair", "description": "门禁坏"},
    )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("visits:campaign", args=[campaign.pk])).content.decode()
    assert "100.0%" in page and "门禁坏" in page
    assert web_as(world.outsider).get(reverse("visits:campaign", args=[campaign.pk])).status_code == 404
    outsider = web_as(world.outsider).post(reverse("visits:campaign", args=[campaign.pk]), {"household": household.pk})
    assert outsider.status_code == 404


def test_v10_export_xlsx_has_chinese_headers(world, planned, web_as):
    from openpyxl import load_workbook

    client = web_as(world.supervisor)
    answer = client.get(reverse("visits:export"), {"format": "xlsx", "from": "2026-11-01", "to": "2026-11-30"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目", "类别", "案件编号") and rows[1][2] == "BX2611020001"
    empty = web_as(world.outsider).get(reverse("visits:export"), {"format": "xlsx", "from": "2026-11-01"})
    assert len(list(load_workbook(io.BytesIO(empty.content)).active.iter_rows())) == 1
    assert web_as(world.technician).get(reverse("visits:export")).status_code == 403


def test_v10_visit_records_page_points_managers_to_the_one_retention_purge(world, web_as):
    page = web_as(world.office_manager).get(reverse("visits:export"))
    assert reverse("exports:retention") in page.content.decode()
