"""The repair pages read their posts through forms (``repairs/forms.py``) and answer through
``guanjia.core.web.post_action``: what the form cannot read comes back as a message naming the field, a step the
order's status refuses as a message, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanjia.repairs.models import Repair, RepairStatus
from guanjia.testing.factories import make_staff


def _said(response) -> str:
    return response.content.decode()


@pytest.fixture
def fresh(log, tap) -> Repair:
    return log(price_item=tap)


def test_r01_a_home_of_another_project_is_refused_by_the_log_form(world, web_as):
    response = web_as(world.front_desk).post(
        reverse("repairs:log"), {"description": "漏水", "unit": world.other_unit.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("repairs:desk")
    assert "房屋：不属于本项目" in _said(response) and Repair.objects.count() == 0


def test_r01_a_garbled_appointment_time_names_the_field(world, web_as):
    response = web_as(world.front_desk).post(
        reverse("repairs:log"), {"description": "漏水", "unit": world.unit.pk, "appointment_at": "明天"}, follow=True
    )
    assert "预约时间：时间格式不正确" in _said(response) and Repair.objects.count() == 0


def test_r03_a_technician_of_another_project_cannot_be_given_the_order(world, web_as, fresh):
    stranger = make_staff("technician", projects=(world.other_estate,), username="stranger")
    response = web_as(world.supervisor).post(
        reverse("repairs:step", args=[fresh.pk, "accept"]), {"technician": stranger.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("repairs:detail", args=[fresh.pk])
    assert "维修人员：请选择本项目的人员" in _said(response)
    fresh.refresh_from_db()
    assert fresh.assignee_id is None


def test_a_step_the_status_refuses_comes_back_as_a_message_and_changes_nothing(world, web_as, fresh):
    response = web_as(world.front_desk).post(reverse("repairs:step", args=[fresh.pk, "finance"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("repairs:detail", args=[fresh.pk])
    assert "该工单没有待交财务的收费" in _said(response)
    fresh.refresh_from_db()
    assert fresh.status == RepairStatus.LOGGED


def test_an_unknown_step_is_403(world, web_as, fresh):
    assert web_as(world.front_desk).post(reverse("repairs:step", args=[fresh.pk, "teleport"])).status_code == 403
