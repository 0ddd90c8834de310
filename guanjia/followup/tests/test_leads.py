"""T06: leads graded A–D (很有希望/有希望/一般/希望不大), every contact recorded, followed up by grade."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.core.errors import TransitionError
from guanjia.followup import services
from guanjia.followup.models import Lead, LeadCadence, LeadContact, LeadGrade
from guanjia.followup.tests.conftest import at


def _lead(world, name="钱先生", grade="A", when="2026-11-02", **kw):
    return services.lead_create(
        project=world.estate,
        name=name,
        phone="135 0000 0000",
        grade=grade,
        actor=world.butler,
        source="朋友介绍",
        now=at(when),
        **kw,
    )


def test_t06_grades_carry_the_manuals_labels():
    assert [str(label) for _v, label in LeadGrade.choices] == ["A 很有希望", "B 有希望", "C 一般", "D 希望不大"]


def test_t06_next_follow_up_is_due_by_the_grades_cadence(world):
    assert {g: services.cadence_days(world.estate, g) for g in "ABCD"} == {"A": 3, "B": 7, "C": 14, "D": 30}
    a, d = _lead(world, grade="A"), _lead(world, name="孙女士", grade="D")
    assert a.next_due_at == at("2026-11-06", "00:00") and d.next_due_at == at("2026-12-03", "00:00")
    assert a.phone == "13500000000"


def test_t06_a_project_can_set_its_own_cadence(world):
    LeadCadence._default_manager.create(project=world.estate, grade="A", every_days=1)
    assert _lead(world).next_due_at == at("2026-11-04", "00:00")


def test_t06_every_contact_is_recorded_and_a_regrade_moves_the_next_follow_up(world):
    lead = _lead(world, grade="C")
    contact = services.lead_contact_add(
        lead=lead, actor=world.butler, version=lead.version, notes="看了样板间，很满意", grade="A", now=at("2026-11-05")
    )
    lead.refresh_from_db()
    assert (contact.grade_before, contact.grade_after) == ("C", "A")
    assert lead.grade == "A" and lead.next_due_at == at("2026-11-09", "00:00")
    services.lead_contact_add(
        lead=lead, actor=world.butler, version=lead.version, notes="已下定金", status="won", now=at("2026-11-06")
    )
    lead.refresh_from_db()
    assert lead.status == "won" and lead.next_due_at is None
    assert LeadContact._default_manager.filter(lead=lead).count() == 2
    with pytest.raises(TransitionError):
        services.lead_contact_add(lead=lead, actor=world.butler, version=lead.version, notes="x")


def test_t06_bad_input_names_the_field(world):
    with pytest.raises(ValidationError) as err:
        services.lead_create(project=world.estate, name="x", phone="12", grade="A", actor=world.butler)
    assert "phone" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.lead_create(project=world.estate, name="x", phone="13500000000", grade="E", actor=world.butler)
    assert "grade" in err.value.message_dict


def test_t06_outsider_cannot_create_or_contact_a_lead(world):
    with pytest.raises(PermissionDenied):
        services.lead_create(project=world.estate, name="x", phone="13500000000", grade="A", actor=world.outsider)
    lead = _lead(world)
    with pytest.raises(PermissionDenied):
        services.lead_contact_add(lead=lead, actor=world.outsider, version=lead.version, notes="x")


def test_t06_leads_page_lists_by_due_and_registers_a_lead(world, web_as):
    _lead(world, name="迟到的D", grade="D")
    _lead(world, name="着急的A", grade="A")
    client = web_as(world.butler)
    page = client.get("/followup/leads/").content.decode()
    assert page.index("着急的A") < page.index("迟到的D")
    response = client.post(
        "/followup/leads/", {"name": "周女士", "phone": "13700000001", "grade": "B", "source": "广告"}, follow=True
    )
    assert "周女士" in response.content.decode() and Lead._default_manager.filter(name="周女士").exists()
    lead = Lead._default_manager.get(name="周女士")
    assert "137****0001" in response.content.decode() and "13700000001" not in response.content.decode()
    client.post(f"/followup/leads/{lead.pk}/", {"version": lead.version, "notes": "约周六看房", "grade": "A"})
    assert Lead._default_manager.get(pk=lead.pk).grade == "A"


def test_t06_leads_page_bad_phone_names_the_field(world, web_as):
    response = web_as(world.butler).post("/followup/leads/", {"name": "x", "phone": "abc", "grade": "B"}, follow=True)
    assert "电话：" in response.content.decode()


def test_t06_outsider_gets_404_for_a_lead_and_sees_none(world, web_as):
    lead = _lead(world)
    client = web_as(world.outsider)
    assert client.get(f"/followup/leads/{lead.pk}/").status_code == 404
    assert client.post(f"/followup/leads/{lead.pk}/", {"version": 1, "notes": "x"}).status_code == 404
    assert client.post(f"/followup/phone/lead/{lead.pk}/").status_code == 404
    assert "钱先生" not in client.get("/followup/leads/").content.decode()


def test_t06_leads_api_lists_by_due_creates_and_records_contacts(world, api_as, time_machine):
    time_machine.move_to(at("2026-11-02", "11:00"), tick=False)  # the API creates its lead the same day
    _lead(world, name="D客户", grade="D")
    client = api_as(world.butler)
    created = client.post(
        "/api/v1/leads/",
        {"project": world.estate.pk, "name": "吴先生", "phone": "13800000002", "grade": "A", "source": "来电"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["grade_label"] == "A 很有希望" and body["phone_masked"] == "138****0002" and "phone" not in body
    listing = client.get("/api/v1/leads/").json()
    assert [r["name"] for r in listing["results"]] == ["吴先生", "D客户"]
    contact = client.post(
        f"/api/v1/leads/{body['id']}/contacts/",
        {"version": body["version"], "notes": "已看房", "grade": "B"},
        format="json",
    )
    assert contact.status_code == 201 and contact.json()["grade_after"] == "B"
    stale = client.post(
        f"/api/v1/leads/{body['id']}/contacts/", {"version": body["version"], "notes": "x"}, format="json"
    )
    assert stale.status_code == 409


def test_t06_leads_api_refuses_bad_input_with_field_errors(world, api_as):
    response = api_as(world.butler).post(
        "/api/v1/leads/", {"project": world.estate.pk, "name": "x", "phone": "1", "grade": "Z"}, format="json"
    )
    assert response.status_code == 400 and "grade" in response.json()


def test_t06_leads_api_outsider(world, api_as):
    lead = _lead(world)
    client = api_as(world.outsider)
    assert client.get("/api/v1/leads/").json()["count"] == 0
    assert client.get(f"/api/v1/leads/{lead.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/leads/{lead.pk}/contacts/", {"version": 1, "notes": "x"}, format="json").status_code
        == 404
    )
    created = client.post(
        "/api/v1/leads/", {"project": world.estate.pk, "name": "x", "phone": "13500000000", "grade": "A"}, format="json"
    )
    assert created.status_code == 400 and "project" in created.json()
    assert Lead._default_manager.count() == 1


def test_t06_leads_api_list_query_count(world, api_as, django_assert_max_num_queries):
    for i in range(15):
        _lead(world, name=f"客户{i}", grade="ABCD"[i % 4])
    client = api_as(world.butler)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/leads/")
    assert response.json()["count"] == 15
