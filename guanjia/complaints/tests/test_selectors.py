"""Reads behind the complaint pages: urgency boundaries, filters from a query string, a customer's complaints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404, QueryDict
from django.utils import timezone

from guanjia.complaints import selectors

from .test_views_board import register


@pytest.mark.parametrize(
    ("seconds", "level"),
    [(-1, "overdue"), (0, "overdue"), (1, "urgent"), (299, "urgent"), (300, "soon"), (1799, "soon"), (1800, "normal")],
)
def test_urgency_boundaries(seconds, level):
    now = timezone.now()
    assert selectors.urgency(now + timedelta(seconds=seconds), now) == level


def test_urgency_without_a_limit():
    assert selectors.urgency(None, timezone.now()) == "none"


def test_filters_drop_unknown_values():
    filters = selectors.BoardFilters.from_query(QueryDict("grade=major&status=bogus&department=x&mine=1&q=%20漏水%20"))
    assert filters == selectors.BoardFilters(grade="major", mine=True, query="漏水")
    assert filters.active
    assert not selectors.BoardFilters.from_query(QueryDict("")).active


def test_customer_complaints_newest_first_in_one_query(world, django_assert_num_queries):
    older = register(world, received_at=timezone.now() - timedelta(hours=2))
    newer = register(world)
    register(world, customer=None, customer_name="路人", contact_phone="13800001111")
    with django_assert_num_queries(1):
        found = selectors.customer_complaints(user=world.front_desk, customer=world.customer)
    assert [c.pk for c in found] == [newer.pk, older.pk]


def test_outsider_gets_nothing_from_the_selectors(world):
    complaint = register(world)
    assert selectors.board(user=world.outsider, project=world.estate, filters=selectors.BoardFilters()) == []
    assert not selectors.complaint_list(user=world.outsider, project=world.estate, filters=selectors.BoardFilters())
    assert selectors.customer_complaints(user=world.outsider, customer=world.customer) == []
    with pytest.raises(Http404):
        selectors.complaint_get(user=world.outsider, pk=complaint.pk)


def test_project_staff_are_the_projects_people(world):
    staff = set(selectors.project_staff(user=world.front_desk, project=world.estate))
    assert {world.front_desk, world.butler, world.supervisor, world.general_manager} <= staff
    assert world.outsider not in staff
