"""Each role's first page (工作台 "today", issue 15): what it lists, that each row links to its page, that it
shows nothing of another project or another butler's households, and that its queries do not grow with the
data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.accounts.access import today_page
from guanjia.accounts.models import Role
from guanjia.cases.services import deadline_cancel, deadline_set
from guanjia.complaints import services as complaints
from guanjia.complaints.models import Complaint
from guanjia.desk.today import LIMIT
from guanjia.dutylog.models import Handover, HandoverStatus, Shift
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorStatus
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_staff, make_unit
from guanjia.visits.models import ReturnVisit, VisitStatus

pytestmark = pytest.mark.django_db
HOME = reverse("desk:home")


def register(world, project=None, actor=None, **kw):
    values = {"channel": "phone", "description": "电梯停运", "customer": world.customer, "unit": world.unit, **kw}
    return complaints.complaint_register(project=project or world.estate, actor=actor or world.front_desk, **values)


def parcel(world, project=None, name="李明", **kw):
    project = project or world.estate
    return CustodyItem.objects.create(
        project=project,
        kind=kw.pop("kind", CustodyKind.PARCEL),
        description=kw.pop("description", "顺丰快递"),
        owner_name=name,
        received_at=timezone.now() - timedelta(hours=1),
        received_by=world.front_desk,
        **kw,
    )


def visitor(world, project=None, unit=None, name="访客张三", status=VisitorStatus.ADMITTED):
    return Visitor.objects.create(
        project=project or world.estate,
        name=name,
        host_unit=unit or world.unit,
        arrived_at=timezone.now() - timedelta(minutes=20),
        registered_by=world.front_desk,
        status=status,
    )


def handover(world, project=None):
    now = timezone.now()
    project = project or world.estate
    start, end = now - timedelta(hours=9), now - timedelta(hours=1)
    shift = Shift.objects.create(project=project, starts_at=start, ends_at=end, opened_by=world.front_desk)
    return Handover.objects.create(
        project=project,
        shift=shift,
        status=HandoverStatus.SUBMITTED,
        submitted_by=world.front_desk,
        submitted_at=now - timedelta(hours=1),
    )


def visit(world, case, role=Role.BUTLER, unit=None, due_in=timedelta(hours=2), **kw):
    return ReturnVisit.objects.create(
        project=case.project,
        case_type=kw.pop("case_type", "complaint"),
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        due_at=timezone.now() + due_in,
        visitor_role=role,
        planned_at=timezone.now() - timedelta(days=1),
        customer=world.customer,
        unit=unit or world.unit,
        **kw,
    )


def repair(world, actor=None, **kw):
    kw.setdefault("description", "厨房水龙头漏水")
    kw.setdefault("unit", world.unit)
    kw.setdefault("customer", world.customer)
    return repair_log(project=world.estate, request=RepairRequest(**kw), actor=actor or world.front_desk)


def page(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, user) -> int:
    client.force_login(user)
    client.get(HOME)  # the first request stores the current project in the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured)


# --- which page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("front_desk", "front_desk"),
        ("butler", "butler"),
        ("technician", "technician"),
        ("supervisor", "supervisor"),
        ("office_manager", "manager"),
        ("general_manager", "manager"),
    ],
)
def test_each_role_lands_on_its_own_today(world, client, persona, expected):
    user = world.persona(persona)
    assert today_page(user) == expected
    html = page(client, user)
    assert 'id="customer-q"' in html  # the search box stays on every first page


def test_a_role_without_a_today_keeps_the_search_box_and_the_figures(world, client):
    guard = make_staff(Role.SECURITY, projects=(world.estate,), username="guard")
    assert today_page(guard) == "basic"
    html = page(client, guard)
    assert 'id="customer-q"' in html and "stat-value" in html and "today-card" not in html


# --- front desk -----------------------------------------------------------------------------------------------


def test_front_desk_today_lists_due_cases_parcels_visitors_and_the_handover_to_sign(world, client):
    complaint = register(world)
    item = parcel(world, shelf="A3")
    guest = visitor(world)
    sheet = handover(world)
    desk_visit = visit(world, register(world, description="楼道灯不亮"), role=Role.FRONT_DESK)
    parcel(world, name="已取走", status=CustodyStatus.HANDED_OVER)
    visitor(world, name="已离开访客", status=VisitorStatus.LEFT)

    html = page(client, world.front_desk)
    assert f'href="/complaints/{complaint.pk}/"' in html and complaint.number in html
    assert item.description in html and "存放：A3" in html
    assert guest.name in html and "已离开访客" not in html
    assert reverse("duty:handover", args=[sheet.shift_id]) in html
    assert "已取走" not in html
    assert 'id="today-parcels"' in html and 'id="today-visitors"' in html and 'id="today-handover"' in html
    visits = html.split('id="today-visits"')[1].split("</section>")[0]
    assert reverse("visits:visit", args=[desk_visit.pk]) in visits


def test_front_desk_today_shows_nothing_of_another_project(world, client):
    other_complaint = register(
        world, project=world.other_estate, customer=world.other_customer, unit=world.other_unit, actor=world.outsider
    )
    parcel(world, project=world.other_estate, name="赵六的包裹")
    visitor(world, project=world.other_estate, unit=world.other_unit, name="翠湖访客")
    handover(world, project=world.other_estate)

    html = page(client, world.front_desk)
    assert other_complaint.number not in html
    assert "赵六的包裹" not in html and "翠湖访客" not in html
    assert "没有待签的交接班" in html


def test_front_desk_lists_are_bounded_with_a_link_to_all(world, client):
    for i in range(LIMIT + 3):
        parcel(world, name=f"客户{i:02d}")
    html = page(client, world.front_desk)
    section = html.split('id="today-parcels"')[1].split("</section>")[0]
    assert section.count('<li class="today-row') == LIMIT
    assert f"查看全部 {LIMIT + 3} 项" in section
    assert f'href="{reverse("frontdesk:home")}?tab=parcels"' in section


def test_front_desk_today_queries_do_not_grow_with_the_data(world, client):
    register(world)
    parcel(world)
    visitor(world)
    handover(world)
    visit(world, register(world), role=Role.FRONT_DESK)
    few = queries(client, world.front_desk)
    for i in range(8):
        visit(world, register(world, description=f"噪音{i}"), role=Role.FRONT_DESK)
        parcel(world, name=f"客户{i}")
        visitor(world, name=f"访客{i}")
        handover(world)
    assert queries(client, world.front_desk) == few


# --- butler ---------------------------------------------------------------------------------------------------


def test_butler_today_lists_their_households_cases_visits_and_keys_only(world, client):
    mine = register(world)
    elsewhere_unit = make_unit(world.estate, world.building, entrance="1", room="0101")
    not_mine = register(
        world,
        unit=elsewhere_unit,
        customer=None,
        customer_name="王五",
        contact_phone="13800001111",
        description="别家的投诉",
    )
    order = repair(world)
    my_visit = visit(world, mine)
    visit(world, not_mine, unit=elsewhere_unit)
    key = parcel(
        world,
        kind=CustodyKind.KEY,
        description="1201 备用钥匙",
        owner_unit=world.unit,
        status=CustodyStatus.HANDED_OVER,
        taken_by_name="装修师傅",
    )
    parcel(
        world,
        kind=CustodyKind.KEY,
        description="0101 钥匙",
        owner_unit=elsewhere_unit,
        status=CustodyStatus.HANDED_OVER,
    )

    html = page(client, world.butler)
    assert f'href="/complaints/{mine.pk}/"' in html
    assert f'href="/complaints/{not_mine.pk}/"' not in html
    assert reverse("repairs:detail", args=[order.pk]) in html
    assert reverse("visits:visit", args=[my_visit.pk]) in html
    assert html.count('href="/visits/') == 1 + html.count(f'href="{reverse("visits:mine")}"')
    assert key.description in html and "装修师傅" in html
    assert "0101 钥匙" not in html


def test_butler_today_queries_do_not_grow_with_the_data(world, client):
    complaint = register(world)
    repair(world)
    visit(world, complaint)
    few = queries(client, world.butler)
    for i in range(8):
        c = register(world, description=f"噪音{i}")
        repair(world, description=f"漏水{i}")
        visit(world, c)
        parcel(
            world, kind=CustodyKind.KEY, description=f"钥匙{i}", owner_unit=world.unit, status=CustodyStatus.HANDED_OVER
        )
    assert queries(client, world.butler) == few


# --- technician -----------------------------------------------------------------------------------------------


def test_technician_today_lists_their_orders_and_the_next_appointment(world, client):
    order = repair(world)
    soon = timezone.now() + timedelta(hours=3)
    Repair.objects.filter(pk=order.pk).update(
        assignee=world.technician, status=RepairStatus.ACCEPTED, appointment_at=soon
    )
    html = page(client, world.technician)
    assert reverse("repairs:work", args=[order.pk]) in html
    appointment = html.split('id="today-appointment"')[1].split("</section>")[0]
    assert order.number in appointment and timezone.localtime(soon).strftime("%m-%d %H:%M") in appointment


def test_technician_today_queries_do_not_grow_with_the_data(world, client):
    def assigned():
        order = repair(world)
        Repair.objects.filter(pk=order.pk).update(assignee=world.technician, status=RepairStatus.ACCEPTED)

    assigned()
    few = queries(client, world.technician)
    for _ in range(8):
        assigned()
    assert queries(client, world.technician) == few


# --- CS supervisor --------------------------------------------------------------------------------------------


def test_supervisor_today_shows_the_board_summary_reviews_and_quotas(world, client):
    late = register(world)
    deadline_cancel(subject=late, at=timezone.now())
    deadline_set(
        subject=late,
        kind="response",
        due_at=timezone.now() - timedelta(minutes=5),
        now=timezone.now() - timedelta(minutes=30),
    )
    done = visit(world, late, status=VisitStatus.DONE, done_at=timezone.now(), unsatisfied=True)

    html = page(client, world.supervisor)
    board = html.split('id="today-board"')[1].split("</section>")[0]
    assert f'href="{reverse("complaints:board")}?grade=' in board
    overdue = html.split('id="today-overdue"')[1].split("</section>")[0]
    assert f'href="/complaints/{late.pk}/"' in overdue
    reviews = html.split('id="today-reviews"')[1].split("</section>")[0]
    assert reverse("visits:visit", args=[done.pk]) in reviews and "不满意" in reviews
    quotas = html.split('id="today-quotas"')[1].split("</section>")[0]
    assert world.supervisor.display_name in quotas and "指标" in quotas


def test_supervisor_today_queries_do_not_grow_with_the_data(world, client):
    c = register(world)
    visit(world, c, status=VisitStatus.DONE, done_at=timezone.now())
    few = queries(client, world.supervisor)
    for i in range(8):
        c = register(world, description=f"噪音{i}")
        visit(world, c, status=VisitStatus.DONE, done_at=timezone.now())
    assert queries(client, world.supervisor) == few


# --- managers -------------------------------------------------------------------------------------------------


def escalated(world, role=Role.OFFICE_MANAGER, **kw):
    complaint = register(world, **kw)
    Complaint.objects.filter(pk=complaint.pk).update(escalate_to=role)
    deadline_set(subject=complaint, kind="escalate", due_at=timezone.now() + timedelta(minutes=30), now=timezone.now())
    return complaint


def test_manager_today_lists_escalations_to_acknowledge_and_the_months_rates(world, client):
    mine = escalated(world)
    for_gm = escalated(world, role=Role.GENERAL_MANAGER, description="重大投诉")

    html = page(client, world.office_manager)
    escalations = html.split('id="today-escalations"')[1].split("</section>")[0]
    assert f'href="/complaints/{mine.pk}/"' in escalations
    assert f'href="/complaints/{for_gm.pk}/"' not in escalations  # not the office manager's to acknowledge
    rates = html.split('id="today-rates"')[1].split("</section>")[0]
    assert "投诉按时响应率" in rates and "维修及时率" in rates
    assert f"{reverse('reports:monthly')}?project={world.estate.pk}&amp;month=" in rates

    gm = page(client, world.general_manager)
    assert f'href="/complaints/{for_gm.pk}/"' in gm and f'href="/complaints/{mine.pk}/"' in gm


def test_manager_today_shows_no_escalation_of_another_project(world, client):
    other = escalated(
        world, customer=world.other_customer, unit=world.other_unit, project=world.other_estate, actor=world.outsider
    )
    html = page(client, world.office_manager)
    assert other.number not in html


def test_manager_today_queries_do_not_grow_with_the_data(world, client):
    escalated(world)
    few = queries(client, world.office_manager)
    for i in range(8):
        escalated(world, description=f"噪音{i}")
    assert queries(client, world.office_manager) == few
