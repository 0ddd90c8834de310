"""/api/v1/complaints and /api/v1/incidents (API.md): fields, filters, actions, scoping (O04), bad input, query
counts."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanjia.cases.models import Deadline
from guanjia.complaints import services
from guanjia.complaints.models import Complaint, ComplaintSignature, Incident
from guanjia.complaints.tests.test_services import png, register
from guanjia.testing.factories import make_customer
from guanjia.timeline.models import Event

URL = "/api/v1/complaints/"


def body(world, **kw):
    data = {
        "project": world.estate.pk,
        "customer": world.customer.pk,
        "channel": "phone",
        "description": "地下车库漏水，车被淋湿",
        "location": "地下车库B2",
        "against_department": "engineering",
        "customer_request": "尽快修好并清洗车辆",
    }
    data.update(kw)
    return data


def iso(value):
    return timezone.localtime(value).isoformat()


def counts():
    return (Complaint.objects.count(), Deadline.objects.count(), Event.objects.count(), Incident.objects.count())


# --- create and read ---------------------------------------------------------------------------------------------


def test_c02_post_registers_and_answers_the_contract_fields(world, api_as):
    response = api_as(world.front_desk).post(URL, body(world, economic_loss_yuan="2500"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    for field in (
        "id",
        "number",
        "nature",
        "grade",
        "status",
        "response_due_at",
        "resolve_due_at",
        "escalate_to",
        "escalate_due_at",
        "version",
        "grade_reasons",
        "first_responder",
        "incident",
        "deadlines",
    ):
        assert field in data
    assert data["grade"] == "significant" and data["nature"] == "undetermined" and data["status"] == "registered"
    assert data["escalate_to"] == "office_manager" and data["escalate_due_at"]
    assert data["first_responder"] == world.front_desk.pk
    assert {d["kind"] for d in data["deadlines"]} == {"response", "escalate", "resolve"}
    assert set(data["deadlines"][0]) >= {"kind", "due_at", "state", "met_at"}
    assert data["economic_loss_yuan"] == 2500


def test_c13_api_due_times_per_grade(world, api_as):
    api = api_as(world.front_desk)
    general = api.post(URL, body(world), format="json").json()
    received = general["received_at"]
    from datetime import datetime

    r = datetime.fromisoformat(received)
    assert datetime.fromisoformat(general["response_due_at"]) == r + timedelta(minutes=10)
    assert datetime.fromisoformat(general["resolve_due_at"]) == r + timedelta(hours=12)
    assert general["escalate_to"] is None and general["escalate_due_at"] is None
    critical = api.post(URL, body(world, deaths=1), format="json").json()
    assert critical["grade"] == "critical" and critical["resolve_due_at"] is None
    assert critical["escalate_to"] == "general_manager"
    assert datetime.fromisoformat(critical["escalate_due_at"]) == datetime.fromisoformat(
        critical["received_at"]
    ) + timedelta(minutes=1)


def test_c11_paper_form_typed_in_later_is_timed_from_receipt(world, api_as):
    received = timezone.now() - timedelta(hours=2)
    data = api_as(world.front_desk).post(URL, body(world, received_at=iso(received)), format="json").json()
    assert data["entered_late"] is True
    response = next(d for d in data["deadlines"] if d["kind"] == "response")
    assert response["state"] == "missed" and response["fired"] is False


def test_c01_caller_not_in_archive(world, api_as):
    data = body(world, customer=None, customer_name="路人甲", contact_phone="13900001111")
    response = api_as(world.front_desk).post(URL, data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["contact_phone"] == "139****1111"  # masked, like every phone in the API


def test_c03_forwarded_complaint_names_its_first_responder(world, api_as):
    response = api_as(world.front_desk).post(URL, body(world, first_responder=world.technician.pk), format="json")
    assert response.status_code == 201 and response.json()["first_responder"] == world.technician.pk
    response = api_as(world.front_desk).post(URL, body(world, first_responder=world.outsider.pk), format="json")
    assert response.status_code == 400 and "first_responder" in response.json()


def test_c10_patch_changes_facts_and_regrades(world, api_as):
    complaint = register(world)
    api = api_as(world.supervisor)
    response = api.patch(
        f"{URL}{complaint.pk}/",
        {"version": complaint.version, "media_outlets": 3, "reason": "三家媒体报道"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["grade"] == "major"
    stale = api.patch(f"{URL}{complaint.pk}/", {"version": complaint.version, "deaths": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["detail"]
    assert Complaint.objects.get(pk=complaint.pk).deaths == 0
    unknown = api.patch(f"{URL}{complaint.pk}/", {"version": 99, "grade": "general"}, format="json")
    assert unknown.status_code == 400 and "grade" in unknown.json()


# --- filters ------------------------------------------------------------------------------------------------------


def test_list_filters(world, api_as):
    general = register(world)
    major = register(world, facts={"injury": "serious"})
    invalid = services.complaint_set_nature(
        complaint=register(world), nature="invalid", reason="x", actor=world.front_desk
    )
    services.complaint_complete(complaint=invalid, result="已解释", actor=world.front_desk)
    dispatched = services.complaint_dispatch(complaint=general, department="security", actor=world.front_desk)
    api = api_as(world.front_desk)

    def ids(query):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"project={world.estate.pk}") == {general.pk, major.pk, invalid.pk}
    assert ids("grade=major") == {major.pk}
    assert ids("status=completed") == {invalid.pk}
    assert ids("nature=invalid") == {invalid.pk}
    assert ids("department=security") == {dispatched.pk}
    assert ids("open=true") == {general.pk, major.pk}
    assert ids(f"customer={world.customer.pk}") == {general.pk, major.pk, invalid.pk}
    for bad in ("grade=huge", "project=abc", f"project={world.other_estate.pk}", "open=perhaps", "customer=-1"):
        assert api.get(f"{URL}?{bad}").status_code == 400, bad


# --- actions ------------------------------------------------------------------------------------------------------


def test_c13_c15_actions_dispatch_acknowledge_agree_complete(world, api_as):
    complaint = register(world, facts={"injury": "serious"})
    url = f"{URL}{complaint.pk}"
    desk = api_as(world.front_desk)
    r = desk.post(f"{url}/dispatch/", {"department": "engineering", "assignee": world.technician.pk}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "dispatched" and r.json()["assignee"] == world.technician.pk
    r = api_as(world.technician).post(f"{url}/acknowledge/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert next(d for d in r.json()["deadlines"] if d["kind"] == "response")["state"] == "met"
    deadline = timezone.now() + timedelta(days=3)
    r = desk.post(f"{url}/agree-deadline/", {"deadline": iso(deadline)}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["resolve_due_at"] == iso(deadline.replace(microsecond=deadline.microsecond))
    r = desk.post(f"{url}/note/", {"text": "已联系施工方"}, format="json")
    assert r.status_code == 201
    r = desk.post(f"{url}/next-reply/", {"reply_at": iso(timezone.now() + timedelta(hours=4))}, format="json")
    assert r.status_code == 200 and r.json()["next_reply_at"]
    r = desk.post(f"{url}/inform/", {"method": "phone", "note": "已告知进度"}, format="json")
    assert r.status_code == 200 and r.json()["customer_informed_method"] == "phone"
    r = api_as(world.general_manager).post(f"{url}/acknowledge-escalation/", {}, format="json")
    assert r.status_code == 200, r.content
    r = desk.post(f"{url}/complete/", {"result": "已修复"}, format="json")
    assert r.status_code == 400 and "nature" in r.json()  # C04: the nature is recorded before completion
    assert desk.post(f"{url}/nature/", {"nature": "valid"}, format="json").status_code == 200
    r = desk.post(f"{url}/complete/", {"result": "已修复"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["completed_at"]
    again = desk.post(f"{url}/complete/", {"result": "again"}, format="json")
    assert again.status_code == 409


def test_c04_c10_c11_supervisor_actions(world, api_as):
    complaint = register(world)
    url = f"{URL}{complaint.pk}"
    assert api_as(world.front_desk).post(f"{url}/mishandled/", {"reason": "拖延"}, format="json").status_code == 403
    r = api_as(world.supervisor).post(f"{url}/mishandled/", {"reason": "拖延"}, format="json")
    assert r.status_code == 200 and r.json()["grade"] == "significant"
    assert api_as(world.supervisor).post(f"{url}/mishandled/", {}, format="json").status_code == 400
    r = api_as(world.supervisor).post(f"{url}/lower-grade/", {"grade": "general"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api_as(world.supervisor).post(f"{url}/lower-grade/", {"grade": "general", "reason": "误判"}, format="json")
    assert r.status_code == 200 and r.json()["grade"] == "general"
    r = api_as(world.front_desk).post(f"{url}/nature/", {"refer": True}, format="json")
    assert r.status_code == 200 and r.json()["nature_referred"] is True
    assert api_as(world.front_desk).post(f"{url}/nature/", {"nature": "valid"}, format="json").status_code == 403
    r = api_as(world.office_manager).post(f"{url}/nature/", {"nature": "valid"}, format="json")
    assert r.status_code == 200 and r.json()["nature"] == "valid"


def test_c12_link_incident_and_incident_endpoints(world, api_as):
    api = api_as(world.front_desk)
    complaints = [
        register(world, customer=make_customer(world.estate, name=f"业主{i}", phones=(f"1360000{i:04d}",)))
        for i in range(10)
    ]
    r = api.post(
        "/api/v1/incidents/",
        {
            "project": world.estate.pk,
            "title": "B2车库漏水",
            "location": "地下车库",
            "complaints": [c.pk for c in complaints[:9]],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    incident = r.json()
    assert incident["customer_count"] == 9 and len(incident["complaints"]) == 9
    r = api.post(f"{URL}{complaints[9].pk}/link-incident/", {"incident": incident["id"]}, format="json")
    assert r.status_code == 200 and r.json()["grade"] == "critical" and r.json()["incident"] == incident["id"]
    assert api.get(f"/api/v1/incidents/{incident['id']}/").json()["customer_count"] == 10
    assert {row["grade"] for row in api.get(f"{URL}?incident={incident['id']}").json()["results"]} == {"critical"}
    r = api.post(f"{URL}{complaints[9].pk}/link-incident/", {"incident": None}, format="json")
    assert r.status_code == 200 and r.json()["incident"] is None and r.json()["grade"] == "critical"


def test_c12_suggestions(world, api_as):
    incident = services.incident_create(
        project=world.estate, title="3栋电梯困人", building=world.building, location="3栋电梯", actor=world.front_desk
    )
    register(world, incident=incident, description="3栋电梯困人半小时", location="3栋电梯")
    api = api_as(world.front_desk)
    r = api.get(
        "/api/v1/incidents/suggestions",
        {"project": world.estate.pk, "description": "电梯困人了", "location": "3栋电梯", "building": world.building.pk},
    )
    assert r.status_code == 200, r.content
    assert r.json()[0]["incident"]["id"] == incident.pk and r.json()[0]["score"] > 0.3 and r.json()[0]["reasons"]
    assert api.get("/api/v1/incidents/suggestions", {"project": world.estate.pk}).status_code == 400
    outsider = api_as(world.outsider).get(
        "/api/v1/incidents/suggestions", {"project": world.estate.pk, "description": "电梯"}
    )
    assert outsider.status_code == 400 and "project" in outsider.json()


def test_c20_sign_via_api(world, api_as):
    complaint = register(world)
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    r = api_as(world.front_desk).post(
        f"{URL}{complaint.pk}/sign/", {"image": image, "signer_name": "李明", "opinion": "满意"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert ComplaintSignature.objects.get(complaint=complaint).signer_name == "李明"
    r = api_as(world.front_desk).post(
        f"{URL}{complaint.pk}/sign/", {"image": "data:image/png;base64,AAAA", "signer_name": "李明"}, format="json"
    )
    assert r.status_code == 400 and "image" in r.json()


def test_c17_letter_via_api_is_registered_in_the_mail_register_and_replied_in_writing(world, api_as):
    data = body(world, channel="letter", mail={"sender": "李明", "subject": "夜间施工噪音"})
    created = api_as(world.front_desk).post(URL, data, format="json")
    assert created.status_code == 201, created.content
    complaint = Complaint.objects.get(pk=created.json()["id"])
    assert complaint.mail_entry.subject == "夜间施工噪音"
    r = api_as(world.supervisor).post(f"{URL}{complaint.pk}/reply-in-writing/", {"text": "函复如下"}, format="json")
    assert r.status_code == 200 and r.json()["replied_at"] and r.json()["subject"] == "夜间施工噪音"
    bad = api_as(world.front_desk).post(URL, body(world, channel="letter", mail={"sender": "x" * 101}), format="json")
    assert bad.status_code == 400 and "mail" in bad.json()


def test_c19_group_measure_via_api(world, api_as):
    complaint = register(world)
    r = api_as(world.office_manager).post(
        f"{URL}{complaint.pk}/group-measure/",
        {"measure": "public_notice", "at": iso(timezone.now()), "note": "公告栏公示处理结果"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["group_measure"] == "public_notice"


# --- O04: the outsider ---------------------------------------------------------------------------------------------

ACTIONS = [
    ("mishandled", {"reason": "x"}),
    ("dismiss-proposal", {"reason": "x"}),
    ("complete", {"result": "x"}),
    ("agree-deadline", {"deadline": "2099-01-01T00:00:00+08:00"}),
    ("acknowledge", {}),
    ("acknowledge-escalation", {}),
    ("dispatch", {"department": "engineering"}),
    ("nature", {"nature": "valid"}),
    ("note", {"text": "x"}),
    ("next-reply", {"reply_at": "2099-01-01T00:00:00+08:00"}),
    ("inform", {"method": "phone", "note": "x"}),
    ("lower-grade", {"grade": "general", "reason": "x"}),
    ("link-incident", {"incident": None}),
    ("sign", {"image": "data:image/png;base64,AAAA", "signer_name": "x"}),
    ("reply-in-writing", {"text": "x"}),
    ("group-measure", {"measure": "meeting", "at": "2020-01-01T00:00:00+08:00", "note": "x"}),
]


def test_o04_outsider_gets_404_on_every_complaint_and_incident_endpoint(world, api_as):
    complaint = register(world, channel="letter", facts={"injury": "minor"})
    incident = services.incident_create(project=world.estate, title="停水", actor=world.front_desk)
    api = api_as(world.outsider)
    before = counts()
    assert api.get(URL).json()["count"] == 0
    assert api.get("/api/v1/incidents/").json()["count"] == 0
    assert api.get(f"{URL}{complaint.pk}/").status_code == 404
    assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert (
        api.patch(f"{URL}{complaint.pk}/", {"version": complaint.version, "deaths": 1}, format="json").status_code
        == 404
    )
    for path, data in ACTIONS:
        assert api.post(f"{URL}{complaint.pk}/{path}/", data, format="json").status_code == 404, path
    assert counts() == before


def test_o04_outsider_cannot_create_in_another_project_nor_use_its_objects(world, api_as):
    api = api_as(world.outsider)
    before = counts()
    r = api.post(URL, body(world), format="json")
    assert r.status_code == 400 and "project" in r.json()
    # Own project, but a customer of the other project
    r = api.post(URL, body(world, project=world.other_estate.pk), format="json")
    assert r.status_code == 400 and "customer" in r.json()
    r = api.post("/api/v1/incidents/", {"project": world.estate.pk, "title": "x"}, format="json")
    assert r.status_code == 400 and "project" in r.json()
    incident = services.incident_create(project=world.estate, title="停水", actor=world.front_desk)
    mine = services.complaint_register(
        project=world.other_estate,
        actor=world.outsider,
        channel="phone",
        description="x",
        customer=world.other_customer,
    )
    r = api.post(f"{URL}{mine.pk}/link-incident/", {"incident": incident.pk}, format="json")
    assert r.status_code == 400 and "incident" in r.json()
    assert counts()[0] == before[0] + 1


def test_c02_technician_may_not_register(world, api_as):
    before = counts()
    assert api_as(world.technician).post(URL, body(world), format="json").status_code == 403
    assert counts() == before


# --- bad input: 400 naming the field, nothing changed ------------------------------------------------------------


def _future():
    return iso(timezone.now() + timedelta(hours=2))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"economic_loss_yuan": "-1"}, "economic_loss_yuan"),
        ({"economic_loss_yuan": "abc"}, "economic_loss_yuan"),
        ({"deaths": -1}, "deaths"),
        ({"media_days": 1.5}, "media_days"),
        ({"repeat_count": 10**9}, "repeat_count"),
        ({"injury": "scratch"}, "injury"),
        ({"to_authorities": "maybe"}, "to_authorities"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "__future__"}, "received_at"),
        ({"occurred_at": "__future__"}, "occurred_at"),
        ({"description": ""}, "description"),
        ({"description": "长" * 5001}, "description"),
        ({"against_department": "kitchen"}, "against_department"),
        ({"customer": None}, "customer"),
        ({"unit": 10**12}, "unit"),
        ({"project": None}, "project"),
        ({"first_responder": "abc"}, "first_responder"),
        ({"requested_deadline": "2000-01-01T00:00:00+08:00"}, "requested_deadline"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(world, api_as, change, field):
    data = body(world, **{k: (_future() if v == "__future__" else v) for k, v in change.items()})
    before = counts()
    response = api_as(world.front_desk).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert counts() == before


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("complete", {"result": "x", "completed_at": "__future__"}, "completed_at"),
        ("complete", {"result": "x", "completed_at": "2000-01-01T00:00:00+08:00"}, "completed_at"),
        ("complete", {}, "result"),
        ("acknowledge", {"at": "__future__"}, "at"),
        ("dispatch", {"department": "kitchen"}, "department"),
        ("dispatch", {"department": "engineering", "at": "__future__"}, "at"),
        ("agree-deadline", {"deadline": "soon"}, "deadline"),
        ("agree-deadline", {"deadline": "2000-01-01T00:00:00+08:00"}, "deadline"),
        ("mishandled", {"reason": ""}, "reason"),
        ("dismiss-proposal", {}, "reason"),
        ("note", {"text": "x", "at": "__future__"}, "at"),
        ("inform", {"method": "pigeon", "note": "x"}, "method"),
        ("next-reply", {"reply_at": "2000-01-01T00:00:00+08:00"}, "reply_at"),
    ],
)
def test_bad_action_input_is_a_400_naming_the_field_and_changes_nothing(world, api_as, path, data, field):
    complaint = register(world)
    complaint = services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    data = {k: (_future() if v == "__future__" else v) for k, v in data.items()}
    before = (*counts(), Complaint.objects.get(pk=complaint.pk).version)
    response = api_as(world.supervisor).post(f"{URL}{complaint.pk}/{path}/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (*counts(), Complaint.objects.get(pk=complaint.pk).version) == before


@pytest.mark.parametrize("raw", ['{"channel": "phone",', "[1, 2", "not json", '"a string"', "[]"])
def test_malformed_json_is_a_400_json_and_changes_nothing(world, api_as, raw):
    before = counts()
    response = api_as(world.front_desk).post(URL, raw, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert counts() == before


def test_a_5_mb_description_is_a_400_naming_description_not_a_500(world, api_as):
    before = counts()
    raw = json.dumps(body(world, description="投" * (5 * 1024 * 1024 // 3)), ensure_ascii=False)
    assert len(raw.encode()) > 5 * 1024 * 1024 - 100
    response = api_as(world.front_desk).post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "description" in response.json()
    assert counts() == before


# --- query counts ---------------------------------------------------------------------------------------------


def _add_complaints(world, n):
    incident = Incident.objects.filter(project=world.estate).first() or services.incident_create(
        project=world.estate, title="事件", actor=world.front_desk
    )
    for i in range(n):
        complaint = register(world, facts={"injury": "minor"} if i % 2 else {}, incident=incident if i % 3 else None)
        if i % 4 == 0:
            services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)


@pytest.mark.parametrize(
    "url", [URL, f"{URL}?open=true&grade=significant", "/api/v1/incidents/", "/api/v1/incidents/?project={estate}"]
)
def test_list_query_count_does_not_grow_with_rows(world, api_as, django_assert_max_num_queries, url):
    api = api_as(world.general_manager)
    url = url.format(estate=world.estate.pk)
    url = f"{url}{'&' if '?' in url else '?'}page_size=200"
    _add_complaints(world, 3)
    for _ in range(2):
        services.incident_create(project=world.estate, title="另一事件", actor=world.front_desk)
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    _add_complaints(world, 15)
    for _ in range(5):
        services.incident_create(project=world.estate, title="另一事件", actor=world.front_desk)
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        response = api.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_schema_documents_the_complaint_endpoints(world, api_as):
    schema = api_as(world.front_desk).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/complaints/",
        "/api/v1/complaints/{id}/mishandled/",
        "/api/v1/complaints/{id}/dismiss-proposal/",
        "/api/v1/complaints/{id}/complete/",
        "/api/v1/complaints/{id}/agree-deadline/",
        "/api/v1/incidents/",
        "/api/v1/incidents/suggestions/",
    ):
        assert any(p.rstrip("/") == path.rstrip("/") for p in paths), path


def test_c11_a_missed_limit_shows_a_proposal_the_supervisor_dismisses_with_a_reason(world, api_as):
    from guanjia.cases.services import sweep

    at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    complaint = register(world, received_at=at, now=at)
    url = f"{URL}{complaint.pk}"
    supervisor = api_as(world.supervisor)
    assert supervisor.get(f"{url}/").json()["mishandling_proposal"] is None
    sweep(at + timedelta(minutes=10))

    proposal = supervisor.get(f"{url}/").json()["mishandling_proposal"]
    assert [limit["kind"] for limit in proposal["limits"]] == ["response"]
    assert proposal["limits"][0]["kind_label"] == "响应"
    assert supervisor.get(f"{url}/").json()["grade"] == "general"  # C11: not raised by itself
    r = api_as(world.front_desk).post(f"{url}/dismiss-proposal/", {"reason": "停电"}, format="json")
    assert r.status_code == 403
    r = supervisor.post(f"{url}/dismiss-proposal/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = supervisor.post(f"{url}/dismiss-proposal/", {"reason": "全楼停电"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["mishandling_proposal"] is None and r.json()["grade"] == "general"
    assert supervisor.post(f"{url}/dismiss-proposal/", {"reason": "再次"}, format="json").status_code == 409
