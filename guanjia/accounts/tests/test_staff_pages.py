"""人员管理 pages (O02–O04): the office manager adds a person who logs in with a one-time password, changes
it, and works; a switched-off person is gone from login and pickers; nobody else reaches any of it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from guanjia.accounts import services
from guanjia.accounts.models import Role, User
from guanjia.estates.models import Unit
from guanjia.testing.factories import make_staff, make_unit
from guanjia.timeline.selectors import events_for

OTP = re.compile(r'id="otp-password">([a-z0-9-]+)<')


def add_person(client, world, **kw):
    data = {
        "name": "马师傅",
        "username": "newtech",
        "phone": "13800001234",
        "role": "technician",
        "projects": [world.estate.pk],
        **kw,
    }
    return client.post(reverse("accounts:staff_create"), data)


def test_o02_office_manager_adds_a_technician_who_logs_in_changes_the_password_and_accepts_a_repair(
    world, web_as, client, now
):
    from guanjia.repairs.models import PriceItem, RepairStatus
    from guanjia.repairs.selectors import technicians_for
    from guanjia.repairs.services import (
        RepairRequest,
        repair_accept,
        repair_log,
        repair_notify_department,
        repair_write_order,
    )

    # Given the office manager adds a technician: the one-time password is on the page, once.
    page = add_person(web_as(world.office_manager), world)
    assert page.status_code == 200 and "no-store" in page.get("Cache-Control", "")
    password = OTP.search(page.content.decode()).group(1)
    person = User.objects.get(username="newtech")
    assert person.must_change_password and person.role == Role.TECHNICIAN
    client.logout()

    # When they log in with it, every page sends them to 修改密码 first.
    assert client.post(reverse("login"), {"username": "newtech", "password": password}).status_code == 302
    forced = client.get(reverse("repairs:my_orders"))
    assert forced.status_code == 302 and forced["Location"].startswith(reverse("password_change"))
    changed = client.post(
        forced["Location"],
        {"old_password": password, "new_password1": "Quiet-Lantern-88", "new_password2": "Quiet-Lantern-88"},
    )
    assert changed.status_code == 302 and changed["Location"] == reverse("repairs:my_orders")

    # Then they work: their own orders open, and they accept a repair.
    assert client.get(reverse("repairs:my_orders")).status_code == 200
    person.refresh_from_db()
    assert not person.must_change_password
    assert "staff.password_changed" in [e.verb for e in events_for(person)]
    assert person in technicians_for(world.estate)
    item = PriceItem.objects.create(project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30"))
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="厨房水龙头漏水", unit=world.unit, customer=world.customer, price_item=item),
        actor=world.front_desk,
    )
    repair_write_order(repair=repair, actor=world.front_desk)
    repair_notify_department(repair=repair, actor=world.front_desk)
    repair = repair_accept(repair=repair, actor=person, technician=person)
    assert repair.status == RepairStatus.ACCEPTED and repair.assignee == person


def test_o02_switched_off_person_cannot_log_in_and_leaves_the_assignee_pickers(world, web_as, client, api_as, now):
    from guanjia.complaints.selectors import project_staff
    from guanjia.repairs.selectors import technicians_for

    token_client = api_as(world.technician)
    manager = web_as(world.office_manager)
    confirm = manager.get(reverse("accounts:staff_switch_off", args=[world.technician.pk]))
    assert confirm.status_code == 200
    done = manager.post(
        reverse("accounts:staff_switch_off", args=[world.technician.pk]),
        {"version": world.technician.version, "reason": "离职"},
    )
    assert done.status_code == 302
    client.logout()

    login = client.post(reverse("login"), {"username": "tech", "password": "pass-for-tests-1"})
    assert login.status_code == 200 and "_auth_user_id" not in client.session
    token = client.post("/api/v1/auth/token", {"username": "tech", "password": "pass-for-tests-1"})
    assert token.status_code == 400
    assert token_client.get("/api/v1/staff/").status_code == 401
    assert world.technician not in technicians_for(world.estate)
    assert world.technician not in project_staff(user=world.office_manager, project=world.estate)
    assert world.technician.pk not in [u.pk for u in User.objects.filter(pk=world.technician.pk, is_active=True)]


def test_o02_switch_off_page_lists_open_work_with_links(world, web_as, now):
    from guanjia.repairs.models import PriceItem
    from guanjia.repairs.services import (
        RepairRequest,
        repair_accept,
        repair_log,
        repair_notify_department,
        repair_write_order,
    )

    item = PriceItem.objects.create(project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30"))
    repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="漏水", unit=world.unit, customer=world.customer, price_item=item),
        actor=world.front_desk,
    )
    repair_write_order(repair=repair, actor=world.front_desk)
    repair_notify_department(repair=repair, actor=world.front_desk)
    repair_accept(repair=repair, actor=world.technician, technician=world.technician)

    page = web_as(world.office_manager).get(reverse("accounts:staff_switch_off", args=[world.technician.pk]))

    text = page.content.decode()
    assert reverse("repairs:detail", args=[repair.pk]) in text and repair.number in text
    for label in ("投诉", "报修", "跟踪服务电话"):
        assert label in text


def test_o04_outsider_manager_cannot_create_or_change_anyone_of_the_estate(world, web_as, other_manager, now):
    client = web_as(other_manager)

    refused = add_person(client, world, username="sneaky")
    assert refused.status_code == 400 and not User.objects.filter(username="sneaky").exists()
    for name in ("staff_detail", "staff_switch_off"):
        assert client.get(reverse(f"accounts:{name}", args=[world.technician.pk])).status_code == 404
    assert client.post(reverse("accounts:staff_reset_password", args=[world.technician.pk])).status_code == 404
    changed = client.post(
        reverse("accounts:staff_detail", args=[world.technician.pk]),
        {"name": "x", "role": "technician", "projects": [world.other_estate.pk], "version": 1},
    )
    assert changed.status_code == 404
    world.technician.refresh_from_db()
    assert world.technician.name == "刘师傅" and world.technician.is_active
    assert world.technician.pk not in [p.pk for p in client.get(reverse("accounts:staff_list")).context["page"]]


def test_o04_office_manager_cannot_grant_a_role_above_their_own_on_the_page(world, web_as, now):
    client = web_as(world.office_manager)

    page = add_person(client, world, username="boss", role="general_manager")
    assert page.status_code == 400 and "role" in page.context["form"].errors
    page = client.post(
        reverse("accounts:staff_detail", args=[world.technician.pk]),
        {"name": "刘师傅", "role": "general_manager", "projects": [world.estate.pk], "version": 1},
    )
    assert page.status_code == 400
    assert not User.objects.filter(username="boss").exists()
    assert User.objects.get(pk=world.technician.pk).role == Role.TECHNICIAN
    assert client.get(reverse("accounts:staff_detail", args=[world.general_manager.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "supervisor", "outsider"])
def test_o02_nobody_else_opens_staff_management(world, web_as, persona):
    client = web_as(world.persona(persona))

    assert client.get(reverse("accounts:staff_list")).status_code == 403
    assert add_person(client, world).status_code == 403
    assert client.get(reverse("accounts:staff_detail", args=[world.technician.pk])).status_code == 403
    assert "人员管理" not in client.get(reverse("estates:unit_list")).content.decode()


def test_o02_the_office_manager_sees_the_section_in_the_navigation(world, web_as):
    assert (
        reverse("accounts:staff_list")
        in web_as(world.office_manager).get(reverse("estates:unit_list")).content.decode()
    )


def test_o02_change_role_and_phone_on_the_page_and_a_stale_form_is_refused(world, web_as, now):
    client = web_as(world.office_manager)
    url = reverse("accounts:staff_detail", args=[world.technician.pk])
    form = {"name": "刘师傅", "phone": "13800009999", "role": "engineering_supervisor", "projects": [world.estate.pk]}

    assert client.post(url, {**form, "version": 1}).status_code == 302
    stale = client.post(url, {**form, "name": "刘工", "version": 1})

    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    world.technician.refresh_from_db()
    assert (world.technician.role, world.technician.phone, world.technician.name) == (
        "engineering_supervisor",
        "13800009999",
        "刘师傅",
    )
    page = client.get(url).content.decode()
    assert "岗位变更" in page


def test_bad_phone_is_an_inline_message_naming_the_field(world, web_as, now):
    page = add_person(web_as(world.office_manager), world, phone="12")
    assert page.status_code == 400 and "phone" in page.context["form"].errors
    assert not User.objects.filter(username="newtech").exists()


def test_o03_office_manager_assigns_a_butlers_households(world, web_as, now):
    second = make_unit(world.estate, world.building, entrance="2", room="1202")
    client = web_as(world.office_manager)
    url = reverse("accounts:staff_households", args=[world.butler.pk, world.estate.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"units": [world.unit.pk, second.pk]}).status_code == 302

    assert set(Unit.objects.filter(butler=world.butler)) == {world.unit, second}
    assert "分配管家负责户" in client.get(reverse("accounts:staff_detail", args=[world.butler.pk])).content.decode()


def test_password_reset_shows_a_new_one_time_password_once(world, web_as, now):
    page = web_as(world.office_manager).post(reverse("accounts:staff_reset_password", args=[world.butler.pk]))

    password = OTP.search(page.content.decode()).group(1)
    world.butler.refresh_from_db()
    assert world.butler.check_password(password) and world.butler.must_change_password


def test_staff_list_filters_and_searches(world, web_as):
    client = web_as(world.general_manager)
    rows = lambda **q: {p.pk for p in client.get(reverse("accounts:staff_list"), q).context["page"]}  # noqa: E731

    assert rows(role="butler") == {world.butler.pk}
    assert rows(q="刘") == {world.technician.pk}
    assert world.outsider.pk in rows(project=world.other_estate.pk)
    assert world.technician.pk not in rows(project=world.other_estate.pk)


def test_staff_list_query_count_does_not_grow_with_people(world, web_as, django_assert_max_num_queries):
    for i in range(30):
        make_staff(Role.BUTLER, projects=(world.estate,), name=f"管家{i}")
    client = web_as(world.office_manager)
    client.get(reverse("accounts:staff_list"))

    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:staff_list"))
    assert len(page.context["page"].object_list) == 35  # the five of the estate and the thirty


def test_the_services_are_what_the_pages_call(world, now):
    # The page and the API share staff_create: a person made here is the same as one made on the page.
    person, _ = services.staff_create(
        actor=world.office_manager, now=now, username="x1", name="甲", role=Role.SECURITY, projects=[world.estate]
    )
    assert person.company_id == world.company.pk


def test_one_time_password_opens_only_the_change_page(world, client):
    world.butler.must_change_password = True
    world.butler.save()
    client.force_login(world.butler)

    page = client.get(reverse("estates:unit_list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("password_change"))
    # The change page's own badge and alert polls swap nothing in; the API says why it refuses.
    assert client.get(reverse("estates:unit_list"), HTTP_HX_REQUEST="true").status_code == 204
    assert client.get("/api/v1/staff/").status_code == 403
    assert client.get(reverse("password_change")).status_code == 200
