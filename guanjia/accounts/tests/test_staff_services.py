"""人员管理 services (O02–O04): who may add and change whom, what the timeline says, a butler's households."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from guanjia.accounts import services
from guanjia.accounts.models import Role, User
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Unit
from guanjia.testing.factories import make_unit
from guanjia.timeline.labels import verb_label
from guanjia.timeline.selectors import events_for


def create(actor, now, **kw):
    facts = {"username": "newtech", "name": "马师傅", "role": Role.TECHNICIAN, "phone": "13800001234"}
    return services.staff_create(actor=actor, now=now, **{**facts, **kw})


def test_o02_office_manager_adds_a_technician_with_a_one_time_password(world, now):
    person, initial = create(world.office_manager, now, projects=[world.estate])

    assert initial and len(initial) == 14
    assert person.must_change_password and person.is_active
    assert list(person.projects.all()) == [world.estate] and person.company == world.company
    assert person.check_password(initial)
    event = events_for(person).get()
    assert (event.verb, event.actor, event.at) == ("staff.created", world.office_manager, now)
    assert initial not in str(event.data)
    assert verb_label(event.verb) == "新增人员"


def test_o02_a_given_password_is_checked_by_the_password_validators(world, now):
    with pytest.raises(ValidationError) as refused:
        create(world.office_manager, now, projects=[world.estate], password="123")
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="newtech").exists()

    person, initial = create(world.office_manager, now, projects=[world.estate], password="Blue-Harbour-2026")
    assert initial is None and not person.must_change_password


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("name", {"name": " "}),
        ("username", {"username": "butler"}),
        ("username", {"username": "has space"}),
        ("phone", {"phone": "12345"}),
        ("role", {"role": "ceo"}),
        ("projects", {"projects": []}),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, now, field, kw):
    before = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        create(world.office_manager, now, **{"projects": [world.estate], **kw})
    assert field in refused.value.message_dict
    assert User.objects.count() == before


def test_o04_office_manager_cannot_give_a_role_or_project_above_their_own(world, now, other_manager):
    with pytest.raises(PermissionError):
        create(world.office_manager, now, projects=[world.estate], role=Role.GENERAL_MANAGER)
    with pytest.raises(PermissionError):
        create(world.office_manager, now, projects=[world.other_estate], role=Role.OFFICE_MANAGER)
    with pytest.raises(PermissionError):
        create(other_manager, now, projects=[world.estate])
    with pytest.raises(PermissionError):
        services.staff_update(person=world.technician, actor=other_manager, now=now, changes={"name": "改名"})
    with pytest.raises(PermissionError):
        services.staff_update(
            person=world.general_manager, actor=world.office_manager, now=now, changes={"phone": "13800000000"}
        )
    with pytest.raises(PermissionError):
        services.staff_update(
            person=world.technician, actor=world.office_manager, now=now, changes={"role": Role.GENERAL_MANAGER}
        )
    with pytest.raises(PermissionError):
        services.staff_update(
            person=world.technician, actor=world.office_manager, now=now, changes={"projects": [world.other_estate]}
        )
    world.technician.refresh_from_db()
    assert world.technician.role == Role.TECHNICIAN and list(world.technician.projects.all()) == [world.estate]


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "supervisor", "outsider"])
def test_o02_nobody_else_administers_people(world, now, persona):
    actor = world.persona(persona)
    with pytest.raises(PermissionError):
        create(actor, now, projects=[world.estate])
    with pytest.raises(PermissionError):
        services.staff_update(person=world.technician, actor=actor, now=now, changes={"is_active": False})
    with pytest.raises(PermissionError):
        services.staff_reset_password(person=world.technician, actor=actor, now=now)


def test_o02_general_manager_creates_an_office_manager_for_any_project(world, now):
    person, _initial = create(world.general_manager, now, role=Role.OFFICE_MANAGER, projects=[world.other_estate])
    assert person.role == Role.OFFICE_MANAGER and list(person.projects.all()) == [world.other_estate]


def test_o02_role_and_project_changes_are_on_the_timeline_from_and_to(world, now):
    services.staff_update(
        person=world.technician,
        actor=world.general_manager,
        now=now,
        changes={"role": Role.ENGINEERING_SUPERVISOR, "projects": [world.estate, world.other_estate]},
    )

    events = {e.verb: e for e in events_for(world.technician)}
    assert events["staff.role_changed"].data == {"from": "technician", "to": "engineering_supervisor"}
    assert events["staff.projects_changed"].data["to_names"] == ["滨江花园", "翠湖苑"]
    assert all(e.actor == world.general_manager and e.at == now for e in events.values())


def test_stale_version_is_a_conflict_and_changes_nothing(world, now):
    version = world.technician.version
    services.staff_update(person=world.technician, actor=world.office_manager, now=now, changes={"name": "刘师傅甲"})

    with pytest.raises(ConflictError):
        services.staff_update(
            person=world.technician, actor=world.office_manager, now=now, changes={"name": "刘师傅乙"}, version=version
        )
    world.technician.refresh_from_db()
    assert world.technician.name == "刘师傅甲"


def test_o02_switched_off_person_cannot_log_in_and_keeps_history(world, now):
    services.staff_update(
        person=world.technician, actor=world.office_manager, now=now, changes={"is_active": False}, reason="离职"
    )

    world.technician.refresh_from_db()
    assert not world.technician.is_active
    assert not ModelBackend().user_can_authenticate(world.technician)
    event = events_for(world.technician).get()
    assert (event.verb, event.reason) == ("staff.switched_off", "离职")
    assert User.objects.filter(pk=world.technician.pk).exists()


def test_nobody_switches_themself_off_or_changes_their_own_role(world, now):
    with pytest.raises(ValidationError):
        services.staff_update(
            person=world.office_manager, actor=world.office_manager, now=now, changes={"is_active": False}
        )
    with pytest.raises(ValidationError):
        services.staff_update(
            person=world.office_manager, actor=world.office_manager, now=now, changes={"role": Role.BUTLER}
        )


def test_password_reset_is_on_the_timeline_but_the_password_is_not(world, now):
    password = services.staff_reset_password(person=world.butler, actor=world.office_manager, now=now)

    world.butler.refresh_from_db()
    assert world.butler.must_change_password and world.butler.check_password(password)
    event = events_for(world.butler).get()
    assert event.verb == "staff.password_reset" and password not in str(event.data)


def test_o03_butler_households_are_assigned_by_the_office_manager(world, now):
    second = make_unit(world.estate, world.building, entrance="2", room="1202")
    third = make_unit(world.estate, world.building, entrance="2", room="1203")
    butler2, _ = create(
        world.office_manager, now, username="butler2", name="钱管家", role=Role.BUTLER, projects=[world.estate]
    )

    added, removed = services.staff_assign_households(
        person=butler2, actor=world.office_manager, now=now, project=world.estate, units=[world.unit, second]
    )

    assert {u.pk for u in added} == {world.unit.pk, second.pk} and removed == []
    assert set(Unit.objects.filter(butler=butler2)) == {world.unit, second}
    assert Unit.objects.get(pk=third.pk).butler is None
    assert [e.data for e in events_for(world.unit) if e.verb == "unit.butler_changed"] == [
        {"from": world.butler.pk, "to": butler2.pk}
    ]
    assert events_for(butler2).last().data["added"] == ["3栋2单元1201", "3栋2单元1202"]


def test_o03_households_only_for_a_butler_and_only_in_the_project(world, now, other_manager):
    with pytest.raises(ValidationError):
        services.staff_assign_households(
            person=world.technician, actor=world.office_manager, now=now, project=world.estate, units=[world.unit]
        )
    with pytest.raises(ValidationError):
        services.staff_assign_households(
            person=world.butler, actor=world.office_manager, now=now, project=world.estate, units=[world.other_unit]
        )
    with pytest.raises(PermissionError):
        services.staff_assign_households(
            person=world.butler, actor=other_manager, now=now, project=world.estate, units=[world.unit]
        )
