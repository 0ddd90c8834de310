"""我的回访 (V02, V04, V05): today, overdue and the next working days of the working-day calendar; a tap-to-call
whose number is revealed (and the reveal recorded) only on tap; the case's story beside the visit form."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanjia.repairs.models import Repair
from guanjia.timeline.models import Event
from guanjia.timeline.services import record
from guanjia.visits import selectors
from guanjia.visits.models import ReturnVisit
from guanjia.visits.services import return_visit_plan
from guanjia.visits.tests.conftest import at
from guanjia.workdays.deadlines import _end_of
from guanjia.workdays.services import calendar_day_set

#: Friday 4 December 2026, 9:00 in Shanghai; Monday is the 7th.
FRIDAY = at(2026, 12, 4, 9, 0)


@pytest.fixture
def visit_due(world):
    """``visit_due(day, number)``: a front-desk return visit of a repair, due at 24:00 of ``day``."""

    def make(day: date, number: str) -> ReturnVisit:
        repair = Repair.objects.create(
            project=world.estate,
            number=number,
            unit=world.unit,
            customer=world.customer,
            received_at=at(2026, 11, 30, 9, 0),
            registered_by=world.front_desk,
            description="卫生间地漏堵塞",
        )
        visit = return_visit_plan(case=repair, case_type="repair", completed_at=at(2026, 11, 30, 10, 0), actor=None)
        ReturnVisit.objects.filter(pk=visit.pk).update(due_at=_end_of(day), visitor_role="front_desk")
        return ReturnVisit.objects.get(pk=visit.pk)

    return make


def _days(mine: selectors.MyVisits) -> dict[date, list[str]]:
    numbers = selectors.case_numbers(mine.upcoming_visits)
    return {d.day: [numbers[(v.content_type_id, v.object_id)] for v in d.visits] for d in mine.upcoming}


def test_v04_on_a_friday_mondays_visits_are_listed_under_the_next_working_days(world, visit_due):
    visit_due(date(2026, 12, 3), "BX2612030001")  # overdue
    visit_due(date(2026, 12, 4), "BX2612040001")  # today
    for n in range(8):
        visit_due(date(2026, 12, 7), f"BX261207000{n}")  # Monday: the eight visits
    visit_due(date(2026, 12, 8), "BX2612080001")
    visit_due(date(2026, 12, 20), "BX2612200001")  # later
    mine = selectors.my_visits_today(world.front_desk, now=FRIDAY)
    assert [v.due_at for v in mine.overdue] == [_end_of(date(2026, 12, 3))]
    assert [v.due_at for v in mine.today] == [_end_of(date(2026, 12, 4))]
    days = _days(mine)
    assert list(days) == [date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)]  # no Saturday, no Sunday
    assert len(days[date(2026, 12, 7)]) == 8 and days[date(2026, 12, 8)] == ["BX2612080001"]
    assert mine.upcoming_count == 1
    assert selectors.my_visits_today(world.butler, now=FRIDAY).upcoming_visits == []
    assert selectors.my_visits_today(world.outsider, now=FRIDAY).upcoming_visits == []


def test_v04_a_holiday_is_skipped(world, visit_due):
    calendar_day_set(day=date(2026, 12, 7), is_workday=False, name="公司休息日", actor=world.office_manager)
    visit_due(date(2026, 12, 8), "BX2612080001")
    visit_due(date(2026, 12, 10), "BX2612100001")
    days = _days(selectors.my_visits_today(world.front_desk, now=FRIDAY))
    assert list(days) == [date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]
    assert days[date(2026, 12, 8)] == ["BX2612080001"] and days[date(2026, 12, 10)] == ["BX2612100001"]


def test_v02_my_visits_page_shows_the_next_working_days(world, visit_due, web_as, time_machine):
    time_machine.move_to(FRIDAY, tick=False)
    for n in range(3):
        visit_due(date(2026, 12, 7), f"BX261207000{n}")
    client = web_as(world.front_desk)
    client.get(reverse("visits:mine"))
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("visits:mine")).content.decode()
    for n in range(3, 9):
        visit_due(date(2026, 12, 7), f"BX261207000{n}")
    with CaptureQueriesContext(connection) as many:
        more = client.get(reverse("visits:mine")).content.decode()
    assert len(many) == len(few)
    assert 'data-day="2026-12-07"' in page and "BX2612070002" in page
    assert "BX2612070008" in more
    assert "BX2612070001" not in web_as(world.outsider).get(reverse("visits:mine")).content.decode()


def test_v05_tap_to_call_reveals_the_number_only_on_tap_and_records_it(world, visit_due, web_as):
    visit = visit_due(date(2026, 12, 7), "BX2612070001")
    client = web_as(world.front_desk)
    page = client.get(reverse("visits:visit", args=[visit.pk])).content.decode()
    reveal = reverse("estates:customer_reveal_phone", args=[world.customer.pk])
    assert reveal in page and "data-reveal-call" in page
    assert "13912345678" not in page and "tel:" not in page
    assert not Event.objects.filter(verb="pii.phone_revealed").exists()
    answer = client.post(reveal, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="tel:13912345678"' in answer
    event = Event.objects.get(verb="pii.phone_revealed")
    assert event.actor == world.front_desk and event.subject_id == world.customer.pk


def test_v05_the_visit_page_tells_the_cases_story(world, visit_due, web_as):
    visit = visit_due(date(2026, 12, 7), "BX2612070001")
    with transaction.atomic():
        record(subject=visit.case, verb="repair.note_added", actor=world.technician, data={"text": "更换了地漏芯"})
    page = web_as(world.front_desk).get(reverse("visits:visit", args=[visit.pk])).content.decode()
    assert "data-story" in page and "更换了地漏芯" in page and "卫生间地漏堵塞" in page
    assert "维保跟进记录" in page and "repair.note_added" not in page


def test_v05_no_call_button_for_an_outsider_or_a_finished_visit(world, visit_due, web_as):
    visit = visit_due(date(2026, 12, 7), "BX2612070001")
    assert web_as(world.outsider).get(reverse("visits:visit", args=[visit.pk])).status_code == 404
    ReturnVisit.objects.filter(pk=visit.pk).update(status="cancelled")
    page = web_as(world.front_desk).get(reverse("visits:visit", args=[visit.pk])).content.decode()
    assert "data-reveal-call" not in page
