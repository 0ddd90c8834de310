"""The people of the manual, as pytest fixtures (after healthchecks' Alice, Bob and Charlie).

One company runs two estates. Everyone below works at 滨江花园 (``estate``), except the general manager,
who sees the whole company, and the outsider, the front desk of 翠湖苑 (``other_estate``), who must see
nothing of 滨江花园 anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from guanjia.accounts.models import Role, User
from guanjia.estates.models import Building, Company, Customer, Project, Unit
from guanjia.testing.factories import make_building, make_customer, make_staff, make_unit


@dataclass
class World:
    company: Company
    estate: Project
    other_estate: Project
    building: Building
    unit: Unit
    customer: Customer
    other_unit: Unit
    other_customer: Customer
    front_desk: User
    butler: User
    technician: User
    supervisor: User
    office_manager: User
    general_manager: User
    outsider: User

    def persona(self, name: str) -> User:
        user: User = getattr(self, name)
        return user


PERSONAS = ("front_desk", "butler", "technician", "supervisor", "office_manager", "general_manager")


@pytest.fixture
def world(db: None) -> World:
    company = Company.objects.create(name="安居物业", code="anju")
    estate = Project.objects.create(company=company, name="滨江花园", code="binjiang")
    other = Project.objects.create(company=company, name="翠湖苑", code="cuihu")
    butler = make_staff(Role.BUTLER, projects=(estate,), username="butler", name="王管家")
    building = make_building(estate, "3")
    unit = make_unit(estate, building, entrance="2", room="1201", butler=butler)
    customer = make_customer(estate, name="李明", phones=("13912345678",), units=(unit,))
    other_building = make_building(other, "1")
    other_unit = make_unit(other, other_building, entrance="1", room="101")
    other_customer = make_customer(other, name="赵六", phones=("13700001111",), units=(other_unit,))
    return World(
        company=company,
        estate=estate,
        other_estate=other,
        building=building,
        unit=unit,
        customer=customer,
        other_unit=other_unit,
        other_customer=other_customer,
        front_desk=make_staff(Role.FRONT_DESK, projects=(estate,), username="frontdesk", name="陈前台"),
        butler=butler,
        technician=make_staff(Role.TECHNICIAN, projects=(estate,), username="tech", name="刘师傅"),
        supervisor=make_staff(Role.CS_SUPERVISOR, projects=(estate,), username="supervisor", name="周主管"),
        office_manager=make_staff(Role.OFFICE_MANAGER, projects=(estate,), username="manager", name="吴经理"),
        general_manager=make_staff(Role.GENERAL_MANAGER, company=company, username="gm", name="郑总"),
        outsider=make_staff(Role.FRONT_DESK, projects=(other,), username="outsider", name="孙外人"),
    )
