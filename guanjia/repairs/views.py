"""Repair pages: the price list, the desk's ledger (R01), an order with its actions, the three-copy work
order print (R02), the technician's phone view (R03–R10), and 维修及时率. Views are thin: every write is a
service call; errors come back as messages naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import (
    can_desk_repair,
    can_edit_price_list,
    can_follow_warranty,
    can_register_repair,
    can_supervise_repair,
    can_work_repair,
    get_for_user,
    works_repairs_on_site,
)
from guanjia.accounts.models import User
from guanjia.cases.files import IMAGE_TYPES, stream_stored
from guanjia.cases.models import DEADLINE_KIND_LABELS, Department
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.core.web import redirect_next
from guanjia.estates.models import Customer, Unit
from guanjia.estates.selectors import customer_search as search_customers
from guanjia.repairs import services
from guanjia.repairs.models import (
    MaterialsQuality,
    PaymentMethod,
    PhotoKind,
    PriceCategory,
    PriceItem,
    Repair,
    RepairSource,
    RepairStatus,
    SignerRole,
)
from guanjia.repairs.selectors import (
    photo_for_user,
    price_items_for,
    repair_detail,
    repair_for_user,
    repair_list,
    repair_timeliness,
    repairs_for_technician,
    signature_for_user,
    technicians_for,
)
from guanjia.repairs.services import price_item_set_fee

_CATEGORY_ORDER = {value: i for i, value in enumerate(PriceCategory.values)}


# --- The price list -----------------------------------------------------------------------------------------


@login_required
def price_list(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    items: list[PriceItem] = []
    if project is not None:
        show_all = request.GET.get("all") == "1"
        queryset = price_items_for(
            request.user, project_id=project.pk, active=None if show_all else True, q=request.GET.get("q", "")
        )
        items = sorted(queryset, key=lambda item: (_CATEGORY_ORDER.get(item.category, 99), item.code))
    groups = [(PriceCategory(c).label, list(rows)) for c, rows in groupby(items, key=lambda item: item.category)]
    context: dict[str, Any] = {
        "project": project,
        "groups": groups,
        "q": request.GET.get("q", ""),
        "can_edit": project is not None and can_edit_price_list(request.user, project.pk),
    }
    return render(request, "repairs/price_list.html", context)


@login_required
@require_POST
def price_item_fee(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(PriceItem.objects.all(), request.user, pk)
    if not can_edit_price_list(request.user, item.project_id):
        raise PermissionDenied
    errors: list[str] = []
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        item = price_item_set_fee(
            item=item, fee_yuan=request.POST.get("fee_yuan", ""), version=version, actor=request.user
        )
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms]
    except ConflictError as exc:
        errors = [str(exc)]
        item.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        context = {"item": item, "can_edit": True, "errors": errors, "saved": not errors}
        context["posted"] = request.POST.get("fee_yuan", "") if errors else None
        return render(request, "repairs/_price_row.html", context)
    if errors:
        for message in errors:
            messages.error(request, f"{item.name}：{message}")
    else:
        messages.success(request, _("%(name)s 的收费已改为 %(fee)s 元") % {"name": item.name, "fee": item.fee_yuan})
    return redirect("repairs:price_list")


# --- Helpers ----------------------------------------------------------------------------------------------------

#: Field names as the user reads them in an error message.
FIELD_LABELS = {
    "description": "报修内容",
    "customer": "客户",
    "unit": "房屋",
    "location": "维修地点",
    "price_item": "收费项目",
    "received_at": "受理时间",
    "appointment_at": "预约时间",
    "contractor": "维保单位",
    "technician": "维修人员",
    "at": "时间",
    "completed_at": "完成时间",
    "fee_yuan": "收费",
    "payment_method": "收费方式",
    "collected_by": "收费人",
    "customer_signed": "客户签字",
    "signature": "签名",
    "technician_signature": "维修人员签名",
    "photo": "照片",
    "actual_items": "实际项目",
    "difference_note": "差异说明",
    "materials_quality": "材料检验",
    "materials_warned": "提示客户",
    "reason": "原因",
    "assessment": "评估意见",
    "text": "跟进情况",
    "kind": "照片类别",
}


def _field_errors(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    return [f"{_(FIELD_LABELS.get(f, f))}：{m}" for f, ms in exc.message_dict.items() for m in ms]


def _when(raw: str | None, field: str) -> datetime | None:
    """A ``datetime-local`` value from a form, in local time; blank is None (now)."""
    if not raw or not raw.strip():
        return None
    value = parse_datetime(raw.strip())
    if value is None:
        raise ValidationError({field: [_("时间格式不正确")]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _back(request: HttpRequest, repair: Repair) -> HttpResponseRedirect:
    return redirect_next(request, "repairs:detail", repair.pk)


def _staff_member(repair: Repair, raw: str | None, field: str) -> User | None:
    if not raw:
        return None
    try:
        return (
            technicians_for(repair.project).get(pk=int(raw)) if field == "technician" else _project_staff(repair, raw)
        )
    except (ValueError, User.DoesNotExist):
        raise ValidationError({field: [_("请选择本项目的人员")]}) from None


def _project_staff(repair: Repair, raw: str) -> User:
    return User.objects.filter(is_active=True, projects=repair.project_id).distinct().get(pk=int(raw))


# --- The desk's ledger and logging (R01) --------------------------------------------------------------------


def _log_context(request: HttpRequest, project: Any) -> dict[str, Any]:
    return {
        "price_items": list(price_items_for(request.user, project_id=project.pk, active=True)) if project else [],
        "sources": RepairSource.choices,
        "departments": Department.choices,
    }


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The repair ledger of the current project, newest first, with the log form on top."""
    project = getattr(request, "project", None)
    status = request.GET.get("status", "")
    if status not in RepairStatus.values:
        status = ""
    open_only = request.GET.get("open") == "1"
    rows = repair_list(
        request.user,
        project_id=project.pk if project else -1,
        status=status,
        q=request.GET.get("q", ""),
        open_only=open_only,
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "project": project,
        "page": page,
        "repairs": list(page.object_list),
        "statuses": RepairStatus.choices,
        "status": status,
        "open_only": open_only,
        "q": request.GET.get("q", ""),
        "now": timezone.now(),
        "can_register": project is not None and can_register_repair(request.user, project),
        **_log_context(request, project),
    }
    return render(request, "repairs/desk.html", context)


@login_required
def customer_pick(request: HttpRequest) -> HttpResponse:
    """The log form's live customer search (htmx): pick a customer and one of their units."""
    project = getattr(request, "project", None)
    query = request.GET.get("q", "")
    found = search_customers(user=request.user, project=project, query=query, limit=8) if project else []
    return render(request, "repairs/_customer_pick.html", {"customers": found, "q": query})


@login_required
@require_POST
def log(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    if project is None or not can_register_repair(request.user, project):
        raise PermissionDenied
    post = request.POST
    try:
        customer = _scoped(Customer, post.get("customer"), project, "customer")
        unit = _scoped(Unit, post.get("unit"), project, "unit")
        item = _scoped(PriceItem, post.get("price_item"), project, "price_item")
        appointment = _when(post.get("appointment_at"), "appointment_at")
        req = services.RepairRequest(
            description=post.get("description", ""),
            unit=unit,
            customer=customer,
            customer_name=post.get("customer_name", ""),
            contact_phone=post.get("contact_phone", ""),
            location=post.get("location", ""),
            received_at=_when(post.get("received_at"), "received_at"),
            price_item=item,
            urgent=appointment is None,
            appointment_at=appointment,
            source=post.get("source", RepairSource.RESIDENT),
            department=post.get("department", Department.ENGINEERING),
            warranty=post.get("warranty") == "on",
            contractor=post.get("contractor", ""),
            contractor_phone=post.get("contractor_phone", ""),
        )
        repair = services.repair_log(project=project, request=req, actor=request.user)
    except ValidationError as exc:
        for message in _field_errors(exc):
            messages.error(request, message)
        return redirect("repairs:desk")
    messages.success(request, _("已登记报修 %(n)s，请在 5 分钟内开派工单并通知部门 (R02)") % {"n": repair.number})
    return redirect("repairs:detail", pk=repair.pk)


def _scoped(model: Any, raw: str | None, project: Any, field: str) -> Any:
    if not raw:
        return None
    try:
        return model.objects.get(pk=int(raw), project=project)
    except (ValueError, model.DoesNotExist):
        raise ValidationError({field: [_("不属于本项目")]}) from None


# --- One order ----------------------------------------------------------------------------------------------


def _capabilities(user: Any, repair: Repair) -> dict[str, bool]:
    return {
        "desk": can_desk_repair(user, repair.project_id),
        "supervise": can_supervise_repair(user, repair.project_id),
        "work": can_work_repair(user, repair),
        "follow": repair.warranty and can_follow_warranty(user, repair),
        "technician": works_repairs_on_site(user),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = repair_detail(request.user, pk)
    repair = page.repair
    context = {
        "page": page,
        "repair": repair,
        "can": _capabilities(request.user, repair),
        "now": timezone.now(),
        "technicians": list(technicians_for(repair.project)),
        "payment_methods": PaymentMethod.choices,
        "desk_staff": list(User.objects.filter(is_active=True, projects=repair.project_id).order_by("id")),
        "S": RepairStatus,
    }
    return render(request, "repairs/detail.html", context)


@login_required
def print_order(request: HttpRequest, pk: int) -> HttpResponse:
    """R02: the work order in three copies (desk, department, customer) on one A4 page."""
    page = repair_detail(request.user, pk)
    copies = [_("前台联"), _("部门联"), _("客户联")]
    return render(request, "repairs/print.html", {"page": page, "repair": page.repair, "copies": copies})


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """The technician's phone: orders assigned to me and orders waiting for someone to accept."""
    rows = list(repairs_for_technician(request.user)[:100])
    mine = [r for r in rows if r.assignee_id == request.user.pk]
    waiting = [r for r in rows if r.assignee_id != request.user.pk]
    return render(request, "repairs/my_orders.html", {"mine": mine, "waiting": waiting, "now": timezone.now()})


@login_required
def work(request: HttpRequest, pk: int) -> HttpResponse:
    """One order on the technician's phone: accept, arrive, items and fees, agree or decline, materials,
    photos, the customer's signature and the fee."""
    page = repair_detail(request.user, pk)
    repair = page.repair
    context = {
        "page": page,
        "repair": repair,
        "can": _capabilities(request.user, repair),
        "now": timezone.now(),
        "price_items": list(price_items_for(request.user, project_id=repair.project_id, active=True)),
        "qualities": MaterialsQuality.choices,
        "payment_methods": PaymentMethod.choices,
        "photo_kinds": [(k, v) for k, v in PhotoKind.choices if k != PhotoKind.WARRANTY_NOTE],
        "S": RepairStatus,
    }
    return render(request, "repairs/work.html", context)


# --- Steps (POST) ---------------------------------------------------------------------------------------------


def _lines_from(post: Any) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"price_item": pid, "quantity": post.get(f"qty_{pid}", "1") or "1"} for pid in post.getlist("item")
    ]
    if post.get("extra_name", "").strip():
        lines.append(
            {"name": post["extra_name"], "fee_yuan": post.get("extra_fee", ""), "quantity": post.get("extra_qty", "1")}
        )
    return lines


Step = Callable[[HttpRequest, Repair], str]
#: The POST steps of an order by name: each calls one service and answers the message to show.
STEPS: dict[str, Step] = {}


def _step(name: str) -> Callable[[Step], Step]:
    def register(func: Step) -> Step:
        STEPS[name] = func
        return func

    return register


def _at(request: HttpRequest) -> datetime | None:
    return _when(request.POST.get("at"), "at")


@_step("write_order")
def _write_order(request: HttpRequest, repair: Repair) -> str:
    services.repair_write_order(repair=repair, actor=request.user, at=_at(request))
    return _("派工单已开出")


@_step("notify")
def _notify(request: HttpRequest, repair: Repair) -> str:
    services.repair_notify_department(repair=repair, actor=request.user, at=_at(request))
    return _("已通知部门领单")


@_step("accept")
def _accept(request: HttpRequest, repair: Repair) -> str:
    technician = _staff_member(repair, request.POST.get("technician"), "technician") or request.user
    services.repair_accept(repair=repair, actor=request.user, technician=technician, at=_at(request))
    return _("已接单，请在时限内到场 (R03/R04)")


@_step("arrive")
def _arrive(request: HttpRequest, repair: Repair) -> str:
    services.repair_arrive(repair=repair, actor=request.user, at=_at(request))
    return _("已到场")


@_step("assess")
def _assess(request: HttpRequest, repair: Repair) -> str:
    post = request.POST
    services.repair_assess(
        repair=repair,
        actor=request.user,
        feasible=post.get("feasible") != "no",
        assessment=post.get("assessment", ""),
        quoted_fee_yuan=post.get("quoted_fee_yuan", ""),
        at=_at(request),
    )
    return _("已评估并报价，请告知客户 (R05)")


@_step("consent")
def _consent(request: HttpRequest, repair: Repair) -> str:
    agreed = request.POST.get("agreed") == "yes"
    reason = request.POST.get("reason", "")
    services.repair_record_consent(repair=repair, actor=request.user, agreed=agreed, reason=reason, at=_at(request))
    return _("已记录客户意见")


@_step("items")
def _items(request: HttpRequest, repair: Repair) -> str:
    note = request.POST.get("difference_note", "")
    services.repair_set_actual_items(
        repair=repair, actor=request.user, items=_lines_from(request.POST), difference_note=note
    )
    return _("实际项目已保存 (R07)")


@_step("materials")
def _materials(request: HttpRequest, repair: Repair) -> str:
    post = request.POST
    services.repair_check_materials(
        repair=repair,
        actor=request.user,
        supplied=post.get("supplied") == "on",
        quality=post.get("quality", ""),
        warned=post.get("warned") == "on",
        note=post.get("note", ""),
    )
    return _("材料检验已记录 (R09)")


@_step("agree")
def _agree(request: HttpRequest, repair: Repair) -> str:
    services.repair_customer_agrees(repair=repair, actor=request.user, at=_at(request))
    return _("客户同意，开始维修 (R08)")


@_step("decline")
def _decline(request: HttpRequest, repair: Repair) -> str:
    services.repair_decline(
        repair=repair,
        actor=request.user,
        reason=request.POST.get("reason", ""),
        technician_signature=request.POST.get("signature", ""),
    )
    return _("客户拒绝维修，工单退回，请部门主管签字 (R08)")


@_step("countersign")
def _countersign(request: HttpRequest, repair: Repair) -> str:
    services.repair_countersign(repair=repair, actor=request.user, signature=request.POST.get("signature", ""))
    return _("主管已签字")


@_step("sign")
def _sign(request: HttpRequest, repair: Repair) -> str:
    services.repair_customer_sign(
        repair=repair,
        actor=request.user,
        signature=request.POST.get("signature", ""),
        signer_name=request.POST.get("signer_name", ""),
    )
    return _("客户已签名")


@_step("complete")
def _complete(request: HttpRequest, repair: Repair) -> str:
    post = request.POST
    signed = repair.signatures.filter(role=SignerRole.CUSTOMER).exists()
    if not signed and post.get("signature"):
        services.repair_customer_sign(repair=repair, actor=request.user, signature=post["signature"])
        signed = True
    services.repair_complete(
        repair=repair,
        actor=request.user,
        customer_signed=signed,
        fee_yuan=post.get("fee_yuan", ""),
        payment_method=post.get("payment_method", ""),
        collected_by=_staff_member(repair, post.get("collected_by"), "collected_by"),
        completed_at=_when(post.get("completed_at"), "completed_at"),
    )
    return _("维修已完成，工单已回到前台 (R10, R11)")


@_step("return")
def _return(request: HttpRequest, repair: Repair) -> str:
    services.repair_return_to_desk(repair=repair, actor=request.user, at=_at(request))
    return _("部门联已交回前台 (R11)")


@_step("payment")
def _payment(request: HttpRequest, repair: Repair) -> str:
    collector = _staff_member(repair, request.POST.get("collected_by"), "collected_by")
    method = request.POST.get("payment_method", "")
    services.repair_record_payment(repair=repair, actor=request.user, payment_method=method, collected_by=collector)
    return _("收费已登记")


@_step("finance")
def _finance(request: HttpRequest, repair: Repair) -> str:
    services.repair_hand_to_finance(repair=repair, actor=request.user, at=_at(request))
    return _("已交财务")


@_step("cancel")
def _cancel(request: HttpRequest, repair: Repair) -> str:
    services.repair_cancel(repair=repair, actor=request.user, reason=request.POST.get("reason", ""), at=_at(request))
    return _("工单已取消")


@_step("note")
def _note(request: HttpRequest, repair: Repair) -> str:
    photos = request.FILES.getlist("photos")
    services.repair_add_note(repair=repair, actor=request.user, text=request.POST.get("text", ""), photos=photos)
    return _("跟进记录已保存 (R13)")


@_step("photo")
def _photo(request: HttpRequest, repair: Repair) -> str:
    kind = request.POST.get("kind", "")
    services.repair_add_photo(repair=repair, actor=request.user, kind=kind, upload=request.FILES.get("photo"))
    return _("照片已上传")


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    repair = repair_for_user(request.user, pk)
    handler = STEPS.get(name)
    if handler is None:
        raise PermissionDenied
    try:
        messages.success(request, handler(request, repair))
    except PermissionError:
        raise PermissionDenied from None
    except ValidationError as exc:
        for message in _field_errors(exc):
            messages.error(request, message)
    except (TransitionError, ConflictError) as exc:
        messages.error(request, str(exc))
    return _back(request, repair)


# --- Files: photos and signatures, only to those who may see the order ---------------------------------------


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = photo_for_user(request.user, pk)
    content_type = IMAGE_TYPES.get(photo.image_format, "application/octet-stream")
    return stream_stored(photo.image, content_type=content_type)


@login_required
def signature_file(request: HttpRequest, pk: int) -> FileResponse:
    signature = signature_for_user(request.user, pk)
    return stream_stored(signature.image, content_type="image/png")


# --- 维修及时率 -----------------------------------------------------------------------------------------------


@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    raw = request.GET.get("month", "")
    try:
        month = date.fromisoformat(f"{raw}-01") if raw else timezone.localdate().replace(day=1)
    except ValueError:
        messages.error(request, _("月份格式应为 YYYY-MM"))
        month = timezone.localdate().replace(day=1)
    figures = repair_timeliness(project=project, month=month) if project is not None else None
    kinds = [(DEADLINE_KIND_LABELS.get(k, k), t) for k, t in figures.by_kind.items()] if figures else []
    context = {"project": project, "month": month, "figures": figures, "kinds": kinds}
    return render(request, "repairs/timeliness.html", context)
