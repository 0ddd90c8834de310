"""The repair price list page of the current project (``repairs:price_list``)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import get_for_user
from guanjia.estates.services import ConflictError
from guanjia.repairs.models import PriceCategory, PriceItem
from guanjia.repairs.selectors import price_items_for
from guanjia.repairs.services import can_edit_price_list, price_item_set_fee

_CATEGORY_ORDER = {value: i for i, value in enumerate(PriceCategory.values)}


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
