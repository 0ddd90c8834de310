"""Meeting rooms (F11), notices (F12) and fees (F13)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_approve_office, can_handle_fees, get_for_user
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import (
    Booking,
    CollectionPlan,
    ContactMethod,
    FeeKind,
    FeeNotice,
    MeetingRoom,
    Notice,
    NoticeKind,
    NoticeStatus,
)
from guanjia.dutylog.views.common import (
    current_project,
    find_unit,
    parse_day,
    parse_int,
    parse_when,
    project_staff,
    staff_member,
    write_view,
)
from guanjia.estates.models import Customer


# --- F11 -------------------------------------------------------------------------------------------------
@login_required
def rooms(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    now = timezone.now()
    context: dict[str, Any] = {
        "project": project,
        "rooms": list(MeetingRoom.objects.filter(project=project, active=True)),
        "bookings": list(selectors.bookings_of(project, since=now - timedelta(hours=12))),
        "can_approve": can_approve_office(request.user),
        "now": now,
    }
    return render(request, "dutylog/rooms.html", context)


@write_view("office:rooms")
def room_add(request: HttpRequest) -> str:
    project = current_project(request)
    services.room_add(
        project=project,
        name=request.POST.get("name", ""),
        location=request.POST.get("location", ""),
        capacity=parse_int(request.POST.get("capacity"), "capacity"),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已添加会议室。")


@write_view("office:rooms")
def booking_add(request: HttpRequest) -> str:
    project = current_project(request)
    room = MeetingRoom.objects.filter(project=project, pk=parse_int(request.POST.get("room"), "room") or 0).first()
    if room is None:
        raise ValidationError({"room": _("请选择会议室。")})
    starts_at = parse_when(request.POST.get("starts_at"), "starts_at")
    ends_at = parse_when(request.POST.get("ends_at"), "ends_at")
    assert starts_at is not None and ends_at is not None
    services.booking_request(
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_for=request.POST.get("booked_for", ""),
        purpose=request.POST.get("purpose", ""),
        needs=request.POST.get("needs", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已登记预订，待审批。")


@write_view("office:rooms")
def booking_move(request: HttpRequest, pk: int) -> str:
    booking = get_for_user(Booking.objects.all(), request.user, pk)
    to = request.POST.get("to", "")
    booking = services.booking_transition(
        booking=booking,
        to=to,
        note=request.POST.get("note", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("预订已改为“%(status)s”。") % {"status": booking.get_status_display()}


# --- F12 -------------------------------------------------------------------------------------------------
@login_required
def notices(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    now = timezone.now()
    show_archived = request.GET.get("archived") == "1"
    context: dict[str, Any] = {
        "project": project,
        "notices": list(selectors.notices_of(project, include_archived=show_archived)),
        "due_down": list(selectors.notices_due_down(project, now)),
        "kinds": NoticeKind.choices,
        "can_approve": can_approve_office(request.user),
        "show_archived": show_archived,
        "now": now,
        "Status": NoticeStatus,
    }
    return render(request, "dutylog/notices.html", context)


@write_view("office:notices")
def notice_add(request: HttpRequest) -> str:
    project = current_project(request)
    services.notice_draft(
        project=project,
        kind=request.POST.get("kind", ""),
        title=request.POST.get("title", ""),
        body=request.POST.get("body", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("草稿已保存，待审批。")


@write_view("office:notices")
def notice_move(request: HttpRequest, pk: int) -> str:
    notice = get_for_user(Notice.objects.all(), request.user, pk)
    to = request.POST.get("to", "")
    due = parse_when(request.POST.get("take_down_due"), "take_down_due", required=False)
    notice = services.notice_transition(
        notice=notice,
        to=to,
        locations=request.POST.get("locations", ""),
        take_down_due=due,
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("“%(title)s”已改为“%(status)s”。") % {"title": notice.title, "status": notice.get_status_display()}


# --- F13 -------------------------------------------------------------------------------------------------
@login_required
def fees(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    context: dict[str, Any] = {
        "project": project,
        "arrears": selectors.arrears(project),
        "unpaid": list(selectors.unpaid_notices(project)),
        "recent": list(selectors.recent_fee_notices(project)),
        "spaces": list(selectors.parking_spaces(project)),
        "kinds": FeeKind.choices,
        "methods": ContactMethod.choices,
        "staff": project_staff(project),
        "can_write": can_handle_fees(request.user),
        "period": timezone.localdate().strftime("%Y-%m"),
        "today": timezone.localdate(),
    }
    return render(request, "dutylog/fees.html", context)


@write_view("office:fees")
def fee_add(request: HttpRequest) -> str:
    project = current_project(request)
    unit = find_unit(project, request.POST.get("unit"))
    notice = services.fee_notice_send(
        unit=unit,
        period=request.POST.get("period", ""),
        kind=request.POST.get("kind", ""),
        amount=request.POST.get("amount", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已发出 %(unit)s %(period)s %(kind)s 缴费通知。") % {
        "unit": unit.number,
        "period": notice.period,
        "kind": notice.get_kind_display(),
    }


@write_view("office:fees")
def fee_paid(request: HttpRequest, pk: int) -> str:
    notice = get_for_user(FeeNotice.objects.all(), request.user, pk)
    services.fee_mark_paid(notice=notice, actor=request.user)  # type: ignore[arg-type]
    return _("已记为缴清。")


@write_view("office:fees")
def plan_open(request: HttpRequest) -> str:
    project = current_project(request)
    unit = find_unit(project, request.POST.get("unit"))
    owner = staff_member(project, request.POST.get("owner"), "owner")
    assert owner is not None
    services.collection_plan_open(unit=unit, owner=owner, plan=request.POST.get("plan", ""), actor=request.user)  # type: ignore[arg-type]
    return _("已建立催缴计划。")


@write_view("office:fees")
def plan_follow_up(request: HttpRequest, pk: int) -> str:
    plan = get_for_user(CollectionPlan.objects.all(), request.user, pk)
    services.collection_follow_up(
        plan=plan,
        method=request.POST.get("method", ""),
        result=request.POST.get("result", ""),
        next_step=request.POST.get("next_step", ""),
        next_at=parse_day(request.POST.get("next_at"), "next_at"),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("已记录跟进。")


@write_view("office:fees")
def parking_save(request: HttpRequest) -> str:
    project = current_project(request)
    unit = find_unit(project, request.POST.get("unit")) if request.POST.get("unit", "").strip() else None
    holder = None
    holder_name = request.POST.get("holder", "").strip()
    if holder_name:
        holders = Customer.objects.filter(project=project, name=holder_name)
        if unit is not None:
            holders = holders.filter(units=unit)
        holder = holders.first()
        if holder is None:
            raise ValidationError({"holder": _("找不到该客户（请核对姓名和房号）。")})
    space = services.parking_space_save(
        project=project,
        number=request.POST.get("number", ""),
        holder=holder,
        unit=unit,
        plate=request.POST.get("plate", ""),
        valid_from=parse_day(request.POST.get("valid_from"), "valid_from"),
        valid_to=parse_day(request.POST.get("valid_to"), "valid_to"),
        actor=request.user,  # type: ignore[arg-type]
    )
    return _("车位 %(number)s 已保存。") % {"number": space.number}
