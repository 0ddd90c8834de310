"""The desk warns managers while a year's holiday arrangement is missing (V04): from 1 November for next year."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from guanjia.workdays.services import calendar_notice_import

SH = ZoneInfo("Asia/Shanghai")
HOME = reverse("desk:home")
WARNING_2027 = "2027年的调休安排尚未录入"


@pytest.mark.django_db
def test_v04_managers_are_warned_from_1_november_about_next_year(world, web_as, time_machine):
    client = web_as(world.office_manager)
    time_machine.move_to(datetime(2026, 10, 31, 12, tzinfo=SH), tick=False)
    assert WARNING_2027 not in client.get(HOME).content.decode()
    time_machine.move_to(datetime(2026, 11, 1, 9, tzinfo=SH), tick=False)
    html = client.get(HOME).content.decode()
    assert WARNING_2027 in html and "录入2027年安排" in html
    assert f"{reverse('workdays:calendar')}?year=2027#notice-form" in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["front_desk", "butler"])
def test_v04_other_roles_are_not_warned(world, web_as, time_machine, persona):
    time_machine.move_to(datetime(2026, 11, 2, 9, tzinfo=SH), tick=False)
    assert WARNING_2027 not in web_as(world.persona(persona)).get(HOME).content.decode()


@pytest.mark.django_db
def test_v04_the_warning_goes_once_the_notice_is_entered(world, web_as, time_machine):
    time_machine.move_to(datetime(2026, 12, 20, 9, tzinfo=SH), tick=False)
    client = web_as(world.general_manager)
    assert WARNING_2027 in client.get(HOME).content.decode()
    calendar_notice_import(
        year=2027,
        text="春节：2月5日至11日放假调休，共7天。2月13日（周六）、2月20日（周六）上班。",
        actor=world.general_manager,
    )
    assert WARNING_2027 not in client.get(HOME).content.decode()
