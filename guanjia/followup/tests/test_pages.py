"""Every follow-up page answers the project's staff, refuses outsiders, and lists in a bounded number of queries
(T01–T07 pages)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from guanjia.followup import services
from guanjia.followup.models import Issue
from guanjia.followup.tests.conftest import SERVICE_AT, at
from guanjia.testing.factories import make_customer

#: Queries a list page may make whatever the number of rows (session, user, project, nav badges, the lists).
MAX_QUERIES = 16

PAGES = [
    "/followup/",
    "/followup/?mine=1",
    "/followup/plans/apply/",
    "/followup/plans/templates/",
    "/followup/leads/",
    "/followup/activities/",
    "/followup/surveys/",
]
SUPERVISOR_PAGES = ["/followup/reassign/"]


@pytest.fixture
def busy(world, after_sales):
    """A project with several customers, plans, issues, leads, an activity and a survey."""
    customers = [
        world.customer,
        *(make_customer(world.estate, name=f"客户{i}", phones=(f"1360000001{i}",)) for i in range(5)),
    ]
    for c in customers:
        plan = services.plan_apply(
            customer=c,
            template=after_sales,
            serviced="空调清洗",
            service_at=SERVICE_AT,
            assignee=world.butler,
            actor=world.butler,
            now=SERVICE_AT,
        )
        call = plan.calls.order_by("position").first()
        services.call_record(
            call=call,
            actor=world.butler,
            version=call.version,
            outcome="reached",
            notes="ok",
            raised="要求复查",
            now=at("2026-11-06"),
        )
        services.lead_create(
            project=world.estate,
            name=f"意向{c.pk}",
            phone="13500000000",
            grade="B",
            actor=world.butler,
            now=at("2026-11-06"),
        )
    activity = services.activity_create(
        project=world.estate, name="联谊会", held_on=date(2026, 12, 1), actor=world.supervisor, now=at("2026-11-06")
    )
    survey = services.survey_create(
        project=world.estate,
        title="满意度",
        questions=[{"text": "满意吗", "type": "rating"}],
        schedule="quarterly",
        first_round_on=timezone.localdate(),  # the first round is due today, whatever day that is
        actor=world.supervisor,
    )
    return {"activity": activity, "survey": survey, "customers": customers}


@pytest.mark.parametrize("persona", ["front_desk", "butler", "supervisor", "office_manager", "general_manager"])
def test_t01_t07_every_page_answers_the_projects_staff(world, web_as, busy, persona):
    client = web_as(world.persona(persona))
    for url in [
        *PAGES,
        f"/followup/activities/{busy['activity'].pk}/",
        f"/followup/surveys/{busy['survey'].pk}/",
        f"/followup/archive/{world.customer.pk}/",
    ]:
        assert client.get(url).status_code == 200, url


def test_t01_t07_a_technician_does_no_follow_up_work(world, web_as):
    client = web_as(world.technician)
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_t01_t07_outsider_sees_none_of_the_projects_follow_up(world, web_as, busy):
    client = web_as(world.outsider)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url  # their own (empty) project
        page = response.content.decode()
        assert "李明" not in page and "客户0" not in page and f"意向{world.customer.pk}" not in page, url
    issue = Issue._default_manager.first()
    call = issue.call
    for url in [
        f"/followup/archive/{world.customer.pk}/",
        f"/followup/calls/{call.pk}/",
        f"/followup/issues/{issue.pk}/",
        f"/followup/activities/{busy['activity'].pk}/",
        f"/followup/surveys/{busy['survey'].pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_t01_t07_anonymous_users_are_sent_to_login(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_t02_t03_home_shows_due_overdue_issues_and_archive_tasks(world, web_as, busy):
    page = web_as(world.butler).get("/followup/").content.decode()
    assert "已超期的跟踪电话" in page and "要求复查" in page and "待补全的客户档案" in page


@pytest.mark.parametrize("url", [*PAGES, *SUPERVISOR_PAGES])
def test_t01_t07_list_pages_query_count(world, web_as, busy, url, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(url).status_code == 200


def test_t04_t07_detail_pages_query_count(world, web_as, busy, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    for url in (f"/followup/activities/{busy['activity'].pk}/", f"/followup/surveys/{busy['survey'].pk}/"):
        client.get(url)
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200
