"""The board, its poll and the API's ``ordering=due`` at any size: the stored next limit gives the same cases in the
same order as the old per-complaint subquery, the board is paged, an unchanged poll answers 304, and the queries
of each are pinned and do not grow with the number of complaints (issue 14)."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Min, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import deadline_cancel, deadline_meet, deadline_set, sweep
from guanjia.complaints import selectors, services
from guanjia.complaints.models import OPEN_STATUSES, Complaint

BOARD = reverse("complaints:board")
API = "/api/v1/complaints/"
#: Queries of a board page, an unchanged poll (304) and ``complaints/?ordering=due``, whatever the data size
#: (including the session, the user and the current project, before the view's own).
BOARD_QUERIES = 8
#: The session, the user, the current project (checked, so the board needs no list of their projects) and the
#: project's board stamp (``selectors.board_stamp``).
POLL_304_QUERIES = 4
API_DUE_QUERIES = 5


def register(world, **kw):
    values = {"channel": "phone", "description": "电梯停运", "customer": world.customer, **kw}
    return services.complaint_register(project=world.estate, actor=world.front_desk, **values)


def old_board_order(world) -> list[int]:
    """The board's order by the old definition (a subquery per complaint), kept here as the oracle."""
    earliest = (
        Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Complaint),
            subject_id=OuterRef("pk"),
            state=DeadlineState.PENDING,
        )
        .values("subject_id")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    rows = Complaint.objects.filter(project=world.estate, status__in=OPEN_STATUSES).annotate(old=Subquery(earliest))
    return list(rows.order_by(F("old").asc(nulls_last=True), "received_at", "id").values_list("id", flat=True))


def rows(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-complaint="(\d+)"', page)]


def vary(world, complaints, rng: random.Random) -> None:
    now = timezone.now()
    for complaint in complaints:
        roll = rng.random()
        if roll < 0.3:
            deadline_set(
                subject=complaint, kind="next_reply", due_at=now + rng.randint(-50, 300) * timedelta(minutes=1), now=now
            )
        elif roll < 0.45:
            deadline_meet(subject=complaint, kind="response", at=now)
        elif roll < 0.55:
            deadline_cancel(subject=complaint, at=now)
        elif roll < 0.6:
            Complaint.objects.filter(pk=complaint.pk).update(status="closed")


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_board_pages_keep_the_old_order_and_the_stored_limit(world, web_as):
    rng = random.Random(14)
    complaints = [
        register(world, received_at=timezone.now() - timedelta(minutes=rng.randint(0, 600))) for _ in range(70)
    ]
    vary(world, complaints, rng)
    sweep(timezone.now())  # the limits already past are recorded missed and leave the board's "next"
    client = web_as(world.front_desk)

    first = client.get(BOARD).content.decode()
    second = client.get(BOARD, {"page": "2"}).content.decode()

    assert len(rows(first)) == selectors.BOARD_PAGE_SIZE
    assert rows(first) + rows(second) == old_board_order(world)
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert "page=2&amp;partial=list" in second  # page 2's poll refreshes page 2
    # A page past the end, or no page number at all, shows the last or the first page with the same figures.
    past = client.get(BOARD, {"page": "99"}).content.decode()
    assert rows(past) == rows(second) and "第 2 / 2 页" in past
    assert rows(client.get(BOARD, {"page": "abc"}).content.decode()) == rows(first)
    figures = re.findall(r'board-stat-value">(\d+)<', first)
    assert figures == re.findall(r'board-stat-value">(\d+)<', past) and int(figures[0]) == len(old_board_order(world))


def _board_world(world, n: int) -> None:
    for _ in range(n - Complaint.objects.count()):
        register(world)


def test_board_page_queries_do_not_grow_with_complaints(world, web_as):
    client = web_as(world.front_desk)
    _board_world(world, 5)
    client.get(BOARD)  # warm the content type cache
    small = queries(lambda: client.get(BOARD))
    _board_world(world, 60)
    large = queries(lambda: client.get(BOARD))
    assert small == large == BOARD_QUERIES


def test_an_unchanged_poll_answers_304_in_a_few_queries_whatever_the_size(world, web_as):
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    for n in (5, 60):
        _board_world(world, n)
        first = client.get(url, HTTP_HX_REQUEST="true")
        assert first.status_code == 200 and first["ETag"]
        assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
        assert "HX-Request" in first["Vary"]
        response = None

        def poll(etag=first["ETag"]):
            nonlocal response
            response = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)

        assert queries(poll) == POLL_304_QUERIES
        assert response.status_code == 304 and response["ETag"] == first["ETag"] and not response.content


def test_a_poll_after_a_change_gets_the_new_list(world, web_as):
    complaint = register(world)
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    etag = client.get(url, HTTP_HX_REQUEST="true")["ETag"]

    services.complaint_dispatch(complaint=complaint, department="engineering", actor=world.supervisor)
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    etag = changed["ETag"]

    deadline_meet(subject=complaint, kind="response", at=timezone.now())  # the next limit moves on
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    etag = changed["ETag"]

    newcomer = register(world)
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and str(newcomer.pk) in changed.content.decode()
    # another user (or the full page) never gets a 304 for this user's list
    other = web_as(world.supervisor).get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=changed["ETag"])
    assert other.status_code == 200
    assert web_as(world.front_desk).get(BOARD, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_a_poll_turns_a_limit_overdue_without_any_write(world, web_as, time_machine):
    complaint = register(world)
    time_machine.move_to(timezone.now(), tick=False)
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    etag = client.get(url, HTTP_HX_REQUEST="true")["ETag"]
    complaint.refresh_from_db()
    time_machine.move_to(complaint.next_due_at + timedelta(seconds=1), tick=False)
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "urgency-row-overdue" in response.content.decode()


def test_a_poll_sees_a_complaint_written_by_any_path(world, web_as):
    """The stamp is the database's: a bulk update that no service saw still changes the list."""
    complaint = register(world)
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    etag = client.get(url, HTTP_HX_REQUEST="true")["ETag"]
    Complaint.objects.filter(pk=complaint.pk).update(description="地库积水已漫到电梯口")
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "地库积水已漫到电梯口" in changed.content.decode()
    etag = changed["ETag"]
    Complaint.objects.filter(pk=complaint.pk).delete()
    gone = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert gone.status_code == 200 and complaint.number not in gone.content.decode()


def test_a_poll_stays_304_while_only_another_estate_changes(world, web_as):
    register(world)
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    etag = client.get(url, HTTP_HX_REQUEST="true")["ETag"]
    services.complaint_register(
        project=world.other_estate, actor=world.outsider, channel="phone", description="电梯停运",
        customer=world.other_customer,
    )  # fmt: skip
    assert client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_poll_turns_a_row_yellow_then_orange_without_any_write(world, web_as, time_machine):
    complaint = register(world)
    complaint.refresh_from_db()
    due = complaint.next_due_at
    client = web_as(world.front_desk)
    url = f"{BOARD}?partial=list"
    time_machine.move_to(due - timedelta(minutes=31), tick=False)
    etag = client.get(url, HTTP_HX_REQUEST="true")["ETag"]
    time_machine.move_to(due - timedelta(minutes=30), tick=False)  # not yet less than 30 minutes off
    assert client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag).status_code == 304
    second = timedelta(seconds=1)
    for moment, colour in (
        (due - timedelta(minutes=30) + second, "soon"),
        (due - timedelta(minutes=5) + second, "urgent"),
    ):
        time_machine.move_to(moment, tick=False)
        response = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and f"urgency-row-{colour}" in response.content.decode()
        etag = response["ETag"]


def test_api_gives_next_due_at_and_orders_open_complaints_due_first(world, api_as):
    rng = random.Random(7)
    complaints = [
        register(world, received_at=timezone.now() - timedelta(minutes=rng.randint(0, 300))) for _ in range(12)
    ]
    vary(world, complaints, rng)
    api = api_as(world.front_desk)

    data = api.get(API, {"ordering": "due", "page_size": 200}).json()
    assert [row["id"] for row in data["results"]] == old_board_order(world)
    stored = dict(Complaint.objects.values_list("id", "next_due_at"))
    for row in data["results"]:
        expected = stored[row["id"]]
        assert (row["next_due_at"] is None) == (expected is None)
    newest = api.get(API).json()["results"]
    assert [r["id"] for r in newest] == list(
        Complaint.objects.order_by("-received_at", "-id").values_list("id", flat=True)
    )
    bad = api.get(API, {"ordering": "nonsense"})
    assert bad.status_code == 400 and "ordering" in bad.content.decode()


def test_api_ordering_due_queries_do_not_grow(world, api_as):
    api = api_as(world.front_desk)
    _board_world(world, 5)
    api.get(API, {"ordering": "due"})
    small = queries(lambda: api.get(API, {"ordering": "due"}))
    _board_world(world, 60)
    large = queries(lambda: api.get(API, {"ordering": "due"}))
    assert small == large == API_DUE_QUERIES


def test_the_migration_backfills_the_stored_next_limit_of_existing_complaints(world):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("guanjia.complaints.migrations.0004_next_due_at").backfill
    rng = random.Random(3)
    complaints = [register(world) for _ in range(12)]
    vary(world, complaints, rng)
    expected = dict(Complaint.objects.values_list("id", "next_due_at"))
    Complaint.objects.update(next_due_at=None)  # as the rows were before the column existed

    backfill(apps, None)

    assert dict(Complaint.objects.values_list("id", "next_due_at")) == expected
    assert any(expected.values())
