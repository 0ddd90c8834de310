"""Small factories for tests and benches. Plain functions: they read like the manual."""

from __future__ import annotations

import itertools
from typing import Any

from guanjia.accounts.access import COMPANY_ROLES
from guanjia.accounts.models import Role, User
from guanjia.estates.models import Building, Company, Customer, CustomerKind, CustomerPhone, Project, Residency, Unit

_seq = itertools.count(1)


def make_company(**kw: Any) -> Company:
    n = next(_seq)
    return Company.objects.create(name=kw.pop("name", f"物业公司{n}"), code=kw.pop("code", f"co{n}"), **kw)


def make_project(company: Company | None = None, **kw: Any) -> Project:
    n = next(_seq)
    return Project.objects.create(
        company=company or make_company(), name=kw.pop("name", f"项目{n}"), code=kw.pop("code", f"p{n}"), **kw
    )


def make_building(project: Project, number: str = "1", **kw: Any) -> Building:
    return Building.objects.create(project=project, number=number, **kw)


def make_unit(
    project: Project, building: Building | None = None, *, entrance: str = "1", room: str | None = None, **kw: Any
) -> Unit:
    if building is None:
        building = Building.objects.filter(project=project).first() or make_building(project)
    return Unit.objects.create(
        project=project, building=building, entrance=entrance, room=room or f"{next(_seq):04d}", **kw
    )


def make_customer(
    project: Project,
    *,
    name: str = "张三",
    phones: tuple[str, ...] = ("13800138000",),
    units: tuple[Unit, ...] = (),
    kind: str = CustomerKind.OWNER,
    **kw: Any,
) -> Customer:
    from pypinyin import Style, lazy_pinyin

    customer = Customer.objects.create(
        project=project,
        name=name,
        kind=kind,
        name_initials="".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower(),
        name_pinyin="".join(lazy_pinyin(name)).lower(),
        **kw,
    )
    for i, number in enumerate(phones):
        CustomerPhone.objects.create(customer=customer, number=number, position=i)
    for unit in units:
        Residency.objects.create(customer=customer, unit=unit, kind=kind)
    return customer


def make_staff(
    role: str,
    *,
    projects: tuple[Project, ...] = (),
    company: Company | None = None,
    username: str | None = None,
    name: str | None = None,
    **kw: Any,
) -> User:
    username = username or f"{role}{next(_seq)}"
    if company is None and projects:
        company = projects[0].company
    user = User.objects.create_user(
        username=username,
        password=kw.pop("password", "pass-for-tests-1"),
        name=name or username,
        role=role,
        company=company,
        company_wide=kw.pop("company_wide", role in COMPANY_ROLES),
        **kw,
    )
    if projects:
        user.projects.set(projects)
    return user


__all__ = ["Role", "make_building", "make_company", "make_customer", "make_project", "make_staff", "make_unit"]
