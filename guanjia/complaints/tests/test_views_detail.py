"""A complaint's page: header with grade reasons, facts, deadlines, the timeline and the next actions per role;
actions post to their own URLs; refusals are messages, never 500s. Also the incident page and the customer's
page section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.complaints import services
from guanjia.complaints.models import Complaint

from .test_views_board import register


def detail_url(c):
    return reverse("complaints:detail", args=[c.pk])


def test_detail_shows_header_reasons_customer_deadlines_and_timeline(world, web_as):
    complaint = register(world, facts={"economic_loss_yuan": 3000}, contact_phone="13812345678")
    html = web_as(world.front_desk).get(detail_url(complaint)).content.decode()
    assert complaint.number in html
    assert "较大投诉" in html
    # the reason in words, without its rule code (issue 15)
    assert "<li>经济损失 ≥ 2000 元</li>" in html and '<span class="rule">' not in html
    assert "李明" in html and "3栋2单元1201" in html
    assert "138****5678" in html and "13812345678" not in html  # masked phone
    assert 'class="deadlines"' in html and "响应" in html
    assert "登记投诉" in html and "陈前台" in html  # timeline: what and who
    assert 'id="timeline"' in html


def test_front_desk_sees_handling_actions_but_cannot_lower_the_grade(world, web_as):
    complaint = register(world, facts={"economic_loss_yuan": 20000})
    client = web_as(world.front_desk)
    html = client.get(detail_url(complaint)).content.decode()
    for name in ("dispatch", "note", "agree_deadline", "next_reply", "nature", "link_incident"):
        assert f'id="action-{name}"' in html
    assert 'id="action-lower_grade"' not in html
    assert 'id="action-mishandled"' not in html
    assert 'id="action-acknowledge"' not in html  # only once dispatched

    response = client.post(reverse("complaints:lower_grade", args=[complaint.pk]), {"lower_grade-grade": "general"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.grade == "major"


def test_c10_supervisor_lowers_the_grade_with_a_reason(world, web_as):
    complaint = register(world, facts={"economic_loss_yuan": 20000})
    client = web_as(world.supervisor)
    html = client.get(detail_url(complaint)).content.decode()
    assert 'id="action-lower_grade"' in html and 'id="action-mishandled"' in html

    url = reverse("complaints:lower_grade", args=[complaint.pk])
    response = client.post(url, {"lower_grade-grade": "significant", "lower_grade-reason": ""})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.grade == "major"

    response = client.post(url, {"lower_grade-grade": "significant", "lower_grade-reason": "损失经核实为3000元"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.grade == "significant"
    html = client.get(detail_url(complaint)).content.decode()
    assert "主管降级" in html and "损失经核实为3000元" in html


def test_c13_dispatch_then_acknowledge_then_complete_and_inform(world, web_as):
    complaint = register(world)
    client = web_as(world.front_desk)
    response = client.post(
        reverse("complaints:dispatch", args=[complaint.pk]),
        {"dispatch-department": "engineering", "dispatch-assignee": world.technician.pk},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.department, complaint.assignee) == (
        "dispatched",
        "engineering",
        world.technician,
    )

    tech = web_as(world.technician)
    assert 'id="action-acknowledge"' in tech.get(detail_url(complaint)).content.decode()
    assert tech.post(reverse("complaints:acknowledge", args=[complaint.pk])).status_code == 302
    complaint.refresh_from_db()
    assert complaint.acknowledged_by == world.technician

    tech.post(reverse("complaints:note", args=[complaint.pk]), {"note-text": "已更换水管"})
    services.complaint_set_nature(complaint=complaint, nature="valid", actor=world.front_desk)  # C04 before C15
    tech.post(reverse("complaints:complete", args=[complaint.pk]), {"complete-result": "已修复"})
    client = web_as(world.front_desk)  # the same test client, logged in as the desk again
    client.post(
        reverse("complaints:inform", args=[complaint.pk]), {"inform-method": "phone", "inform-note": "已电话告知"}
    )
    complaint.refresh_from_db()
    assert complaint.status == "completed" and complaint.customer_informed_method == "phone"
    html = client.get(detail_url(complaint)).content.decode()
    for label in ("派单", "部门签收", "处理记录", "已更换水管", "处理完成", "告知客户结果"):
        assert label in html


def test_refused_transition_is_a_message_not_a_500(world, web_as):
    letter = register(world, channel="letter", mail={"sender": "业委会", "subject": "噪音"})
    client = web_as(world.front_desk)
    url = reverse("complaints:written_reply", args=[letter.pk])
    client.post(url, {"written_reply-text": "已整改"})
    # A second written reply is refused by the service (TransitionError): a message, the first reply kept.
    response = client.post(url, {"written_reply-text": "再次回复"}, follow=True)
    assert response.status_code == 200
    assert "已书面回复" in response.content.decode()
    letter.mail_entry.refresh_from_db()
    assert letter.mail_entry.reply_text == "已整改"


def test_complete_is_offered_only_when_the_service_allows_it(world, web_as):
    # Received by the butler: the desk may complete it at registration only once it is judged invalid (C04);
    # settling it on the spot is the first responder's (C15).
    complaint = register(world, first_responder=world.butler)
    client = web_as(world.front_desk)
    assert 'id="action-complete"' not in client.get(detail_url(complaint)).content.decode()
    client.post(
        reverse("complaints:nature", args=[complaint.pk]), {"nature-nature": "invalid", "nature-reason": "不属服务范围"}
    )
    assert 'id="action-complete"' in client.get(detail_url(complaint)).content.decode()


def test_timeline_speaks_the_desks_language(world, web_as):
    complaint = register(world, channel="visit", first_responder=world.butler)
    html = web_as(world.front_desk).get(detail_url(complaint)).content.decode()
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert "来访" in timeline and "王管家" in timeline and "一般投诉" in timeline
    assert "visit" not in timeline and "first_responder" not in timeline


def test_action_not_available_now_is_a_message(world, web_as):
    complaint = register(world)
    response = web_as(world.front_desk).post(reverse("complaints:acknowledge", args=[complaint.pk]), follow=True)
    assert response.status_code == 200
    assert "当前状态下不能执行" in response.content.decode()


def test_future_time_in_an_action_is_an_inline_error(world, web_as):
    complaint = register(world)
    future = (timezone.localtime() + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    past = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client = web_as(world.front_desk)
    response = client.post(
        reverse("complaints:group_measure", args=[complaint.pk]),
        {"group_measure-measure": "meeting", "group_measure-at": future, "group_measure-note": "座谈"},
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    response = client.post(reverse("complaints:agree_deadline", args=[complaint.pk]), {"agree_deadline-deadline": past})
    assert response.status_code == 400


def test_c10_facts_edit_regrades_and_a_stale_version_is_a_conflict_message(world, web_as):
    complaint = register(world)
    client = web_as(world.front_desk)
    url = reverse("complaints:update_facts", args=[complaint.pk])
    form = {
        "facts-version": complaint.version,
        "facts-economic_loss_yuan": "12000",
        "facts-injury": "none",
        "facts-against_department": "engineering",
        "facts-reason": "客户补充损失",
    }
    assert client.post(url, form).status_code == 302
    complaint.refresh_from_db()
    assert complaint.grade == "major"

    stale = {**form, "facts-economic_loss_yuan": "150000"}  # still the old version
    response = client.post(url, stale, follow=True)
    assert "已被他人修改" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.grade == "major"


def test_c12_link_incident_from_the_page_and_incident_page_counts_customers(world, web_as):
    first = register(world, description="B2车库漏水")
    second = register(world, customer=None, customer_name="王五", contact_phone="13800002222", description="车库漏水")
    client = web_as(world.front_desk)
    client.post(reverse("complaints:link_incident", args=[first.pk]), {"link_incident-new_title": "B2车库漏水"})
    first.refresh_from_db()
    assert first.incident is not None
    response = client.post(
        reverse("complaints:link_incident", args=[second.pk]), {"link_incident-incident": first.incident_id}
    )
    assert response.status_code == 302
    page = client.get(reverse("complaints:incident_detail", args=[first.incident_id])).content.decode()
    assert first.number in page and second.number in page
    assert 'id="incident-customers">2<' in page


def test_c17_written_reply_action_only_for_letters(world, web_as):
    phone = register(world)
    letter = register(world, channel="letter", mail={"sender": "业委会", "subject": "噪音"})
    client = web_as(world.front_desk)
    assert 'id="action-written_reply"' not in client.get(detail_url(phone)).content.decode()
    html = client.get(detail_url(letter)).content.decode()
    assert 'id="action-written_reply"' in html and "业委会" in html
    client.post(reverse("complaints:written_reply", args=[letter.pk]), {"written_reply-text": "已整改"})
    assert "已整改" in client.get(detail_url(letter)).content.decode()


@pytest.mark.parametrize(
    "name",
    ["detail", "sign", "dispatch", "note", "complete", "lower_grade", "update_facts", "link_incident"],
)
def test_outsider_gets_404_everywhere(world, web_as, name):
    complaint = register(world)
    client = web_as(world.outsider)
    url = reverse(f"complaints:{name}", args=[complaint.pk])
    response = client.get(url) if name in {"detail", "sign"} else client.post(url, {})
    assert response.status_code == 404
    assert Complaint.objects.get().status == "registered"


def test_outsider_gets_404_for_incident_page(world, web_as):
    complaint = register(world)
    incident = services.incident_create(
        project=world.estate, title="停水", actor=world.front_desk, complaints=[complaint]
    )
    assert web_as(world.outsider).get(reverse("complaints:incident_detail", args=[incident.pk])).status_code == 404


def test_detail_query_count_is_bounded(world, web_as, django_assert_max_num_queries):
    complaint = register(world)
    client = web_as(world.front_desk)
    for i in range(5):
        services.complaint_add_note(complaint=complaint, text=f"记录{i}", actor=world.front_desk)
    client.get(detail_url(complaint))
    with django_assert_max_num_queries(30) as few:
        client.get(detail_url(complaint))
    for i in range(10):
        services.complaint_add_note(complaint=complaint, text=f"再记{i}", actor=world.butler)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail_url(complaint))


def test_detail_renders_in_english(world, web_as):
    complaint = register(world, facts={"economic_loss_yuan": 20000})
    client = web_as(world.supervisor)
    client.cookies["django_language"] = "en"
    assert client.get(detail_url(complaint)).status_code == 200


def test_customer_page_lists_the_customers_complaints(world, web_as, django_assert_max_num_queries):
    complaint = register(world)
    client = web_as(world.front_desk)
    url = reverse("estates:customer_detail", args=[world.customer.pk])
    html = client.get(url).content.decode()
    assert complaint.number in html
    assert detail_url(complaint) in html
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(5):
        register(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_outsider_cannot_probe_suggestions_through_another_projects_complaint(world, web_as):
    complaint = register(world)
    url = reverse("complaints:incident_suggestions")
    assert web_as(world.outsider).get(url, {"complaint": complaint.pk, "description": "漏水"}).status_code == 404


def test_timeline_shows_status_changes_in_words(world, web_as):
    complaint = register(world)
    services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk)
    html = web_as(world.front_desk).get(detail_url(complaint)).content.decode()
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert "已登记 → 已派单" in timeline and "工程部" in timeline
    assert ">registered" not in timeline


def test_c11_the_page_shows_the_supervisor_a_proposal_to_accept_or_dismiss(world, web_as):
    from guanjia.cases.services import sweep

    at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    complaint = register(world, received_at=at, now=at)
    sweep(at + timedelta(minutes=10))

    desk = web_as(world.front_desk).get(detail_url(complaint)).content.decode()
    assert 'id="mishandling-proposal"' in desk and 'id="action-dismiss_proposal"' not in desk
    client = web_as(world.supervisor)
    html = client.get(detail_url(complaint)).content.decode()
    assert 'id="mishandling-proposal"' in html and "提请认定处理不当" in html
    assert 'id="action-dismiss_proposal"' in html and 'id="action-mishandled"' in html

    url = reverse("complaints:dismiss_proposal", args=[complaint.pk])
    assert client.post(url, {"dismiss_proposal-reason": ""}).status_code == 400
    response = client.post(url, {"dismiss_proposal-reason": "全楼停电，无法派单"})
    assert response.status_code == 302
    html = client.get(detail_url(complaint)).content.decode()
    assert 'id="mishandling-proposal"' not in html and "主管不认定处理不当" in html
    complaint.refresh_from_db()
    assert complaint.grade == "general"


def test_c11_c13_a_missed_escalation_can_still_be_acknowledged_on_the_page(world, web_as):
    from guanjia.cases.services import sweep

    at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    complaint = register(world, facts={"injury": "minor"}, received_at=at, now=at)  # significant: office manager
    sweep(at + timedelta(minutes=8))
    manager = web_as(world.office_manager)
    assert 'id="action-acknowledge_escalation"' in manager.get(detail_url(complaint)).content.decode()
    assert manager.post(reverse("complaints:acknowledge_escalation", args=[complaint.pk])).status_code == 302
    escalate = complaint.deadlines.get(kind="escalate")
    assert escalate.met_at is not None and escalate.late is True
