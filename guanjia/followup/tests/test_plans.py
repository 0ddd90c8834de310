"""T02: plan templates generate follow-up calls, each due in its window; the sweep reminds and reports."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.followup import services
from guanjia.followup.models import CallStatus, CustomerProfile, FollowUpCall, PlanTemplate
from guanjia.followup.tests.conftest import SERVICE_AT, at
from guanjia.notifications.models import Notification


def test_t02_after_sales_first_call_between_day_3_and_day_7_second_by_day_14(plan):
    calls = list(plan.calls.order_by("position"))
    assert [c.label for c in calls] == ["第一次跟踪服务电话", "第二次跟踪服务电话"]
    # Served Monday 2026-11-02: first call from Thursday 11-05 to 24:00 of Monday 11-09.
    assert calls[0].not_before == date(2026, 11, 5) and calls[0].due_at == at("2026-11-10", "00:00")
    # Second: after a further week, within 7 days: from 11-10 to 24:00 of 11-16 (day 14).
    assert calls[1].not_before == date(2026, 11, 10) and calls[1].due_at == at("2026-11-17", "00:00")
    assert all(c.assignee_id == plan.assignee_id and c.status == CallStatus.PENDING for c in calls)


def test_t02_procedure_template_days_1_3_6_and_months_1_3_6(world, procedure):
    plan = services.plan_apply(
        customer=world.customer,
        template=procedure,
        serviced="术后护理",
        service_at=at("2026-01-31", "15:00"),
        assignee=world.butler,
        actor=world.butler,
        now=at("2026-01-31", "16:00"),
    )
    days = [c.not_before for c in plan.calls.order_by("position")]
    assert days == [
        date(2026, 2, 1),
        date(2026, 2, 3),
        date(2026, 2, 6),
        date(2026, 2, 28),  # a month after 31 January: the month's last day
        date(2026, 4, 30),
        date(2026, 7, 31),
    ]
    assert plan.calls.order_by("position").first().due_at == at("2026-02-02", "00:00")


def test_t02_applying_a_plan_to_a_first_time_customer_opens_the_archive_task(world, plan):
    profile = CustomerProfile._default_manager.get(customer=world.customer)
    assert profile.owner == world.butler and profile.archive_due_at == at("2026-11-05", "00:00")


def test_t02_every_call_has_a_deadline_reminded_when_its_window_opens(plan, world):
    first = plan.calls.order_by("position").first()
    deadline = Deadline.objects.get(subject_id=first.pk, kind="call")
    assert deadline.remind_at == at("2026-11-05", "00:00") and deadline.due_at == first.due_at
    sweep(at("2026-11-05", "08:00"))
    note = Notification.objects.get(kind="followup.call_due")
    assert note.recipient == world.butler and "李明" in note.title


def test_t02_a_missed_call_tells_the_assignee_and_supervisor_once(plan, world):
    sweep(at("2026-11-10", "00:00"))
    sweep(at("2026-11-10", "09:00"))
    overdue = Notification.objects.filter(kind="followup.call_overdue")
    assert set(overdue.values_list("recipient_id", flat=True)) == {world.butler.pk, world.supervisor.pk}
    assert overdue.count() == 2
    first = plan.calls.order_by("position").first()
    assert Deadline.objects.get(subject_id=first.pk, kind="call").state == DeadlineState.MISSED


def test_t02_administrator_defines_a_template(world):
    template = services.template_create(
        company=world.company,
        name="装修后跟踪",
        actor=world.office_manager,
        steps=[
            {"label": "第 2 天", "offset_days": 2},
            {"label": "半个月", "offset_days": 15, "window_days": 3},
            {"label": "一年", "offset_months": 12},
        ],
    )
    assert [s.offset_label for s in template.steps.order_by("position")] == ["第 2 天", "第 15–18 天", "第 12 个月"]
    plan = services.plan_apply(
        customer=world.customer,
        template=template,
        serviced="装修",
        service_at=SERVICE_AT,
        assignee=world.front_desk,
        actor=world.front_desk,
        now=SERVICE_AT,
    )
    assert plan.calls.count() == 3


def test_t02_templates_are_defined_by_managers_only_and_checked(world):
    with pytest.raises(PermissionDenied):
        services.template_create(
            company=world.company, name="x", steps=[{"label": "a", "offset_days": 1}], actor=world.butler
        )
    with pytest.raises(ValidationError) as err:
        services.template_create(company=world.company, name="x", steps=[], actor=world.supervisor)
    assert "steps" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.template_create(
            company=world.company,
            name="x",
            actor=world.supervisor,
            steps=[{"label": "b", "offset_days": 9}, {"label": "a", "offset_days": 2}],
        )
    with pytest.raises(ValidationError):
        services.template_create(
            company=world.company, name="x", actor=world.supervisor, steps=[{"label": "a", "offset_days": "三"}]
        )


def test_t02_another_companys_template_cannot_be_applied(world):
    from guanjia.testing.factories import make_company

    foreign = PlanTemplate._default_manager.create(company=make_company(), name="别家模板")
    foreign.steps.create(position=1, label="a", offset_days=1)
    with pytest.raises(ValidationError) as err:
        services.plan_apply(
            customer=world.customer,
            template=foreign,
            serviced="x",
            service_at=SERVICE_AT,
            assignee=world.butler,
            actor=world.butler,
            now=SERVICE_AT,
        )
    assert "template" in err.value.message_dict


def test_t02_plan_refuses_a_future_service_and_an_assignee_of_another_project(world, after_sales):
    with pytest.raises(ValidationError) as err:
        services.plan_apply(
            customer=world.customer,
            template=after_sales,
            serviced="x",
            service_at=at("2026-11-03"),
            assignee=world.butler,
            actor=world.butler,
            now=SERVICE_AT,
        )
    assert "service_at" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.plan_apply(
            customer=world.customer,
            template=after_sales,
            serviced="x",
            service_at=SERVICE_AT,
            assignee=world.outsider,
            actor=world.butler,
            now=SERVICE_AT,
        )
    assert "assignee" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.plan_apply(
            customer=world.customer,
            template=after_sales,
            serviced="x",
            service_at=SERVICE_AT,
            assignee=world.technician,
            actor=world.butler,
            now=SERVICE_AT,
        )
    assert "assignee" in err.value.message_dict


def test_t02_outsider_cannot_apply_a_plan(world, after_sales):
    with pytest.raises(PermissionDenied):
        services.plan_apply(
            customer=world.customer,
            template=after_sales,
            serviced="x",
            service_at=SERVICE_AT,
            assignee=world.butler,
            actor=world.outsider,
            now=SERVICE_AT,
        )


def test_t02_plan_page_searches_a_customer_and_generates_the_calls(world, web_as, after_sales):
    client = web_as(world.front_desk)
    found = client.get("/followup/plans/apply/", {"q": "李明"}).content.decode()
    assert f"?customer={world.customer.pk}" in found
    form = client.get("/followup/plans/apply/", {"customer": world.customer.pk}).content.decode()
    assert "售后跟踪服务" in form and "第 1 个月" in form
    response = client.post(
        "/followup/plans/apply/",
        {
            "customer": world.customer.pk,
            "template": after_sales.pk,
            "serviced": "换水龙头",
            "service_at": "2026-11-02T10:00",
            "assignee": world.butler.pk,
        },
        follow=True,
    )
    assert "已生成 2 通跟踪电话" in response.content.decode()
    assert FollowUpCall._default_manager.filter(customer=world.customer, assignee=world.butler).count() == 2


def test_t02_plan_page_without_a_template_names_the_field(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(
        "/followup/plans/apply/",
        {"customer": world.customer.pk, "serviced": "x", "assignee": world.butler.pk},
        follow=True,
    )
    assert "跟踪计划模板" in response.content.decode()
    assert not FollowUpCall._default_manager.exists()


def test_t02_outsider_cannot_apply_through_the_page(world, web_as, after_sales):
    client = web_as(world.outsider)
    response = client.post(
        "/followup/plans/apply/",
        {"customer": world.customer.pk, "template": after_sales.pk, "serviced": "x", "assignee": world.outsider.pk},
    )
    assert response.status_code == 404
    assert not FollowUpCall._default_manager.exists()


def test_t02_templates_page_lists_the_manuals_and_a_manager_adds_one(world, web_as):
    client = web_as(world.supervisor)
    assert "术后回访" in client.get("/followup/plans/templates/").content.decode()
    client.post(
        "/followup/plans/templates/",
        {
            "name": "入住跟踪",
            "label": ["第 1 天", "第 1 个月", ""],
            "offset_days": ["1", "", ""],
            "offset_months": ["", "1", ""],
            "window_days": ["", "", ""],
        },
    )
    template = PlanTemplate._default_manager.get(name="入住跟踪")
    assert template.company == world.company and template.steps.count() == 2


def test_t02_a_butler_cannot_add_a_template_through_the_page(world, web_as):
    response = web_as(world.butler).post(
        "/followup/plans/templates/", {"name": "x", "label": ["a"], "offset_days": ["1"]}
    )
    assert response.status_code == 403
    assert not PlanTemplate._default_manager.filter(name="x").exists()
