"""Pages that change the estate archive (O01, F07): the estate's structure (项目与楼栋), adding a unit, changing a
unit, adding and editing a customer at the counter, move-in and move-out.

Thin: ``guanjia.accounts.access`` decides who may, ``estates.structure`` / ``estates.services`` write. Bad input
comes back on the same page with the message beside the field; a stale version says so (409).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts import access
from guanjia.core.errors import ConflictError
from guanjia.core.web import REFUSALS, refusal
from guanjia.estates import selectors, services, structure
from guanjia.estates.models import Building, Customer, CustomerKind, Project, Unit, UnitStatus
from guanjia.estates.services import DuplicateCustomerError


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those of no field under "form" (templates cannot read "__all__")."""
    if hasattr(exc, "error_dict"):
        return {("form" if f == "__all__" else f): list(msgs) for f, msgs in exc.message_dict.items()}
    return {"form": list(exc.messages)}


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ValidationError({"version": [_("页面已过期，请刷新后再试")]}) from None


def _project(request: HttpRequest) -> Project:
    project = getattr(request, "project", None)
    if project is None:
        raise Http404
    return project


# --- 项目与楼栋 ------------------------------------------------------------------------------------------


@login_required
def structure_page(request: HttpRequest) -> HttpResponse:
    """The company's projects (general manager) and the current project's buildings (office manager)."""
    user: Any = request.user
    project = _project(request)
    if not (access.can_manage_company(user) or access.can_manage_project(user, project)):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            done = _structure_action(request, project)
        except ValidationError as exc:
            errors = _errors(exc)
        except ConflictError as exc:
            errors = {"form": [str(exc)]}
        else:
            messages.success(request, done)
            return redirect("estates:structure")
    company_projects = (
        Project.objects.filter(company_id=project.company_id).order_by("is_retired", "code")
        if access.can_manage_company(user)
        else Project.objects.none()
    )
    buildings = Building.objects.filter(project=project).order_by("is_retired", "id")
    return render(
        request,
        "estates/structure.html",
        {
            "project": project,
            "company": project.company,
            "projects": company_projects,
            "buildings": buildings,
            "can_manage_project": access.can_manage_project(user, project),
            "errors": errors,
            "post": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


def _structure_action(request: HttpRequest, project: Project) -> str:
    user: Any = request.user
    post, now, action = request.POST, timezone.now(), request.POST.get("action", "")
    if action == "company_rename":
        structure.company_rename(company=project.company, name=post.get("name", ""), actor=user, now=now)
        return _("公司名称已修改")
    if action == "project_create":
        values = {k: post.get(k, "") for k in ("name", "code", "address", "phone")}
        created = structure.project_create(company=project.company, values=values, actor=user, now=now)
        return _("已新建项目 %(name)s") % {"name": created.name}
    if action in ("project_rename", "project_retire"):
        target = access.get_for_user(Project.objects.all(), user, post.get("project"), field="id")
        if action == "project_retire":
            structure.project_retire(project=target, actor=user, now=now)
            return _("已停用项目 %(name)s") % {"name": target.name}
        structure.project_update(
            project=target, version=_version(request), values={"name": post.get("name", "")}, actor=user, now=now
        )
        return _("项目已改名")
    if action == "building_create":
        building = structure.building_create(
            project=project, number=post.get("number", ""), name=post.get("name", ""), actor=user, now=now
        )
        return _("已新建 %(b)s") % {"b": building.label}
    if action in ("building_rename", "building_retire"):
        target_b = access.get_for_user(Building.objects.filter(project=project), user, post.get("building"))
        if action == "building_retire":
            structure.building_retire(building=target_b, actor=user, now=now)
            return _("已停用 %(b)s") % {"b": target_b.label}
        structure.building_update(
            building=target_b, version=_version(request), values={"name": post.get("name", "")}, actor=user, now=now
        )
        return _("楼栋已改名")
    raise ValidationError(_("未知操作"))


# --- Units ---------------------------------------------------------------------------------------------


@login_required
def unit_new(request: HttpRequest) -> HttpResponse:
    """添加房屋: building, entrance, room, floor, area, status."""
    user: Any = request.user
    project = _project(request)
    if not access.can_manage_project(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        try:
            building = None
            if post.get("building", "").isdigit():
                building = selectors.active_buildings(user=user, project=project).filter(pk=post["building"]).first()
            values = {k: post[k] for k in ("entrance", "room", "floor", "area_m2", "status") if k in post}
            unit = structure.unit_create(
                project=project, values={**values, "building": building}, actor=user, now=timezone.now()
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("已添加房屋 %(unit)s") % {"unit": unit.number})
            if post.get("another"):
                return redirect("estates:unit_new")
            return redirect("estates:unit_detail", unit.pk)
    return render(
        request,
        "estates/unit_form.html",
        {
            "buildings": selectors.active_buildings(user=user, project=project),
            "statuses": UnitStatus.choices,
            "errors": errors,
            "post": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def unit_change(request: HttpRequest, pk: int) -> HttpResponse:
    """From the unit's page: correct its address or floor, change its status, or retire it."""
    user: Any = request.user
    unit = access.get_for_user(Unit.objects.select_related("project", "building"), user, pk)
    post, now = request.POST, timezone.now()
    try:
        if post.get("action") == "retire":
            structure.unit_retire(unit=unit, actor=user, now=now, reason=post.get("reason", ""))
            messages.success(request, _("房屋已停用"))
        else:
            fields = (
                ("entrance", "room", "floor", "status")
                if access.can_manage_project(user, unit.project_id)
                else ("status",)
            )
            values = {k: post[k] for k in fields if k in post}
            structure.unit_update(
                unit=unit, version=_version(request), values=values, actor=user, now=now, reason=post.get("reason", "")
            )
            messages.success(request, _("房屋资料已保存"))
    except REFUSALS as exc:
        refusal(request, exc)
    return redirect("estates:unit_detail", unit.pk)


# --- Customers -----------------------------------------------------------------------------------------


def _customer_form_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"kinds": CustomerKind.choices, "post": request.POST, **extra}


@login_required
def customer_new(request: HttpRequest) -> HttpResponse:
    """新建客户 at the counter: name, phone, kind, unit typed as 3-2-1201, ID number, move-in date."""
    user: Any = request.user
    project = _project(request)
    if not access.can_write_customers(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    existing: Customer | None = None
    if request.method == "POST":
        post = request.POST
        try:
            unit = None
            if post.get("unit", "").strip():
                unit = selectors.unit_by_address(user=user, project=project, text=post["unit"])
                if unit is None:
                    raise ValidationError(
                        {"unit": [_("找不到房屋“%(q)s”，请按 栋-单元-房号 填写") % {"q": post["unit"]}]}
                    )
            on = parse_date(post.get("move_in_date", "")) if post.get("move_in_date") else None
            if post.get("move_in_date") and on is None:
                raise ValidationError({"move_in_date": [_("日期格式不正确")]})
            customer = services.customer_create(
                project=project,
                name=post.get("name", ""),
                phones=[p for p in (post.get("phone", ""), post.get("phone2", "")) if p.strip()],
                kind=post.get("kind", CustomerKind.OWNER),
                id_number=post.get("id_number", ""),
                note=post.get("note", ""),
                allow_duplicate=bool(post.get("allow_duplicate")),
                actor=user,
                now=timezone.now(),
            )
            if unit is not None:
                services.customer_move_in(
                    customer=customer,
                    unit=unit,
                    kind=customer.kind,
                    on=on or timezone.localdate(),
                    documents_note=post.get("documents_note", ""),
                    actor=user,
                    now=timezone.now(),
                )
        except DuplicateCustomerError as exc:
            errors, existing = _errors(exc), exc.existing
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("已建立客户档案：%(name)s") % {"name": customer.name})
            return redirect("estates:customer_detail", customer.pk)
    return render(
        request,
        "estates/customer_form.html",
        _customer_form_context(request, errors=errors, existing=existing, customer=None),
        status=400 if errors else 200,
    )


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    customer = access.get_for_user(Customer.objects.prefetch_related("phones"), user, pk)
    if not access.can_write_customers(user, customer.project_id):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    existing: Customer | None = None
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            services.customer_update(
                customer=customer,
                version=_version(request),
                changes={"name": post.get("name", ""), "kind": post.get("kind", ""), "note": post.get("note", "")},
                phones=[p for p in (post.get("phone", ""), post.get("phone2", "")) if p.strip()],
                id_number=post["id_number"] if post.get("id_number", "").strip() else None,
                allow_duplicate=bool(post.get("allow_duplicate")),
                actor=user,
                now=timezone.now(),
            )
        except DuplicateCustomerError as exc:
            errors, existing, status = _errors(exc), exc.existing, 400
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        except ConflictError as exc:
            errors, status = {"form": [str(exc)]}, 409
        else:
            messages.success(request, _("客户资料已保存"))
            return redirect("estates:customer_detail", customer.pk)
    phones = [p.number for p in customer.phones.all()]
    return render(
        request,
        "estates/customer_form.html",
        _customer_form_context(request, errors=errors, existing=existing, customer=customer, phones=[*phones, "", ""]),
        status=status,
    )


@login_required
@require_POST
def customer_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    """入住 / 迁出 from the customer's page; the handover is recorded in the archive (F07)."""
    user: Any = request.user
    customer = access.get_for_user(Customer.objects.all(), user, pk)
    if not access.can_write_customers(user, customer.project_id):
        raise PermissionDenied
    post = request.POST
    try:
        on = parse_date(post.get("date", "") or "")
        if on is None:
            raise ValidationError({"date": [_("请填写日期")]})
        common = {
            "customer": customer,
            "on": on,
            "details": post.get("details", ""),
            "documents_note": post.get("documents_note", ""),
            "actor": user,
            "now": timezone.now(),
        }
        if direction == "in":
            unit = selectors.unit_by_address(user=user, project=customer.project, text=post.get("unit", ""))
            if unit is None:
                raise ValidationError(
                    {"unit": [_("找不到房屋“%(q)s”，请按 栋-单元-房号 填写") % {"q": post.get("unit", "")}]}
                )
            services.customer_move_in(unit=unit, kind=post.get("kind", ""), **common)
            messages.success(request, _("已登记入住 %(unit)s") % {"unit": unit.number})
        else:
            unit = access.get_for_user(Unit.objects.select_related("building"), user, post.get("unit"))
            services.customer_move_out(unit=unit, **common)
            messages.success(request, _("已登记迁出 %(unit)s") % {"unit": unit.number})
    except REFUSALS as exc:
        refusal(request, exc)
    return redirect(reverse("estates:customer_detail", args=[customer.pk]) + "#residency")
