"""``reports/monthly`` (API.md): the contract's shape, bad input, scope (O04) and a constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.reports.selectors import monthly_figures

from .conftest import MONTH

URL = "/api/v1/reports/monthly"


def test_s01_s02_monthly_report_has_the_contract_fields(generate, world, api_as):
    generate(7)
    response = api_as(world.supervisor).get(URL, {"project": world.estate.pk, "month": "2026-05"})
    assert response.status_code == 200
    body = response.json()
    for key in (
        "total",
        "by_grade",
        "by_nature",
        "by_channel",
        "by_department",
        "responded_in_time",
        "resolved_in_time",
    ):
        assert key in body["complaints"]
    assert set(body["repairs"]) >= {"total", "completed", "on_time"}
    assert set(body["return_visits"]) >= {"due", "done", "on_time", "unsatisfied"}
    for key in ("repeat_complaints", "repeat_repairs", "unsatisfied_visits"):
        assert isinstance(body[key], list)
    assert body["project"] == world.estate.pk
    assert body["month"] == "2026-05"
    # The API's numbers are the selector's numbers for that one project.
    figures = monthly_figures(projects=[world.estate.pk], month=MONTH)
    assert body["complaints"] == figures["complaints"]
    assert body["repairs"] == figures["repairs"]
    assert body["rates"]["household_coverage"]["target"] == 0.98


def test_s01_company_report_covers_every_visible_project(generate, world, api_as):
    generate(7)
    body = api_as(world.general_manager).get(URL, {"month": "2026-05"}).json()
    one = monthly_figures(projects=[world.estate.pk], month=MONTH)["complaints"]["total"]
    other = monthly_figures(projects=[world.other_estate.pk], month=MONTH)["complaints"]["total"]
    assert body["project"] is None
    assert body["complaints"]["total"] == one + other
    assert sorted(body["projects"]) == sorted([world.estate.pk, world.other_estate.pk])


@pytest.mark.parametrize("month", ["2026-13", "2026-5", "May", "2026-05-01", "1999-01", "２０２６-05"])
def test_s01_bad_month_is_a_400_naming_the_field(world, api_as, month):
    response = api_as(world.supervisor).get(URL, {"project": world.estate.pk, "month": month})
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize("project", ["abc", "999999", "1.5"])
def test_s01_bad_project_is_a_400_naming_the_field(world, api_as, project):
    response = api_as(world.supervisor).get(URL, {"project": project, "month": "2026-05"})
    assert response.status_code == 400
    assert "project" in response.json()


def test_o04_outsider_sees_nothing_of_another_project(generate, world, api_as):
    generate(7)
    response = api_as(world.outsider).get(URL, {"project": world.estate.pk, "month": "2026-05"})
    assert response.status_code in (400, 404)
    assert "complaints" not in response.json()


def test_s01_company_view_is_refused_to_project_staff(world, api_as):
    for person in (world.supervisor, world.office_manager, world.outsider):
        response = api_as(person).get(URL, {"month": "2026-05"})
        assert response.status_code == 403


def test_s01_roles_that_do_not_read_reports_are_refused(world, api_as):
    for person in (world.front_desk, world.technician, world.butler):
        response = api_as(person).get(URL, {"project": world.estate.pk, "month": "2026-05"})
        assert response.status_code == 403


def test_s01_anonymous_is_refused(world, client):
    assert client.get(URL, {"project": world.estate.pk}).status_code in (401, 403)


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_s01_report_query_count_does_not_grow_with_the_cases(generate, world, api_as):
    gen, _data = generate(7, complaints=10, repairs=10)
    gen.unsatisfied_pair()
    client = api_as(world.general_manager)
    params = {"month": "2026-05"}
    count_queries(client, params)  # warm the content-type cache
    few = count_queries(client, params)
    for _ in range(40):
        gen.complaint()
        gen.repair()
    for case in gen.data.complaints[-40:] + gen.data.repairs[-40:]:
        gen.visit(case)
    many = count_queries(client, params)
    assert many == few
    assert few <= 21  # figures 5, each month-end list its count and one page (S02), the report


def test_s01_api_tells_who_sent_the_report_and_when(world, api_as):
    from guanjia.reports.selectors import report_scope
    from guanjia.reports.services import monthly_report_send

    from .conftest import local

    scope = report_scope(world.supervisor, world.estate.pk)
    monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, analysis="分析", now=local(2026, 5, 30, 9))
    body = api_as(world.office_manager).get(URL, {"project": world.estate.pk, "month": "2026-05"}).json()
    assert body["report"]["sent_by"] == world.supervisor.name
    assert body["report"]["sent_at"].startswith("2026-05-30T09:00")
    assert body["report"]["analysis"] == "分析" and body["report"]["due_date"] == "2026-05-30"
