"""Alerts that inform without blocking (issue 15): the urgent banner only for the roles that must act, in the
page's flow under the top bar, dismissed once for every page; and the favicon every page asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from guanjia.accounts.access import shows_urgent_alert
from guanjia.notifications.models import Level, Notification
from guanjia.notifications.services import notify

pytestmark = pytest.mark.django_db
FEED = reverse("desk:alerts")
DISMISS = reverse("desk:alerts_dismiss")


def urgent(world, people, kind="repair.deadline_missed", title="报修 R001 到场已超时"):
    return notify(recipients=people, kind=kind, title=title, project=world.estate, level=Level.URGENT)


def feed(client, user) -> list[str]:
    client.force_login(user)
    return [n["title"] for n in client.get(FEED).json()["urgent"]]


def test_only_the_roles_that_must_act_see_an_urgent_banner(world):
    assert not shows_urgent_alert(world.front_desk, "repair.deadline_missed")
    assert not shows_urgent_alert(world.butler, "complaint.critical")
    assert shows_urgent_alert(world.technician, "repair.deadline_missed")
    assert not shows_urgent_alert(world.technician, "complaint.critical")
    assert shows_urgent_alert(world.supervisor, "repair.deadline_missed")
    assert shows_urgent_alert(world.office_manager, "complaint.escalate_missed")


def test_front_desk_gets_internal_repair_deadlines_in_the_inbox_not_as_a_banner(world, client):
    urgent(world, [world.front_desk, world.supervisor])
    assert feed(client, world.front_desk) == []
    page = client.get(reverse("desk:home")).content.decode()
    assert 'id="urgent-alerts"' not in page  # no banner, no polling on the desk's pages
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "报修 R001 到场已超时" in inbox
    assert feed(client, world.supervisor) == ["报修 R001 到场已超时"]


def test_the_banner_is_in_the_flow_under_the_top_bar_never_fixed_over_it(world, client):
    client.force_login(world.supervisor)
    html = client.get(reverse("desk:home")).content.decode()
    assert html.index("</header>") < html.index('id="urgent-alerts"') < html.index('<main class="page"')
    assert f'data-feed="{FEED}"' in html and f'data-dismiss="{DISMISS}"' in html
    css = Path(finders.find("css/alerts.css")).read_text(encoding="utf-8")
    assert "position: static" in css and "position: fixed" not in css
    # No other stylesheet (the inbox's loads before the banner) puts the banner back over the top bar.
    for sheet in Path(finders.find("css/app.css")).parent.glob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert sheet.name == "alerts.css" or ".urgent-alerts" not in text, sheet.name


def test_dismissing_marks_the_shown_alerts_read_for_every_page(world, client):
    shown = urgent(world, [world.supervisor])[0]
    for_inbox = urgent(world, [world.supervisor], kind="frontdesk.other", title="别的紧急事")[0]
    someone_elses = urgent(world, [world.office_manager])[0]
    client.force_login(world.supervisor)

    response = client.post(DISMISS, {"ids": [shown.pk, someone_elses.pk, for_inbox.pk, "x"]})
    assert response.status_code == 204
    assert Notification.objects.get(pk=shown.pk).read_at is not None
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None  # not theirs to dismiss
    assert feed(client, world.supervisor) == []  # stays dismissed: the next page's poll finds nothing
    # Only banner alerts are dismissed: a notification the banner never shows stays unread in the inbox.
    assert Notification.objects.get(pk=for_inbox.pk).read_at is None


def test_dismiss_leaves_unshown_notifications_unread(world, client):
    shown = urgent(world, [world.supervisor])[0]
    later = urgent(world, [world.supervisor], title="报修 R002 到场已超时")[0]
    client.force_login(world.supervisor)
    client.post(DISMISS, {"ids": [shown.pk]})
    assert Notification.objects.get(pk=later.pk).read_at is None
    assert feed(client, world.supervisor) == ["报修 R002 到场已超时"]


def test_the_alert_endpoints_need_a_login_and_dismiss_needs_a_post(world, client):
    assert client.get(FEED).status_code == 302
    assert client.post(DISMISS).status_code == 302
    client.force_login(world.supervisor)
    assert client.get(DISMISS).status_code == 405


def test_the_banner_feed_reads_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.supervisor)
    client.get(FEED)
    for i in range(15):
        urgent(world, [world.supervisor], title=f"报修 R{i:03d} 到场已超时")
    with django_assert_max_num_queries(6):
        assert len(client.get(FEED).json()["urgent"]) == 5


def test_favicon_is_served_locally(world, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico") and response["Location"].startswith("/static/")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    client.force_login(world.front_desk)
    assert 'rel="icon"' in client.get(reverse("desk:home")).content.decode()
