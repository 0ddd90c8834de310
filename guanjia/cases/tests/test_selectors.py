"""Timeliness for the monthly report (S05 维修及时率, R02) and the next limit of each case for boards."""

from datetime import timedelta

from django.db.models import F

from guanjia.cases.selectors import deadlines_for, next_due_for, timeliness
from guanjia.cases.services import deadline_meet, deadline_set, sweep
from guanjia.cases.testapp.models import Ticket
from guanjia.cases.tests.helpers import NOW, make_ticket

MIN = timedelta(minutes=1)


def test_r02_timeliness_counts_each_limit_met_on_time_late_missed_or_pending(world, django_assert_max_num_queries):
    # Given five work orders: on time, late, missed, still pending, and one whose limit was replaced
    on_time, late, missed, pending, replaced = (make_ticket(world) for _ in range(5))
    for t in (on_time, late, missed, replaced):
        deadline_set(subject=t, kind="order", due_at=NOW + 5 * MIN, now=NOW)
    deadline_set(subject=pending, kind="order", due_at=NOW + 50 * MIN, now=NOW)
    deadline_set(subject=replaced, kind="order", due_at=NOW + 30 * MIN, now=NOW + MIN)
    deadline_meet(subject=on_time, kind="order", at=NOW + 4 * MIN)
    deadline_meet(subject=late, kind="order", at=NOW + 7 * MIN)
    sweep(NOW + 10 * MIN)
    deadline_meet(subject=replaced, kind="order", at=NOW + 20 * MIN)
    # and a limit of another project, which does not count
    deadline_set(subject=make_ticket(world, project=world.other_estate), kind="order", due_at=NOW, now=NOW)

    with django_assert_max_num_queries(2):  # one aggregate (and the content type, unless cached)
        figures = timeliness(project=world.estate, start=NOW, end=NOW + timedelta(days=1), model=Ticket)

    order = figures["order"]
    assert (order.due, order.met_on_time, order.met_late, order.missed, order.pending) == (5, 2, 1, 1, 1)
    assert order.on_time_rate == 0.5


def test_timeliness_of_a_period_with_no_limits_is_empty(world):
    assert timeliness(project=world.estate, start=NOW, end=NOW + MIN) == {}


def test_boards_get_the_next_limit_of_each_case_in_one_query(world, django_assert_num_queries):
    a, b, c = (make_ticket(world) for _ in range(3))
    deadline_set(subject=a, kind="resolve", due_at=NOW + 600 * MIN, now=NOW)
    soonest = deadline_set(subject=a, kind="response", due_at=NOW + 10 * MIN, now=NOW)
    only = deadline_set(subject=b, kind="resolve", due_at=NOW + 60 * MIN, now=NOW)

    with django_assert_num_queries(1):
        nxt = next_due_for([a, b, c])

    assert nxt == {a.pk: soonest, b.pk: only}
    ordered = Ticket.objects.filter(pk__in=[a.pk, b.pk, c.pk]).order_by(F("next_due_at").asc(nulls_last=True))
    assert [(t.pk, t.next_due_at) for t in ordered] == [(a.pk, NOW + 10 * MIN), (b.pk, NOW + 60 * MIN), (c.pk, None)]
    assert [d.kind for d in deadlines_for(a)] == ["response", "resolve"]


def test_c11_case_page_partial_shows_kept_late_missed_and_after_the_fact_limits(world):
    from django.template.loader import render_to_string

    t = make_ticket(world)
    deadline_set(subject=t, kind="response", due_at=NOW - MIN, now=NOW)  # entered after the fact
    deadline_set(subject=t, kind="order", due_at=NOW + 5 * MIN, now=NOW)
    deadline_meet(subject=t, kind="order", at=NOW + 6 * MIN)

    html = render_to_string("cases/_deadlines.html", {"deadlines": deadlines_for(t), "now": NOW})

    assert "补录，未自动上报" in html and "超时完成" in html and "开派工单" in html
