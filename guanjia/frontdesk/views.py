"""The counter's ledger page (``frontdesk:home``) and its quick-entry forms. Thin: every write is a service;
errors come back as messages naming the field, and the clerk lands on the same tab."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanjia.accounts.access import (
    can_keep_ledgers,
    can_purge_ledgers,
    can_record_archive,
    can_reveal_phone,
    get_for_user,
    scope,
)
from guanjia.core.web import REFUSALS, refusal, safe_next
from guanjia.estates.models import Customer, Project, Unit
from guanjia.frontdesk import services
from guanjia.frontdesk.models import (
    ArchiveEvent,
    ArchiveEventKind,
    ConfirmMethod,
    CustodyItem,
    CustodyKind,
    CustodyStatus,
    ProofKind,
    Visitor,
)
from guanjia.frontdesk.selectors import custody_items_for, units_matching, visitors_for, visitors_inside
from guanjia.notifications.status import latest_by_ref, status_text

TABS = {
    "parcels": (CustodyKind.PARCEL, CustodyKind.MAIL, CustodyKind.LEFT_ITEM),
    "visitors": (),
    "lost": (CustodyKind.LOST_FOUND,),
    "loans": (CustodyKind.LOAN,),
    "keys": (CustodyKind.KEY,),
    "slips": (CustodyKind.RELEASE_SLIP,),
}
TAB_LABELS = {
    "parcels": gettext_lazy("快递与转交"),
    "visitors": gettext_lazy("访客"),
    "lost": gettext_lazy("失物招领"),
    "loans": gettext_lazy("借用"),
    "keys": gettext_lazy("钥匙"),
    "slips": gettext_lazy("放行条"),
}
LIST_LIMIT = 100

FIELD_LABELS = {
    "owner_unit": _("房屋"),
    "owner_customer": _("客户"),
    "owner_name": _("收件人"),
    "owner_phone": _("电话"),
    "description": _("物品"),
    "found_place": _("拾获地点"),
    "proof": _("凭证"),
    "proof_kind": _("凭证类别"),
    "purpose": _("事由"),
    "due_back_at": _("应归还时间"),
    "taken_by_name": _("领取人"),
    "host_unit": _("被访房屋"),
    "name": _("姓名"),
    "id_number": _("证件号码"),
    "phone": _("电话"),
    "pass_code": _("通行码"),
    "authorised_by": _("授权人"),
    "carrier_name": _("搬运人"),
    "note": _("说明"),
    "reason": _("原因"),
    "confirmed_by": _("确认人"),
    "method": _("确认方式"),
    "kind": _("类别"),
    "date": _("日期"),
    "application": _("装修申请"),
    "approved": _("审核结果"),
    "customer": _("客户"),
    "addressee_id_number": _("收件人证件"),
}


def _project(request: HttpRequest) -> Project:
    project: Project | None = getattr(request, "project", None)
    if project is None or not can_keep_ledgers(request.user, project):
        raise PermissionDenied
    return project


def _back(tab: str, **params: Any) -> HttpResponse:
    url = f"{reverse('frontdesk:home')}?tab={tab}"
    for key, value in params.items():
        url += f"&{key}={value}"
    return redirect(url)


def ledger_write(tab: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A POST of the ledger page: login, POST only, and the service's refusals shown as messages on ``tab``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except REFUSALS as exc:
                refusal(request, exc, labels=FIELD_LABELS)
                return _back(request.POST.get("tab") or tab)

        return wrapped

    return decorate


def _unit(request: HttpRequest, project: Project, text: str, field: str, *, required: bool = True) -> Unit | None:
    """The unit the clerk typed ("3-2-1201", "1201" when unique, or a pk chosen from the type-ahead)."""
    text = (text or "").strip()
    if not text:
        if required:
            raise ValidationError({field: [_("请填写房屋")]})
        return None
    matches = units_matching(request.user, project_id=project.pk, q=text, limit=2)
    exact = [u for u in matches if text in (u.short_number, u.number)]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationError({field: [_("找不到房屋“%(q)s”") % {"q": text}]})
    raise ValidationError({field: [_("“%(q)s”对应多套房屋，请写全 栋-单元-房号") % {"q": text}]})


def _resident_named(unit: Unit, name: str) -> Customer | None:
    name = (name or "").strip()
    rows = Customer.objects.filter(residencies__unit=unit, residencies__move_out_date__isnull=True)
    if name:
        rows = rows.filter(name=name)
    found = list(rows[:2])
    return found[0] if len(found) == 1 else None


def _when(value: str, field: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValidationError({field: [_("时间格式不正确")]})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# --- The page ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    tab = request.GET.get("tab", "parcels")
    if tab not in TABS:
        tab = "parcels"
    now = timezone.now()
    context: dict[str, Any] = {
        "project": project,
        "tab": tab,
        "tabs": list(TAB_LABELS.items()),
        "now": now,
        "show_phones": can_reveal_phone(request.user),
        "can_purge": can_purge_ledgers(request.user, project),
        "proof_kinds": ProofKind.choices,
        "confirm_methods": [c for c in ConfirmMethod.choices if c[0] != ConfirmMethod.PASS],
        "q": request.GET.get("q", ""),
    }
    if tab == "visitors":
        context["inside"] = list(visitors_inside(project))
        context["recent"] = list(
            visitors_for(request.user, project_id=project.pk)
            .exclude(pk__in=[v.pk for v in context["inside"]])
            .order_by("-arrived_at", "-id")[:20]
        )
    else:
        kinds = TABS[tab]
        rows = custody_items_for(request.user, project_id=project.pk, status="open", q=context["q"]).filter(
            kind__in=kinds
        )
        context["items"] = list(rows.order_by("received_at", "id")[:LIST_LIMIT])
        _attach_code_status(context["items"])
        context["done"] = list(
            custody_items_for(request.user, project_id=project.pk)
            .filter(kind__in=kinds)
            .exclude(pk__in=[i.pk for i in context["items"]])
            .exclude(status=CustodyStatus.HELD)
            .order_by("-handed_over_at", "-id")[:10]
        )
        context["kinds"] = [(k, CustodyKind(k).label) for k in kinds]
    return render(request, "frontdesk/home.html", context)


@login_required
@require_GET
def unit_lookup(request: HttpRequest) -> JsonResponse:
    """Type-ahead of the unit fields: [{"value": "3-2-1201", "label": "3栋2单元1201 李明"}]."""
    project = _project(request)
    units = units_matching(request.user, project_id=project.pk, q=request.GET.get("q", ""), limit=10)
    names: dict[int, list[str]] = {}
    for unit_id, name in Customer.objects.filter(residencies__unit__in=units).values_list("residencies__unit", "name"):
        names.setdefault(unit_id, []).append(name)
    return JsonResponse(
        {
            "units": [
                {"value": u.short_number, "label": f"{u.number} {' '.join(names.get(u.pk, []))}".strip()} for u in units
            ]
        }
    )


# --- Custody -----------------------------------------------------------------------------------------------------


@ledger_write("parcels")
def receive(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    post = request.POST
    kind = post.get("kind", CustodyKind.PARCEL)
    tab = "lost" if kind == CustodyKind.LOST_FOUND else "keys" if kind == CustodyKind.KEY else "parcels"
    unit = _unit(request, project, post.get("unit", ""), "owner_unit", required=kind == CustodyKind.KEY)
    customer = _resident_named(unit, post.get("owner_name", "")) if unit is not None else None
    issued = services.custody_receive(
        project=project,
        kind=kind,
        description=post.get("description", ""),
        tracking_number=post.get("tracking_number", ""),
        owner_unit=unit,
        owner_customer=customer,
        owner_name="" if customer else post.get("owner_name", ""),
        owner_phone=post.get("owner_phone", ""),
        depositor_name=post.get("depositor_name", ""),
        depositor_contact=post.get("depositor_contact", ""),
        found_place=post.get("found_place", ""),
        shelf=post.get("shelf", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    item = issued.obj
    text = _("已登记：%(what)s %(who)s") % {"what": item.get_kind_display(), "who": item.owner_label}
    if issued.code:
        text = _("%(registered)s。%(code)s") % {"registered": text, "code": _code_message(item, issued.code)}
    messages.success(request, text)
    return _back(tab)


def _code_message(item: CustodyItem, code: str) -> str:
    """The pickup code and what really became of its SMS (sent, failed, not configured…)."""
    ref = services.custody_ref(item)
    delivery = latest_by_ref([ref]).get(ref) if item.code_sent_to else None
    if delivery is None:
        return _("取件码 %(code)s（无手机号，请告知收件人）") % {"code": code}
    return _("取件码 %(code)s：%(status)s") % {"code": code, "status": status_text(delivery)}


def _attach_code_status(items: list[CustodyItem]) -> None:
    """Each item's latest pickup-code SMS status, as ``item.code_status`` (text) and ``item.code_state``."""
    found = latest_by_ref(services.custody_ref(i) for i in items if i.code_sent_to)
    for item in items:
        delivery = found.get(services.custody_ref(item))
        setattr(item, "code_status", status_text(delivery))  # noqa: B010 - a display attribute, not a field
        setattr(item, "code_state", delivery.status if delivery else "")  # noqa: B010


@ledger_write("parcels")
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request)
    item = get_for_user(CustodyItem.objects.filter(project=project), request.user, pk)
    post = request.POST
    item = services.custody_hand_over(
        item=item,
        proof_kind=post.get("proof_kind", ""),
        proof_value=post.get("proof_value", ""),
        taken_by_name=post.get("taken_by_name", ""),
        purpose=post.get("purpose", ""),
        due_back_at=_when(post.get("due_back_at", ""), "due_back_at"),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("已交付给 %(who)s：%(what)s") % {"who": item.taken_by_name, "what": item.description})
    return _back(post.get("tab") or "parcels")


@ledger_write("parcels")
def pickup_by_code(request: HttpRequest) -> HttpResponse:
    """The customer reads out the code: one field, Enter, handed over."""
    project = _project(request)
    code = request.POST.get("code", "")
    item = services.find_by_pickup_code(project=project, code=code)
    if item is None:
        raise ValidationError({"proof": [_("取件码不正确或物品已领取")]})
    item = services.custody_hand_over(
        item=item,
        proof_kind=ProofKind.PICKUP_CODE,
        proof_value=code,
        actor=request.user,  # type: ignore[arg-type]
    )
    where = _("（货架 %(shelf)s）") % {"shelf": item.shelf} if item.shelf else ""
    messages.success(
        request,
        _("已交付：%(what)s %(who)s%(where)s") % {"what": item.description, "who": item.owner_label, "where": where},
    )
    return _back("parcels")


@ledger_write("parcels")
def resend_code(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request)
    item = get_for_user(CustodyItem.objects.filter(project=project), request.user, pk)
    issued = services.custody_resend_code(item=item, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已换新码。%(message)s") % {"message": _code_message(issued.obj, issued.code)})
    return _back("parcels")


@ledger_write("parcels")
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request)
    item = get_for_user(CustodyItem.objects.filter(project=project), request.user, pk)
    services.custody_dispose(item=item, note=request.POST.get("note", ""), actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已处置：%(what)s") % {"what": item.description})
    return _back(request.POST.get("tab") or "parcels")


@ledger_write("loans")
def lend(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    post = request.POST
    unit = _unit(request, project, post.get("unit", ""), "owner_unit", required=False)
    item = services.custody_lend(
        project=project,
        description=post.get("description", ""),
        borrower_name=post.get("owner_name", ""),
        borrower_unit=unit,
        borrower_phone=post.get("owner_phone", ""),
        proof_kind=post.get("proof_kind", ""),
        proof_value=post.get("proof_value", ""),
        due_back_at=_when(post.get("due_back_at", ""), "due_back_at"),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("已借出：%(what)s → %(who)s") % {"what": item.description, "who": item.owner_name})
    return _back("loans")


@ledger_write("loans")
def take_back(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request)
    item = get_for_user(CustodyItem.objects.filter(project=project), request.user, pk)
    item = services.custody_take_back(
        item=item,
        returned_by_name=request.POST.get("returned_by_name", ""),
        damage_note=request.POST.get("damage_note", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("已归还：%(what)s") % {"what": item.description})
    return _back("keys" if item.kind == CustodyKind.KEY else "loans")


@ledger_write("slips")
def slip_register(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    post = request.POST
    unit = _unit(request, project, post.get("unit", ""), "owner_unit")
    assert unit is not None
    authoriser = _resident_named(unit, post.get("authorised_by", "") or "\0")
    if authoriser is None:
        raise ValidationError({"authorised_by": [_("授权人须是该房屋的客户，请填写其姓名")]})
    services.custody_slip_register(
        project=project,
        unit=unit,
        authorised_by=authoriser,
        description=post.get("description", ""),
        carrier_name=post.get("carrier_name", ""),
        authorised_how=post.get("authorised_how", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("放行条已登记：%(unit)s") % {"unit": unit.number})
    return _back("slips")


@ledger_write("slips")
def slip_release(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request)
    item = get_for_user(CustodyItem.objects.filter(project=project), request.user, pk)
    services.custody_slip_release(item=item, note=request.POST.get("note", ""), actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已放行：%(what)s") % {"what": item.description})
    return _back("slips")


# --- Visitors ------------------------------------------------------------------------------------------------------


@ledger_write("visitors")
def visitor_register(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    post = request.POST
    unit = _unit(request, project, post.get("unit", ""), "host_unit")
    assert unit is not None
    try:
        party = int(post.get("party_size") or 1)
    except ValueError:
        raise ValidationError({"party_size": [_("人数应为整数")]}) from None
    visitor = services.visitor_register(
        project=project,
        name=post.get("name", ""),
        host_unit=unit,
        id_number=post.get("id_number", ""),
        phone=post.get("phone", ""),
        purpose=post.get("purpose", ""),
        party_size=party,
        pass_code=post.get("pass_code", ""),
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request, _("已登记访客 %(name)s：%(status)s") % {"name": visitor.name, "status": visitor.get_status_display()}
    )
    return _back("visitors")


@ledger_write("visitors")
def visitor_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    project = _project(request)
    visitor = get_for_user(Visitor.objects.filter(project=project), request.user, pk)
    post, actor = request.POST, request.user
    if action == "confirm":
        services.visitor_confirm_host(
            visitor=visitor,
            confirmed_by=post.get("confirmed_by", ""),
            method=post.get("method", ""),
            actor=actor,  # type: ignore[arg-type]
        )
    elif action == "admit":
        services.visitor_admit(visitor=visitor, actor=actor)  # type: ignore[arg-type]
    elif action == "refuse":
        services.visitor_refuse(visitor=visitor, reason=post.get("reason", ""), actor=actor)  # type: ignore[arg-type]
    elif action == "sign-out":
        services.visitor_sign_out(visitor=visitor, slip_returned=post.get("slip_returned", "1") == "1", actor=actor)  # type: ignore[arg-type]
    elif action == "verify":
        services.visitor_verify(visitor=visitor, id_number=post.get("id_number", ""), actor=actor)  # type: ignore[arg-type]
    else:
        raise ValidationError({"action": [_("未知操作")]})
    visitor.refresh_from_db()
    messages.success(request, f"{visitor.name}：{visitor.get_status_display()}")
    return _back("visitors")


@login_required
@require_POST
def visitor_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """显示号码 on a visitor: the full number in place of the masked one; the reveal is on the visitor's timeline."""
    visitor = get_for_user(Visitor.objects.filter(project=_project(request)), request.user, pk)
    number = services.visitor_reveal_phone(visitor=visitor, actor=request.user)  # type: ignore[arg-type]
    return render(request, "frontdesk/_visitor_phone.html", {"number": number})


@ledger_write("visitors")
def visitor_pass_create(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    post = request.POST
    unit = _unit(request, project, post.get("unit", ""), "unit")
    assert unit is not None
    valid_on = timezone.localdate()
    if post.get("valid_on"):
        parsed = parse_date(post["valid_on"])
        if parsed is None:
            raise ValidationError({"valid_on": [_("日期格式不正确")]})
        valid_on = parsed
    issued = services.visitor_pass_create(
        project=project,
        unit=unit,
        customer=_resident_named(unit, post.get("customer_name", "")) if post.get("customer_name") else None,
        visitor_name=post.get("visitor_name", ""),
        valid_on=valid_on,
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request,
        _("预约通行码 %(code)s（%(date)s 有效），请告知业主") % {"code": issued.code, "date": valid_on.isoformat()},
    )
    return _back("visitors")


# --- Archive (F07), from a unit's page ------------------------------------------------------------------------


@login_required
@require_POST
def archive_record(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_for_user(Unit.objects.select_related("project"), request.user, unit_pk)
    if not can_record_archive(request.user, unit.project):
        raise PermissionDenied
    post = request.POST
    target = safe_next(request, "estates:unit_detail", unit.pk)
    try:
        customer = None
        if post.get("customer"):
            customer = get_for_user(scope(Customer.objects.all(), request.user), request.user, post["customer"])
        application = None
        if post.get("application"):
            application = get_for_user(ArchiveEvent.objects.filter(unit=unit), request.user, post["application"])
        on = parse_date(post.get("date", "")) or None
        if on is None:
            raise ValidationError({"date": [_("请填写日期")]})
        approved = {"1": True, "0": False}.get(post.get("approved", ""))
        services.archive_event_record(
            unit=unit,
            customer=customer,
            kind=post.get("kind", ""),
            on=on,
            details=post.get("details", ""),
            documents_note=post.get("documents_note", ""),
            approved=approved,
            application=application,
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("已记入档案：%(kind)s") % {"kind": ArchiveEventKind(post["kind"]).label})
    except ValidationError as exc:
        refusal(request, exc, labels=FIELD_LABELS)
    return redirect(target)
