"""登记投诉 page (C01–C03, C12, C17, C18): one screen, errors next to the field, nothing saved on error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.complaints import services
from guanjia.complaints.models import Complaint, MailEntry
from guanjia.timeline.models import Event

URL = reverse("complaints:register")


def _post(client, **overrides):
    data = {
        "channel": "phone",
        "description": "地下车库B2漏水，车被淋湿",
        "location": "地下车库B2",
        "against_department": "engineering",
        **overrides,
    }
    return client.post(URL, data)


def test_c02_register_page_offers_every_field_and_the_apology_phrase(world, web_as):
    response = web_as(world.front_desk).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "投诉内容",
        "发生地点",
        "发生时间",
        "被投诉部门",
        "客户要求",
        "客户要求期限",
        "首问责任人",
        "定级事实",
    ):
        assert label in html
    assert "非常抱歉给您带来不便，我代表{department}向您致歉" in html
    assert "data-copy-apology" in html and "data-insert-apology" in html


def test_c01_every_channel_is_a_big_radio_button(world, web_as):
    html = web_as(world.front_desk).get(URL).content.decode()
    for value, label in (
        ("phone", "电话"),
        ("visit", "来访"),
        ("letter", "书面"),
        ("online", "网络"),
        ("other", "其他"),
    ):
        assert f'value="{value}"' in html
        assert f"<span>{label}</span>" in html


@pytest.mark.parametrize("channel", ["phone", "visit", "online", "other"])
def test_c01_registers_a_complaint_from_each_channel(world, web_as, channel):
    response = _post(web_as(world.front_desk), channel=channel, customer=world.customer.pk, unit=world.unit.pk)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:detail", args=[complaint.pk])
    assert complaint.channel == channel
    assert complaint.customer == world.customer and complaint.unit == world.unit
    assert complaint.first_responder == world.front_desk


def test_c17_letter_records_sender_and_subject_in_the_mail_register(world, web_as):
    client = web_as(world.front_desk)
    response = _post(client, channel="letter", customer=world.customer.pk)
    assert response.status_code == 400
    assert "书面投诉请填写来文人" in response.content.decode()
    assert not Complaint.objects.exists()

    _post(client, channel="letter", customer=world.customer.pk, mail_sender="3栋业主委员会", mail_subject="车库漏水")
    entry = MailEntry.objects.get()
    assert (entry.sender, entry.subject) == ("3栋业主委员会", "车库漏水")


def test_c02_caller_not_in_archive_needs_name_and_phone(world, web_as):
    client = web_as(world.front_desk)
    response = _post(client)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请选择档案内客户，或填写来电人姓名" in html
    assert "档案外来电请填写联系电话" in html
    assert "投诉尚未保存" in html
    assert not Complaint.objects.exists()

    response = _post(client, customer_name="路人甲", contact_phone="13800001234")
    complaint = Complaint.objects.get()
    assert complaint.customer is None
    assert (complaint.customer_name, complaint.contact_phone) == ("路人甲", "13800001234")


def test_c02_missing_description_is_an_inline_error_and_nothing_is_saved(world, web_as):
    response = _post(web_as(world.front_desk), customer=world.customer.pk, description="")
    assert response.status_code == 400
    assert 'id="field-description"' in response.content.decode()
    assert "has-error" in response.content.decode()
    assert not Complaint.objects.exists()
    assert not Event.objects.filter(verb="complaint.registered").exists()


def test_c02_future_received_time_is_refused_naming_the_field(world, web_as):
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post(web_as(world.front_desk), customer=world.customer.pk, received_at=future)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="field-received_at"')
    assert "field-error" in html[start : start + 1200]
    assert not Complaint.objects.exists()


def test_negative_loss_is_refused(world, web_as):
    response = _post(web_as(world.front_desk), customer=world.customer.pk, economic_loss_yuan="-5")
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_c03_forwarded_complaint_keeps_its_first_responder(world, web_as):
    # The butler heard it first and forwarded it; the desk registers it with the butler as first responder.
    response = _post(web_as(world.front_desk), customer=world.customer.pk, first_responder=world.butler.pk)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.first_responder == world.butler
    assert complaint.registered_by == world.front_desk


def test_c03_first_responder_defaults_to_me(world, web_as):
    html = web_as(world.front_desk).get(URL).content.decode()
    assert f'<option value="{world.front_desk.pk}" selected>' in html


def test_c18_special_service_flag_and_facts_are_stored(world, web_as):
    _post(
        web_as(world.front_desk),
        customer=world.customer.pk,
        special_service="on",
        economic_loss_yuan="12000",
        repeat_count="1",
    )
    complaint = Complaint.objects.get()
    assert complaint.special_service is True
    assert complaint.grade == "major"


def test_c02_apology_note_is_saved_on_the_timeline(world, web_as):
    apology = "非常抱歉给您带来不便，我代表工程部向您致歉，我们会尽快处理并给您答复。"
    _post(web_as(world.front_desk), customer=world.customer.pk, note=apology)
    complaint = Complaint.objects.get()
    note = Event.objects.for_subject(complaint).get(verb="complaint.note")
    assert note.data["text"] == apology


def test_customer_lookup_fills_customer_and_unit(world, web_as):
    response = web_as(world.front_desk).get(reverse("complaints:customer_lookup"), {"q": "lm"})
    html = response.content.decode()
    assert f'data-pick-customer="{world.customer.pk}"' in html
    assert f'data-unit="{world.unit.pk}"' in html
    assert "3栋2单元1201" in html
    assert "139****5678" in html and "13912345678" not in html


def test_customer_lookup_shows_nothing_of_another_project(world, web_as):
    html = web_as(world.outsider).get(reverse("complaints:customer_lookup"), {"q": "李明"}).content.decode()
    assert "data-pick-customer" not in html


def test_outsider_cannot_register_a_customer_of_another_project(world, web_as):
    # The outsider's current project is 翠湖苑; a customer of 滨江花园 is not a valid choice there.
    response = _post(web_as(world.outsider), customer=world.customer.pk)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_technician_may_not_open_the_register_page(world, web_as):
    assert web_as(world.technician).get(URL).status_code == 403


def test_c12_incident_suggestions_show_reasons_and_link_in_one_click(world, web_as):
    earlier = services.complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="phone",
        description="地下车库B2顶棚漏水",
        location="地下车库B2",
        customer=world.customer,
    )
    incident = services.incident_create(
        project=world.estate, title="B2车库漏水", actor=world.front_desk, location="地下车库B2", complaints=[earlier]
    )
    client = web_as(world.front_desk)
    response = client.get(
        reverse("complaints:incident_suggestions"), {"description": "车库漏水，车被淋", "location": "地下车库B2"}
    )
    html = response.content.decode()
    assert "B2车库漏水" in html
    assert f'data-link-incident="{incident.pk}"' in html
    assert "<li>" in html.split('class="reasons"')[1]  # why it matches

    # The 关联 button sets the hidden incident field; registering links the complaint.
    _post(client, customer_name="王五", contact_phone="13800002222", incident=incident.pk)
    newest = Complaint.objects.latest("id")
    assert newest.incident == incident


def test_incident_suggestions_of_another_project_are_not_shown(world, web_as):
    services.incident_create(project=world.estate, title="B2车库漏水", actor=world.front_desk, location="地下车库B2")
    html = (
        web_as(world.outsider)
        .get(reverse("complaints:incident_suggestions"), {"description": "车库漏水", "location": "地下车库B2"})
        .content.decode()
    )
    assert "B2车库漏水" not in html


def test_register_page_renders_in_english(world, web_as):
    client = web_as(world.front_desk)
    client.cookies["django_language"] = "en"
    assert client.get(URL).status_code == 200
    assert _post(client, customer=world.customer.pk).status_code == 302
