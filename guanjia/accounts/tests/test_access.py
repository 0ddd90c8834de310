"""O04: staff see the projects they belong to; company roles see all projects; outsiders see nothing."""

import pytest
from django.http import Http404

from guanjia.accounts.access import (
    checked_project,
    get_for_user,
    mask_phone,
    project_ids,
    scope,
    scope_to_project,
    visible_projects,
)
from guanjia.estates.models import Customer, Project, Unit
from guanjia.testing.factories import make_project, make_staff
from guanjia.testing.personas import PERSONAS


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "general_manager"])
def test_o04_project_staff_see_only_their_project(world, persona):
    user = world.persona(persona)
    assert list(visible_projects(user)) == [world.estate]
    assert set(scope(Unit.objects.all(), user)) == {world.unit}


def test_o04_general_manager_sees_every_project_of_the_company(world):
    assert set(visible_projects(world.general_manager)) == {world.estate, world.other_estate}


def test_o04_outsider_cannot_fetch_an_object_of_another_project(world):
    with pytest.raises(Http404):
        get_for_user(Customer.objects.all(), world.outsider, world.customer.pk)
    assert list(scope(Customer.objects.all(), world.outsider)) == [world.other_customer]


def test_o04_inactive_staff_see_nothing(world):
    world.front_desk.is_active = False
    world.front_desk.save()
    assert not visible_projects(world.front_desk).exists()


def test_o04_project_ids_are_the_visible_projects_for_every_kind_of_user(world, django_user_model):
    third = make_project(world.estate.company, name="第三小区")
    two_estates = make_staff("butler", projects=(world.estate, third))
    nowhere = make_staff("butler")
    superuser = django_user_model.objects.create_superuser("root-ids", password="x")
    inactive = make_staff("butler", projects=(world.estate,))
    inactive.is_active = False
    inactive.save()
    users = [world.front_desk, world.outsider, world.general_manager, two_estates, nowhere, superuser, inactive]
    for user in users:
        fresh = django_user_model.objects.get(pk=user.pk)  # nothing remembered from earlier calls
        assert project_ids(fresh) == sorted(visible_projects(fresh).values_list("id", flat=True)), user.username
    assert project_ids(django_user_model.objects.get(pk=two_estates.pk)) == sorted([world.estate.pk, third.pk])
    assert project_ids(django_user_model.objects.get(pk=nowhere.pk)) == []
    assert project_ids(django_user_model.objects.get(pk=inactive.pk)) == []
    assert project_ids(django_user_model.objects.get(pk=superuser.pk)) == sorted(
        Project.objects.values_list("id", flat=True)
    )


@pytest.mark.parametrize(
    ("raw", "masked"), [("13912345678", "139****5678"), ("0755-8888", "*****8888"), ("123", "***")]
)
def test_phone_masking_keeps_only_what_tells_numbers_apart(raw, masked):
    assert mask_phone(raw) == masked


def test_o04_a_project_checked_for_one_user_scopes_nothing_open_for_another(world):
    """``checked_project`` answers only projects the user may see; a project it marked for one user does not
    widen what another sees through ``scope_to_project``, and an unmarked one is scoped as usual."""
    assert checked_project(world.outsider, world.estate.pk) is None
    mine = checked_project(world.front_desk, world.estate.pk)
    assert mine == world.estate
    assert list(scope_to_project(Unit.objects.all(), world.front_desk, mine)) == [world.unit]
    assert list(scope_to_project(Unit.objects.all(), world.outsider, mine)) == []
    assert list(scope_to_project(Unit.objects.all(), world.outsider, world.estate)) == []
    assert checked_project(world.front_desk) == world.estate  # no wish: the first project they see
