"""The first-run page (开通清单): a new office manager's estate checklist, each item computed from the data."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.desk.firstrun import first_run
from guanjia.policy.models import PolicyValue
from guanjia.testing.factories import make_building, make_company, make_project, make_staff, make_unit
from guanjia.workdays.models import CalendarYear, YearStatus

pytestmark = pytest.mark.django_db

#: December of a year whose next year no calendar package knows yet: the calendar item is open until entered.
NOW = timezone.make_aware(datetime(2031, 12, 10, 9, 30))


def _states(manager, project, now=NOW) -> dict[str, bool]:
    return {item.key: item.done for item in first_run(manager, project, now=now).items}


@pytest.fixture
def new_estate():
    company = make_company(name="新安物业", code="xinan")
    project = make_project(company, name="新安小区", code="xinan1")
    manager = make_staff(Role.OFFICE_MANAGER, projects=(project,), username="newmanager", name="新经理")
    return project, manager


def test_each_item_is_done_once_its_data_is_there(new_estate):
    project, manager = new_estate
    assert _states(manager, project) == {
        "units": False,
        "staff": False,
        "butlers": False,
        "policy": False,
        "calendar": False,
    }

    building = make_building(project, "1")
    unit = make_unit(project, building, entrance="1", room="101")
    assert _states(manager, project)["units"] is True

    butler = make_staff(Role.BUTLER, projects=(project,), username="newbutler", name="新管家")
    states = _states(manager, project)
    assert states["staff"] is True and states["butlers"] is False  # the home has no butler yet

    unit.butler = butler
    unit.save(update_fields=["butler"])
    assert _states(manager, project)["butlers"] is True
    make_unit(project, building, entrance="1", room="102")  # a home imported later, without a butler
    assert _states(manager, project)["butlers"] is False
    make_unit(project, building, entrance="1", room="103", butler=butler).delete()

    PolicyValue.objects.create(
        company=project.company, project=project, key="complaint.response_minutes.general", value=8
    )
    assert _states(manager, project)["policy"] is True

    CalendarYear.objects.create(year=2032, status=YearStatus.ADMIN)
    assert _states(manager, project)["calendar"] is True
    # "next year" is the year after now's: in January 2032 the 2033 calendar is wanted
    assert _states(manager, project, now=timezone.make_aware(datetime(2032, 1, 5, 9, 0)))["calendar"] is False


def test_the_checklist_counts_in_sql_whatever_the_estate_size(new_estate, django_assert_max_num_queries):
    project, manager = new_estate
    building = make_building(project, "1")
    butler = make_staff(Role.BUTLER, projects=(project,), username="b1")
    for room in range(101, 141):
        make_unit(project, building, entrance="1", room=str(room), butler=butler)
    with django_assert_max_num_queries(6):
        setup = first_run(manager, project, now=NOW)
        assert [item.done for item in setup.items] == [True, True, True, False, False]


def test_only_an_office_manager_gets_the_estate_checklist(new_estate):
    project, _manager = new_estate
    desk = make_staff(Role.FRONT_DESK, projects=(project,), username="newdesk")
    assert first_run(desk, project, now=NOW).items == ()


def test_after_login_the_manager_sees_the_checklist_once_then_a_link_until_done(new_estate, web_as, time_machine):
    _project, manager = new_estate
    time_machine.move_to(NOW, tick=False)
    client = web_as(manager)

    response = client.get("/")
    assert response.status_code == 302 and response.url == "/first-run/"
    page = client.get("/first-run/").content.decode()
    assert "开通清单" in page and "还有 5 项未完成" in page
    assert "/roster/" in page and "/policy/" in page and "/calendar/?year=2032" in page
    assert "不再显示" not in page  # cannot be put away while items remain

    home = client.get("/")
    assert home.status_code == 200  # shown once per session: now the desk itself, with a link
    assert "开通清单：还有 5 项未完成" in home.content.decode()
    response = client.post("/first-run/")  # refused while items remain
    assert response.status_code == 302 and response.url == "/first-run/"
    assert "开通清单" in client.get("/").content.decode()


def test_an_estate_that_works_already_only_links_to_what_is_left(new_estate, web_as, time_machine):
    project, manager = new_estate
    time_machine.move_to(NOW, tick=False)
    building = make_building(project, "1")
    butler = make_staff(Role.BUTLER, projects=(project,), username="b3")
    make_unit(project, building, entrance="1", room="101", butler=butler)
    home = web_as(manager).get("/")
    assert home.status_code == 200  # policy and calendar left: the desk works, and says what is left
    assert "开通清单：还有 2 项未完成" in home.content.decode()


def test_once_everything_is_done_the_checklist_can_be_put_away(new_estate, web_as, time_machine):
    project, manager = new_estate
    time_machine.move_to(NOW, tick=False)
    building = make_building(project, "1")
    butler = make_staff(Role.BUTLER, projects=(project,), username="b2")
    make_unit(project, building, entrance="1", room="101", butler=butler)
    PolicyValue.objects.create(company=project.company, project=None, key="complaint.response_minutes.general", value=8)
    CalendarYear.objects.create(year=2032, status=YearStatus.ADMIN)
    client = web_as(manager)

    assert client.get("/").status_code == 200  # nothing left: straight to the desk, no link
    assert "开通清单" not in client.get("/").content.decode()
    page = client.get("/first-run/").content.decode()
    assert "全部完成" in page and "不再显示" in page
    response = client.post("/first-run/")
    assert response.status_code == 302 and response.url == "/"

    # a year on, next year's calendar is missing again, but the checklist stays put away
    time_machine.move_to(timezone.make_aware(datetime(2032, 12, 10, 9, 0)), tick=False)
    client = web_as(manager)  # a new login (the old session has long expired)
    home = client.get("/")
    assert home.status_code == 200 and "开通清单：还有" not in home.content.decode()
    assert "不再显示" not in client.get("/first-run/").content.decode()
