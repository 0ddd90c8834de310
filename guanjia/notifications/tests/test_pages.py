"""Quiet hours as a person's own setting, and the managers' log of outgoing messages (scoped to their projects)."""

from datetime import UTC, datetime, time

from django.urls import reverse

from guanjia.notifications.models import NotificationPreference
from guanjia.notifications.outbox import deliver_due, send_sms

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
PREFS = reverse("notifications:preferences")
LOG = reverse("notifications:deliveries")


def test_quiet_hours_are_set_and_cleared_by_the_person(world, web_as):
    client = web_as(world.butler)
    assert client.get(PREFS).status_code == 200
    response = client.post(PREFS, {"quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=world.butler)
    assert (pref.quiet_start, pref.quiet_end) == (time(22), time(7))
    assert 'value="22:00' in client.get(PREFS).content.decode()
    client.post(PREFS, {"quiet_start": "", "quiet_end": ""})
    pref.refresh_from_db()
    assert not pref.has_quiet_hours
    assert not NotificationPreference.objects.filter(user=world.supervisor).exists()  # only mine changed


def test_half_a_quiet_window_is_refused_inline_naming_the_field(world, web_as):
    client = web_as(world.butler)
    response = client.post(PREFS, {"quiet_start": "22:00", "quiet_end": ""})
    assert response.status_code == 400
    assert "请同时填写开始和结束时间" in response.content.decode()
    response = client.post(PREFS, {"quiet_start": "25:00", "quiet_end": "07:00"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_managers_see_the_deliveries_of_their_projects_with_their_real_status(
    world, web_as, fake_aliyun, django_assert_max_num_queries
):
    for i in range(5):
        send_sms(phone=f"1391234567{i}", template="login_code", params={"code": "1"}, now=NOW, project=world.estate)
    send_sms(phone="13700001111", template="login_code", params={"code": "2"}, now=NOW, project=world.other_estate)
    fake_aliyun.mode = "ok"
    deliver_due(NOW)
    client = web_as(world.office_manager)
    client.get(LOG)
    with django_assert_max_num_queries(8):
        response = client.get(LOG)
    html = response.content.decode()
    assert html.count('data-delivery="sent"') == 5 and "139****5674" in html
    assert "137****1111" not in html  # another project's
    assert "13912345670" not in html  # masked
    assert client.get(LOG, {"status": "failed"}).content.decode().count("data-delivery=") == 0


def test_the_delivery_log_is_not_for_the_desk(world, web_as):
    assert web_as(world.front_desk).get(LOG).status_code == 404
    assert "消息发送记录" not in web_as(world.front_desk).get(reverse("notifications:inbox")).content.decode()
    assert "消息发送记录" in web_as(world.office_manager).get(reverse("notifications:inbox")).content.decode()


def test_the_admin_lists_deliveries_read_only_without_full_numbers(world, client, fake_aliyun):
    from guanjia.accounts.models import User

    row = send_sms(phone="13912345678", template="login_code", params={"code": "424242"}, now=NOW, project=world.estate)
    root = User.objects.create_superuser("root", "root@example.com", "x-Pass-12345", name="管理员")
    client.force_login(root)
    listing = client.get("/admin/notifications/delivery/")
    assert listing.status_code == 200 and "139****5678" in listing.content.decode()
    detail = client.get(f"/admin/notifications/delivery/{row.pk}/change/").content.decode()
    assert "13912345678" not in detail and "424242" not in detail
