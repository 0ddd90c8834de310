"""投诉看板 and the list: next due first, countdown data, urgency colours, filters, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guanjia.cases.services import deadline_cancel, deadline_set
from guanjia.complaints import selectors, services
from guanjia.complaints.models import Complaint

BOARD = reverse("complaints:board")
LIST = reverse("complaints:list")


def register(world, actor=None, **kw):
    values = {"channel": "phone", "description": "电梯停运", "customer": world.customer, **kw}
    return services.complaint_register(project=world.estate, actor=actor or world.front_desk, **values)


def due_in(complaint, minutes: float, kind: str = "response") -> None:
    """Leave the complaint one pending limit, due in ``minutes`` (negative: overdue, not yet swept)."""
    deadline_cancel(subject=complaint, at=timezone.now())
    due = timezone.now() + timedelta(minutes=minutes)
    deadline_set(subject=complaint, kind=kind, due_at=due, now=due - timedelta(minutes=1))


def rows(html: str) -> list[str]:
    return [chunk.split('"', 1)[0] for chunk in html.split('data-complaint="')[1:]]


def test_board_lists_open_complaints_next_due_first_with_countdown_data(world, web_as):
    later, sooner, overdue = register(world), register(world), register(world)
    due_in(later, 120)
    due_in(sooner, 20)
    due_in(overdue, -12)
    closed = register(world)
    Complaint.objects.filter(pk=closed.pk).update(status="closed")

    response = web_as(world.front_desk).get(BOARD)
    html = response.content.decode()
    assert rows(html) == [str(overdue.pk), str(sooner.pk), str(later.pk)]
    assert closed.number not in html
    # The countdown carries the exact limit; the script counts down from it every second.
    first = html.split('data-due="')[1].split('"')[0]
    assert abs(parse_datetime(first) - timezone.now() - timedelta(minutes=-12)) < timedelta(minutes=1)
    assert 'data-overdue="已超时"' in html
    assert "complaints.js" in html
    assert 'hx-trigger="every 10s"' in html
    assert 'id="urgent-alerts"' not in html  # the desk reads urgent notifications in its inbox (issue 15)


@pytest.mark.parametrize(("minutes", "colour"), [(-1, "overdue"), (3, "urgent"), (20, "soon"), (90, "normal")])
def test_board_colours_by_urgency(world, web_as, minutes, colour):
    due_in(register(world), minutes)
    html = web_as(world.front_desk).get(BOARD).content.decode()
    assert f"countdown urgency-{colour}" in html
    assert f"urgency-row-{colour}" in html


def test_board_shows_grade_colour(world, web_as):
    register(world, facts={"economic_loss_yuan": 150000})
    html = web_as(world.front_desk).get(BOARD).content.decode()
    assert 'class="grade grade-critical"' in html
    assert "特别重大投诉" in html


def test_board_filters_by_grade_status_department_and_mine(world, web_as):
    general = register(world)
    major = register(world, actor=world.supervisor, facts={"economic_loss_yuan": 20000})
    services.complaint_dispatch(complaint=major, department="engineering", actor=world.supervisor)
    client = web_as(world.front_desk)

    assert rows(client.get(BOARD, {"grade": "major"}).content.decode()) == [str(major.pk)]
    assert rows(client.get(BOARD, {"status": "registered"}).content.decode()) == [str(general.pk)]
    assert rows(client.get(BOARD, {"department": "engineering"}).content.decode()) == [str(major.pk)]
    assert rows(client.get(BOARD, {"mine": "1"}).content.decode()) == [str(general.pk)]
    # Tampered values are ignored, not errors.
    assert client.get(BOARD, {"grade": "nonsense", "status": "<x>"}).status_code == 200


def test_board_refresh_returns_only_the_list(world, web_as):
    register(world)
    response = web_as(world.front_desk).get(BOARD, {"partial": "list"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board-list"')
    assert "<html" not in html


def test_board_query_count_does_not_grow_with_complaints(world, web_as, django_assert_max_num_queries):
    client = web_as(world.front_desk)
    register(world)
    client.get(BOARD)  # warm the session and content type caches
    with django_assert_max_num_queries(14) as few:
        client.get(BOARD)
    for _ in range(12):
        register(world, customer=None, customer_name="路人", contact_phone="13800001111")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BOARD)
    assert len(rows(response.content.decode())) == 13


def test_list_query_count_does_not_grow(world, web_as, django_assert_max_num_queries):
    client = web_as(world.front_desk)
    register(world)
    client.get(LIST)
    with django_assert_max_num_queries(14) as few:
        client.get(LIST)
    for _ in range(12):
        register(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.content.decode().count('class="row-link"') == 13


def test_list_includes_closed_complaints_and_searches(world, web_as):
    leak = register(world, description="厨房漏水")
    lift = register(world, description="电梯困人")
    Complaint.objects.filter(pk=leak.pk).update(status="closed")
    client = web_as(world.front_desk)
    html = client.get(LIST).content.decode()
    assert leak.number in html and lift.number in html
    html = client.get(LIST, {"q": "厨房"}).content.decode()
    assert leak.number in html and lift.number not in html


def test_outsider_sees_nothing_on_board_and_list(world, web_as):
    complaint = register(world)
    client = web_as(world.outsider)
    assert complaint.number not in client.get(BOARD).content.decode()
    assert complaint.number not in client.get(LIST).content.decode()


def test_board_selector_orders_without_limits_last(world):
    with_limit, without = register(world), register(world)
    deadline_cancel(subject=without, at=timezone.now())
    result = selectors.board(user=world.front_desk, project=world.estate, filters=selectors.BoardFilters())
    assert [c.pk for c in result] == [with_limit.pk, without.pk]
    assert result[0].next_deadline is not None and result[1].urgency == "none"


def test_board_and_list_render_in_english(world, web_as):
    register(world)
    client = web_as(world.front_desk)
    client.cookies["django_language"] = "en"
    assert client.get(BOARD).status_code == 200
    assert client.get(LIST).status_code == 200


def test_new_critical_complaint_reaches_the_boards_urgent_alert_feed(world, web_as):
    complaint = register(world, facts={"deaths": 1})
    client = web_as(world.supervisor)
    assert 'data-feed="/alerts/"' in client.get(BOARD).content.decode()
    feed = client.get(reverse("notifications:urgent")).json()["urgent"]
    assert any(complaint.number in item["title"] for item in feed)
