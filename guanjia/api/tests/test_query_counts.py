"""Every list answers in a fixed number of queries, however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.accounts.models import Role
from guanjia.testing.factories import make_customer, make_project, make_staff, make_unit


def add_projects(world, n):
    for _ in range(n):
        make_project(world.company)


def add_units(world, n):
    butler = make_staff(Role.BUTLER, projects=(world.estate,))
    for _ in range(n):
        make_unit(world.estate, world.building, butler=butler)


def add_customers(world, n):
    butler = make_staff(Role.BUTLER, projects=(world.estate,))
    for i in range(n):
        units = (make_unit(world.estate, world.building, butler=butler), world.unit)
        make_customer(world.estate, name=f"客户{i}", phones=(f"1390000{i:04d}", f"1380000{i:04d}"), units=units)


def add_staff(world, n):
    for i in range(n):
        role = Role.BUTLER if i % 2 else Role.TECHNICIAN
        make_staff(role, projects=(world.estate, world.other_estate))


@pytest.mark.parametrize(
    ("url", "add", "most"),
    [
        ("/api/v1/projects/", add_projects, 8),
        ("/api/v1/units/", add_units, 8),
        ("/api/v1/customers/", add_customers, 8),
        ("/api/v1/staff/", add_staff, 8),
        ("/api/v1/units/?project={estate}&status=occupied", add_units, 8),
        ("/api/v1/staff/?project={estate}&role=butler", add_staff, 8),
        # The desk search runs a few indexed queries per reading of the query, once per visible project.
        ("/api/v1/customers/?q=客户&project={estate}", add_customers, 12),
        ("/api/v1/customers/?q=客户", add_customers, 16),
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, api_as, django_assert_max_num_queries, url, add, most):
    api = api_as(world.general_manager)
    url = url.format(estate=world.estate.pk)
    joiner = "&" if "?" in url else "?"
    url = f"{url}{joiner}page_size=200"

    add(world, 3)
    with CaptureQueriesContext(connection) as few:
        before = api.get(url)
    assert before.status_code == 200
    add(world, 30)
    with django_assert_max_num_queries(most), CaptureQueriesContext(connection) as many:
        response = api.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= before.json()["count"] + 15

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
