"""``StaffOfProjects``: who a sweep batch alerts, read for all its projects at once, is exactly who
``staff_with_roles`` names for each project and roles (issue 14)."""

from __future__ import annotations

from itertools import combinations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.accounts.models import Role
from guanjia.notifications.selectors import StaffOfProjects, staff_with_roles
from guanjia.testing.factories import make_company, make_project, make_staff

ROLES = (Role.CS_SUPERVISOR, Role.OFFICE_MANAGER, Role.FRONT_DESK, Role.GENERAL_MANAGER, Role.TECHNICIAN)


def test_it_names_whom_staff_with_roles_names_for_every_project_and_roles(world):
    other_company = make_company(name="别家物业", code="other")
    elsewhere = make_project(other_company, name="别家小区", code="else")
    make_staff(Role.GENERAL_MANAGER, company=other_company, company_wide=True)  # another company's: never
    make_staff(Role.CS_SUPERVISOR, projects=(elsewhere,))
    make_staff(Role.CS_SUPERVISOR, projects=(world.estate, world.other_estate))  # in two estates
    make_staff(Role.OFFICE_MANAGER, projects=(world.estate,), is_active=False)  # left: never
    projects = [world.estate, world.other_estate, elsewhere]
    staff = StaffOfProjects(projects)
    asked = [set(roles) for n in (1, 2, 3) for roles in combinations(ROLES, n)]
    with CaptureQueriesContext(connection) as captured:
        answers = {(p.pk, tuple(sorted(r))): staff(p, r) for p in projects for r in asked}
    assert len(captured.captured_queries) == 2  # however many projects and roles
    for project in projects:
        for roles in asked:
            expected = list(staff_with_roles(project, roles))
            assert answers[project.pk, tuple(sorted(roles))] == expected, (project, roles)
    assert any(answers.values())


def test_extra_people_come_after_once_and_no_roles_reads_nothing(world):
    staff = StaffOfProjects([world.estate])
    with CaptureQueriesContext(connection) as captured:
        assert staff(world.estate, [], world.front_desk, None, world.front_desk) == [world.front_desk]
    assert captured.captured_queries == []
    people = staff(world.estate, [Role.CS_SUPERVISOR], world.supervisor, world.butler)
    assert people == [world.supervisor, world.butler]


def test_a_project_not_named_is_looked_up_on_its_own(world):
    staff = StaffOfProjects([world.estate])
    assert staff(world.other_estate, [Role.FRONT_DESK]) == list(staff_with_roles(world.other_estate, [Role.FRONT_DESK]))
