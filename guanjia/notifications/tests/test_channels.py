"""Each outgoing channel against its local fake provider (tests/fakes.py): the request is signed and shaped as
the provider documents it, and a row is "sent" only when the provider accepted it."""

import json
from datetime import UTC, datetime

from django.core import mail
from django.db import transaction

from guanjia.notifications.models import Channel, Delivery, DeliveryStatus, Level
from guanjia.notifications.outbox import deliver_due, send_sms, send_wechat_template
from guanjia.notifications.services import notify

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def test_aliyun_sms_is_signed_as_documented_and_sent(world, fake_aliyun):
    row = send_sms(
        phone="13912345678",
        template="pickup_code",
        params={"what": "包裹", "project": "滨江花园", "code": "795032"},
        now=NOW,
    )
    assert row.status == DeliveryStatus.QUEUED and row.recipient_display == "139****5678"
    assert deliver_due(NOW) == {"sent": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.sent_at == NOW
    assert row.provider_message_id == "900619746936498440^1"
    # Sent: the code and the full number are no longer kept in the outbox.
    assert row.payload["params"] == {"what": "包裹", "project": "滨江花园", "code": "******"} and row.recipient == ""
    (query,) = fake_aliyun.accepted
    assert query["PhoneNumbers"] == "13912345678" and query["TemplateCode"] == "SMS_100001"
    assert query["SignName"] == "管家物业" and query["Timestamp"] == "2026-12-07T02:30:00Z"
    assert json.loads(query["TemplateParam"]) == {"what": "包裹", "project": "滨江花园", "code": "795032"}


def test_aliyun_refuses_a_wrong_secret_and_the_row_fails_without_retrying(world, fake_aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    row = send_sms(phone="13912345678", template="login_code", params={"code": "123456"}, now=NOW)
    assert deliver_due(NOW) == {"failed": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1
    assert "SignatureDoesNotMatch" in row.last_error and not row.sent_at


def test_tencent_sms_is_signed_tc3_and_sent(world, fake_tencent):
    row = send_sms(
        phone="13912345678",
        template="pickup_code",
        params={"what": "包裹", "project": "滨江花园", "code": "795032"},
        now=NOW,
    )
    assert deliver_due(NOW) == {"sent": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.provider_message_id.startswith("5000:")
    (body,) = fake_tencent.accepted
    assert body["PhoneNumberSet"] == ["+8613912345678"] and body["TemplateId"] == "1100001"
    # Tencent takes the parameters as a list, in the template's order.
    assert body["TemplateParamSet"] == ["包裹", "滨江花园", "795032"]
    assert body["SmsSdkAppId"] == "1400000001" and body["SignName"] == "管家物业"


def test_tencent_refuses_a_wrong_key(world, fake_tencent, settings):
    settings.TENCENT_SMS_SECRET_KEY = "wrong"
    row = send_sms(phone="13912345678", template="login_code", params={"code": "123456"}, now=NOW)
    deliver_due(NOW)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "AuthFailure.SignatureFailure" in row.last_error


def test_tencent_per_number_refusal_is_not_sent(world, fake_tencent):
    row = send_sms(phone="12345", template="login_code", params={"code": "123456"}, now=NOW)
    deliver_due(NOW)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "IncorrectPhoneNumber" in row.last_error


def test_wecom_robot_posts_urgent_staff_alerts_to_the_group(world, fake_wecom):
    with transaction.atomic():
        notify(
            recipients=[world.supervisor, world.office_manager],
            kind="complaint.overdue",
            title="投诉 TS2612070001 已超时",
            body="滨江花园 3-2-1201",
            level=Level.URGENT,
            now=NOW,
        )
        notify(recipients=[world.supervisor], kind="x", title="普通通知", level=Level.INFO, now=NOW)
    row = Delivery.objects.get(channel=Channel.WECOM)  # one post for the group, none for the info
    assert deliver_due(NOW) == {"sent": 1}
    (body,) = fake_wecom.accepted
    assert body["msgtype"] == "markdown" and "投诉 TS2612070001 已超时" in body["markdown"]["content"]
    assert "周主管" in body["markdown"]["content"]
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


def test_wecom_wrong_key_is_a_permanent_failure(world, fake_wecom, settings):
    settings.WECOM_ROBOT_WEBHOOK_URL = fake_wecom.webhook_url.replace(fake_wecom.KEY, "wrong-key")
    notify(recipients=[world.supervisor], kind="k", title="紧急", level=Level.URGENT, now=NOW)
    deliver_due(NOW)
    row = Delivery.objects.get(channel=Channel.WECOM)
    assert row.status == DeliveryStatus.FAILED and row.last_error.startswith("93000")


def test_wechat_template_message_through_wechatpy_with_a_cached_token(world, fake_wechat):
    for code in ("111111", "222222"):
        send_wechat_template(
            openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            template="parcel_waiting",
            data={"keyword1": "包裹", "keyword2": code},
            url="https://example.test/r/",
            now=NOW,
        )
    assert deliver_due(NOW) == {"sent": 2}
    assert fake_wechat.tokens == ["TOKEN-1"]  # fetched once, then cached
    first, second = fake_wechat.accepted
    assert first["touser"] == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" and first["template_id"] == "tmpl-parcel-1"
    assert first["data"] == {"keyword1": {"value": "包裹"}, "keyword2": {"value": "111111"}}
    assert second["data"]["keyword2"] == {"value": "222222"}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_wechat_refusal_by_the_provider_is_failed(world, fake_wechat):
    fake_wechat.mode = "error"
    row = send_wechat_template(openid="o-someone", template="parcel_waiting", data={"keyword1": "x"}, now=NOW)
    deliver_due(NOW)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "43004" in row.last_error


def test_email_copies_for_the_chosen_levels(world, settings):
    settings.NOTIFY_EMAIL_LEVELS = ["warning", "urgent"]
    world.supervisor.email = "zhou@example.test"
    world.supervisor.save(update_fields=["email"])
    notify(recipients=[world.supervisor], kind="k", title="提醒：回访逾期", body="3 条", level=Level.WARNING, now=NOW)
    notify(recipients=[world.supervisor], kind="k", title="只进收件箱", level=Level.INFO, now=NOW)
    assert deliver_due(NOW) == {"sent": 1}
    (message,) = mail.outbox
    assert message.to == ["zhou@example.test"] and message.subject == "提醒：回访逾期" and "3 条" in message.body
    row = Delivery.objects.get(channel=Channel.EMAIL)
    assert row.status == DeliveryStatus.SENT and row.notification is not None


def test_signed_webhooks_for_case_created_status_changed_and_deadline_missed(world, fake_webhook):
    from guanjia.cases.services import case_transition
    from guanjia.cases.testapp.models import TicketStatus
    from guanjia.cases.tests.helpers import make_ticket
    from guanjia.timeline.services import record

    with transaction.atomic():
        ticket = make_ticket(world)
        record(subject=ticket, verb="ticket.created", actor=world.front_desk, at=NOW)
        record(subject=ticket, verb="deadline.missed", actor=None, at=NOW, data={"kind": "first_response"})
        record(subject=ticket, verb="ticket.note", actor=world.front_desk, at=NOW)  # not announced
    case_transition(case=ticket, to=TicketStatus.DISPATCHED, actor=world.front_desk, at=NOW)
    deliver_due(NOW)
    events = sorted(b["event"] for b in fake_webhook.accepted)
    assert events == ["case.created", "case.status_changed", "deadline.missed"]
    changed = next(b for b in fake_webhook.accepted if b["event"] == "case.status_changed")
    assert changed["to"] == TicketStatus.DISPATCHED and changed["subject"]["number"] == ticket.number
    assert "phone" not in json.dumps(fake_webhook.accepted)  # no personal data leaves
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_webhook_with_a_bad_signature_is_refused_by_the_receiver(world, fake_webhook, settings):
    settings.OUTBOUND_WEBHOOK_SECRET = "another-secret"
    from guanjia.cases.tests.helpers import make_ticket
    from guanjia.timeline.services import record

    with transaction.atomic():
        record(subject=make_ticket(world), verb="deadline.missed", actor=None, at=NOW)
    deliver_due(NOW)
    row = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert row.status == DeliveryStatus.FAILED and "HTTP 401" in row.last_error
