"""O01: the customer archive: several phones, several units, search keys, optimistic locking."""

import pytest
from django.core.exceptions import ValidationError

from guanjia.core.errors import ConflictError
from guanjia.estates.models import CustomerKind, UnitStatus
from guanjia.estates.services import (
    customer_create,
    customer_update,
    id_number_matches,
    name_search_keys,
    unit_set_status,
)
from guanjia.timeline.selectors import events_for


def test_name_search_keys_give_initials_and_full_pinyin():
    assert name_search_keys("李明") == ("lm", "liming")


def test_o01_customer_has_several_phones_and_units_and_a_created_event(world):
    second = world.unit.building.units.create(project=world.estate, entrance="2", room="1202")
    customer = customer_create(
        project=world.estate,
        name="王芳",
        phones=["139 1111 2222", "0755-86001234"],
        kind=CustomerKind.TENANT,
        units=[world.unit, second],
        actor=world.front_desk,
    )
    assert [p.number for p in customer.phones.all()] == ["13911112222", "0755-86001234"]
    assert set(customer.units.all()) == {world.unit, second}
    assert customer.name_initials == "wf"
    assert [e.verb for e in events_for(customer)] == ["customer.created"]


def test_bad_phone_is_refused_naming_the_field_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as err:
        customer_create(project=world.estate, name="王芳", phones=["12345"], actor=world.front_desk)
    assert "phones" in err.value.message_dict
    assert not world.estate.customers.filter(name="王芳").exists()


def test_unit_of_another_project_is_refused(world):
    with pytest.raises(ValidationError):
        customer_create(project=world.estate, name="王芳", units=[world.other_unit], actor=world.front_desk)


def test_id_number_is_kept_only_as_last_four_and_keyed_hash(world):
    customer = customer_create(project=world.estate, name="王芳", id_number="44030119900101123X", actor=None)
    assert customer.id_number_last4 == "123X"
    assert "440301" not in customer.id_number_hash
    assert id_number_matches(customer, "44030119900101123x")
    assert not id_number_matches(customer, "440301199001011230")


def test_second_writer_gets_a_conflict_instead_of_overwriting(world):
    customer = world.customer
    read_version = customer.version
    customer_update(customer=customer, version=read_version, changes={"note": "第一位"}, actor=world.front_desk)
    with pytest.raises(ConflictError):
        customer_update(customer=customer, version=read_version, changes={"note": "第二位"}, actor=world.butler)
    customer.refresh_from_db()
    assert customer.note == "第一位"
    assert [e.verb for e in events_for(customer)] == ["customer.updated"]


def test_unit_status_change_is_recorded_with_its_reason(world):
    unit = unit_set_status(
        unit=world.unit,
        status=UnitStatus.DECORATING,
        version=world.unit.version,
        actor=world.butler,
        reason="业主申请装修",
    )
    assert unit.status == UnitStatus.DECORATING
    event = events_for(unit).get()
    assert (event.data, event.reason, event.actor) == (
        {"from": "occupied", "to": "decorating"},
        "业主申请装修",
        world.butler,
    )
