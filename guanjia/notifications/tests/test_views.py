"""The inbox, the unread badge and the urgent feed: each person sees and marks only their own."""

from django.urls import reverse

from guanjia.notifications.models import Notification
from guanjia.notifications.services import notify


def _notify(user, **kw):
    kw.setdefault("kind", "complaint.registered")
    kw.setdefault("title", "新投诉")
    return notify(recipients=[user], **kw)[0]


def test_inbox_lists_only_my_notifications_newest_first(world, web_as, django_assert_max_num_queries):
    for i in range(15):
        _notify(world.supervisor, title=f"投诉 {i}", project=world.estate)
    _notify(world.butler, title="管家的通知")
    client = web_as(world.supervisor)
    client.get(reverse("notifications:inbox"))  # first visit stores the current project in the session

    with django_assert_max_num_queries(7):
        page = client.get(reverse("notifications:inbox"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "投诉 14" in html and "管家的通知" not in html
    assert html.index("投诉 14") < html.index("投诉 0")


def test_inbox_hides_notifications_of_a_project_i_no_longer_belong_to(world, web_as):
    _notify(world.butler, title="旧项目的通知", project=world.other_estate)
    assert "旧项目的通知" not in web_as(world.butler).get(reverse("notifications:inbox")).content.decode()


def test_mark_read_and_mark_all_read(world, web_as):
    first, second = _notify(world.supervisor), _notify(world.supervisor)
    client = web_as(world.supervisor)

    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=world.supervisor, read_at__isnull=True).exists()
    second.refresh_from_db()
    assert second.read_at is not None


def test_someone_else_cannot_read_or_mark_my_notification(world, web_as):
    mine = _notify(world.supervisor, url="/complaints/1/")
    client = web_as(world.outsider)

    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[mine.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    mine.refresh_from_db()
    assert mine.read_at is None


def test_open_marks_read_and_goes_to_the_page_but_never_off_site(world, web_as):
    inside = _notify(world.supervisor, url="/complaints/1/")
    outside = _notify(world.supervisor, url="https://evil.example.com/")
    client = web_as(world.supervisor)

    assert client.post(reverse("notifications:open", args=[inside.pk]))["Location"] == "/complaints/1/"
    assert client.post(reverse("notifications:open", args=[outside.pk]))["Location"] == reverse("notifications:inbox")
    inside.refresh_from_db()
    assert inside.read_at is not None


def test_badge_shows_the_unread_count(world, web_as, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    assert client.get(reverse("notifications:badge")).content.decode().strip() == ""
    for _ in range(3):
        _notify(world.supervisor)

    with django_assert_max_num_queries(4):
        badge = client.get(reverse("notifications:badge"))

    assert ">3<" in badge.content.decode()
    assert badge["Cache-Control"].startswith("max-age=0")


def test_c13_urgent_feed_lists_unread_urgent_alerts_for_the_board(world, web_as, django_assert_max_num_queries):
    alert = _notify(world.general_manager, title="特别重大投诉 TS2611220001", level="urgent", project=world.estate)
    _notify(world.general_manager, title="普通通知")
    client = web_as(world.general_manager)
    client.get(reverse("notifications:urgent"))  # first visit stores the current project in the session

    with django_assert_max_num_queries(4):
        feed = client.get(reverse("notifications:urgent")).json()

    assert [n["id"] for n in feed["urgent"]] == [alert.pk]
    assert feed["urgent"][0]["title"] == "特别重大投诉 TS2611220001"
    client.post(reverse("notifications:read_all"), {"level": "urgent"}, HTTP_HX_REQUEST="true")
    assert client.get(reverse("notifications:urgent")).json()["urgent"] == []
    assert Notification.objects.filter(recipient=world.general_manager, read_at__isnull=True).count() == 1


def test_pages_need_a_login(client):
    for name in ("notifications:inbox", "notifications:badge", "notifications:urgent"):
        assert client.get(reverse(name)).status_code == 302
