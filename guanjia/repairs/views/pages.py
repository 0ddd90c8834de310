"""Repair pages: the price list, the desk's ledger (R01), an order with its actions, the three-copy work
order print (R02), the technician's phone view (R03–R10), and 维修及时率. The writes of an order are in
``steps``."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
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
from guanjia.core.errors import ConflictError
from guanjia.core.periods import parse_month
from guanjia.estates.selectors import customer_search as search_customers
from guanjia.repairs.forms import PriceFeeForm
from guanjia.repairs.models import (
    MaterialsQuality,
    PaymentMethod,
    PhotoKind,
    PriceCategory,
    PriceItem,
    Repair,
    RepairSource,
    RepairStatus,
)
from guanjia.repairs.selectors import (
    photo_for_user,
    price_items_for,
    repair_detail,
    repair_list,
    repair_timeliness,
    repairs_for_technician,
    signature_for_user,
    technicians_for,
)
from guanjia.repairs.services import price_item_set_fee
from guanjia.repairs.views.items import item_groups

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
    form = PriceFeeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        item = price_item_set_fee(item=item, fee_yuan=data["fee_yuan"], version=data["version"], actor=request.user)
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms]
    except ConflictError as exc:
        errors = [str(exc)]
        item.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        context = {"item": item, "can_edit": True, "errors": errors, "saved": not errors}
        context["posted"] = data["fee_yuan"] if errors else None
        return render(request, "repairs/_price_row.html", context)
    if errors:
        for message in errors:
            messages.error(request, f"{item.name}：{message}")
    else:
        messages.success(request, _("%(name)s 的收费已改为 %(fee)s 元") % {"name": item.name, "fee": item.fee_yuan})
    return redirect("repairs:price_list")


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
        "item_groups": item_groups(
            list(price_items_for(request.user, project_id=repair.project_id, active=True)),
            ordered_id=repair.price_item_id,
            actual=page.actual,
        ),
        "qualities": MaterialsQuality.choices,
        "payment_methods": PaymentMethod.choices,
        "photo_kinds": [(k, v) for k, v in PhotoKind.choices if k != PhotoKind.WARRANTY_NOTE],
        "S": RepairStatus,
    }
    return render(request, "repairs/work.html", context)


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
        month = parse_month(raw) if raw else timezone.localdate().replace(day=1)
    except ValueError:
        messages.error(request, _("月份格式应为 YYYY-MM"))
        month = timezone.localdate().replace(day=1)
    figures = repair_timeliness(project=project, month=month) if project is not None else None
    kinds = [(DEADLINE_KIND_LABELS.get(k, k), t) for k, t in figures.by_kind.items()] if figures else []
    context = {"project": project, "month": month, "figures": figures, "kinds": kinds}
    return render(request, "repairs/timeliness.html", context)
