"""Writes of an estate's structure (O01): the company, its projects, their buildings and units.

Each function checks who may do it (``guanjia.accounts.access``), validates, then changes the row only if
nobody changed it since ``version`` was read (else ``ConflictError``, a 409), and appends a timeline event in
the same transaction. Nothing here deletes: a project, building or unit other records point at is retired
(``is_retired``): it leaves the pickers and default lists, its history stays. A building with units still in
service, or a unit with current residents, cannot be retired (409 naming why).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from guanjia.accounts import access
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Building, Company, Project, Residency, Unit, UnitStatus
from guanjia.estates.services import plain
from guanjia.timeline.services import record

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_PART_RE = re.compile(r"^[0-9A-Za-z]{1,16}$")


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("您无权修改该项目的房屋资料。"))


def _text(value: Any, field: str, *, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("请填写%(label)s") % {"label": label}]})
    if len(text) > max_length:
        raise ValidationError({field: [_("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length}]})
    return text


def _part(value: Any, field: str, *, label: str, required: bool = True) -> str:
    """A building number, entrance or room: letters and digits only ("3", "A", "1201")."""
    text = str(value or "").strip().upper()
    if not text and not required:
        return ""
    if not _PART_RE.match(text):
        raise ValidationError({field: [_("%(label)s只能填写字母和数字，例如 3、A、1201") % {"label": label}]})
    return text


def _save(model: type[Model], obj: Any, version: int, fields: dict[str, Any], message: str) -> None:
    """The optimistic write: exactly one row at ``version`` changes, or the caller read a stale copy."""
    if model._default_manager.filter(pk=obj.pk, version=version).update(**fields, version=version + 1) != 1:
        raise ConflictError(message)
    obj.refresh_from_db()


def _diff(obj: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before = {k: getattr(obj, k) for k, v in changes.items() if getattr(obj, k) != v}
    return plain(before), plain({k: changes[k] for k in before})


# --- The company -----------------------------------------------------------------------------------------


def company_rename(*, company: Company, name: str, actor: Any, now: datetime) -> Company:
    if not access.can_manage_company(actor) or (not actor.is_superuser and actor.company_id != company.pk):
        raise PermissionDenied(_("只有总经理可以修改公司资料。"))
    name = _text(name, "name", label=_("公司名称"), max_length=100)
    with transaction.atomic():
        before = company.name
        Company.objects.filter(pk=company.pk).update(name=name)
        record(subject=company, verb="company.renamed", actor=actor, data={"from": before, "to": name}, at=now)
    company.refresh_from_db()
    return company


# --- Projects --------------------------------------------------------------------------------------------


def _project_fields(values: dict[str, Any], *, exclude: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = _text(values["name"], "name", label=_("项目名称"), max_length=100)
    if "code" in values:
        code = str(values["code"] or "").strip().lower()
        if not _CODE_RE.match(code):
            raise ValidationError({"code": [_("项目代码只能用小写字母、数字和短横线，例如 binjiang")]})
        if Project.objects.filter(code=code).exclude(pk=exclude or 0).exists():
            raise ValidationError({"code": [_("项目代码“%(code)s”已被使用") % {"code": code}]})
        out["code"] = code
    if "address" in values:
        out["address"] = _text(values["address"], "address", label=_("地址"), max_length=200, required=False)
    if "phone" in values:
        out["phone"] = clean.phone(values["phone"])
    return out


def project_create(*, company: Company, values: dict[str, Any], actor: Any, now: datetime) -> Project:
    """A new project of ``company`` (name and code required; address, phone optional)."""
    _require(access.can_manage_company(actor) and (actor.is_superuser or actor.company_id == company.pk))
    fields = _project_fields({"name": "", "code": "", **values})
    with transaction.atomic():
        project = Project.objects.create(company=company, **fields)
        record(subject=project, verb="project.created", actor=actor, project=project, data=plain(fields), at=now)
    return project


def project_update(*, project: Project, version: int, values: dict[str, Any], actor: Any, now: datetime) -> Project:
    _require(access.can_manage_company(actor) and access.can_see_project(actor, project))
    fields = _project_fields(values, exclude=project.pk)
    with transaction.atomic():
        before, after = _diff(project, fields)
        _save(Project, project, version, fields, _("项目资料已被他人修改，请刷新后再试。"))
        record(
            subject=project,
            verb="project.updated",
            actor=actor,
            project=project,
            data={"before": before, "after": after},
            at=now,
        )
    return project


def project_retire(*, project: Project, actor: Any, now: datetime, reason: str = "") -> Project:
    """A project the company no longer manages: marked retired, never deleted; its records stay."""
    _require(access.can_manage_company(actor) and access.can_see_project(actor, project))
    with transaction.atomic():
        _retire(project, _("该项目已停用。"), actor=actor, now=now, reason=reason, project=project)
    project.refresh_from_db()
    return project


def _retire(
    item: Project | Building | Unit, already: str, *, actor: Any, now: datetime, reason: str, **where: Any
) -> None:
    """Retire ``item`` once (a conditional UPDATE: a second retirement, even a concurrent one, is a conflict)
    and record it on its timeline, inside the caller's transaction."""
    model = type(item)
    if model.objects.filter(pk=item.pk, is_retired=False).update(is_retired=True, retired_at=now) != 1:
        raise ConflictError(already)
    verb = f"{model._meta.model_name}.retired"
    record(subject=item, verb=verb, actor=actor, reason=reason, at=now, **where)


# --- Buildings -------------------------------------------------------------------------------------------


def _building_fields(project: Project, values: dict[str, Any], *, exclude: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "number" in values:
        number = _part(values["number"], "number", label=_("楼栋号"))
        if Building.objects.filter(project=project, number=number).exclude(pk=exclude or 0).exists():
            raise ValidationError({"number": [_("本项目已有 %(n)s 栋") % {"n": number}]})
        out["number"] = number
    if "name" in values:
        out["name"] = _text(values["name"], "name", label=_("楼栋名称"), max_length=50, required=False)
    return out


def building_create(*, project: Project, number: str, name: str = "", actor: Any, now: datetime) -> Building:
    _require(access.can_manage_project(actor, project))
    if project.is_retired:
        raise ValidationError({"project": [_("该项目已停用")]})
    fields = _building_fields(project, {"number": number, "name": name})
    with transaction.atomic():
        building = Building.objects.create(project=project, **fields)
        record(subject=building, verb="building.created", actor=actor, data=plain(fields), at=now)
    return building


def building_update(*, building: Building, version: int, values: dict[str, Any], actor: Any, now: datetime) -> Building:
    """Rename a building (its number or its name)."""
    _require(access.can_manage_project(actor, building.project_id))
    fields = _building_fields(building.project, values, exclude=building.pk)
    with transaction.atomic():
        before, after = _diff(building, fields)
        _save(Building, building, version, fields, _("楼栋资料已被他人修改，请刷新后再试。"))
        record(subject=building, verb="building.updated", actor=actor, data={"before": before, "after": after}, at=now)
    return building


def building_retire(*, building: Building, actor: Any, now: datetime, reason: str = "") -> Building:
    _require(access.can_manage_project(actor, building.project_id))
    with transaction.atomic():
        if Unit.objects.filter(building=building, is_retired=False).exists():
            raise ConflictError(_("该楼栋还有在用的房屋，请先停用这些房屋。"))
        _retire(building, _("该楼栋已停用。"), actor=actor, now=now, reason=reason)
    building.refresh_from_db()
    return building


# --- Units -----------------------------------------------------------------------------------------------


def _unit_fields(project: Project, values: dict[str, Any], current: Unit | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "building" in values:
        building = values["building"]
        if not isinstance(building, Building) or building.project_id != project.pk:
            raise ValidationError({"building": [_("请选择本项目的楼栋")]})
        if building.is_retired and (current is None or current.building_id != building.pk):
            raise ValidationError({"building": [_("该楼栋已停用")]})
        out["building"] = building
    if "entrance" in values:
        out["entrance"] = _part(values["entrance"], "entrance", label=_("单元"), required=False)
    if "room" in values:
        out["room"] = _part(values["room"], "room", label=_("房号"))
    if "floor" in values:
        floor = values["floor"]
        if floor in (None, ""):
            out["floor"] = None
        else:
            try:
                out["floor"] = int(floor)
            except (TypeError, ValueError):
                raise ValidationError({"floor": [_("楼层请填写整数")]}) from None
            if not -10 <= out["floor"] <= 200:
                raise ValidationError({"floor": [_("楼层应在 -10 到 200 之间")]})
    if "area_m2" in values:
        area = values["area_m2"]
        if area in (None, ""):
            out["area_m2"] = None
        else:
            try:
                out["area_m2"] = Decimal(str(area)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                raise ValidationError({"area_m2": [_("建筑面积请填写数字")]}) from None
            if not Decimal("0") < out["area_m2"] < Decimal("100000"):
                raise ValidationError({"area_m2": [_("建筑面积应大于 0")]})
    if "status" in values:
        if values["status"] not in UnitStatus.values:
            raise ValidationError({"status": [_("房屋状态无效")]})
        out["status"] = values["status"]
    if "butler" in values:
        butler = values["butler"]
        if butler is not None and not access.can_see_project(butler, project):
            raise ValidationError({"butler": [_("请选择本项目的管家")]})
        out["butler"] = butler
    building = out.get("building", current.building if current else None)
    if building is not None and ({"entrance", "room", "building"} & set(out)):
        entrance = out.get("entrance", current.entrance if current else "")
        room = out.get("room", current.room if current else "")
        twins = Unit.objects.filter(building=building, entrance=entrance, room=room)
        if current is not None:
            twins = twins.exclude(pk=current.pk)
        if twins.exists():
            raise ValidationError(
                {"room": [_("该房屋已存在：%(b)s %(e)s %(r)s") % {"b": building.label, "e": entrance, "r": room}]}
            )
    return out


def unit_create(*, project: Project, values: dict[str, Any], actor: Any, now: datetime) -> Unit:
    """A new unit: building and room required; entrance, floor, area, status (default vacant), butler."""
    _require(access.can_manage_project(actor, project))
    if project.is_retired:
        raise ValidationError({"project": [_("该项目已停用")]})
    if values.get("building") is None:
        raise ValidationError({"building": [_("请选择楼栋")]})
    fields = _unit_fields(project, {"entrance": "", "room": "", "status": UnitStatus.VACANT, **values})
    with transaction.atomic():
        unit = Unit.objects.create(project=project, **fields)
        record(subject=unit, verb="unit.created", actor=actor, data=plain(fields), at=now)
    return unit


def unit_update(
    *, unit: Unit, version: int, values: dict[str, Any], actor: Any, now: datetime, reason: str = ""
) -> Unit:
    """Rename or correct a unit and/or change its status (a status change is its own timeline event).

    The office manager (and general manager) change anything; a butler only the status (O03).
    """
    only_status = set(values) <= {"status"}
    allowed = access.can_manage_project(actor, unit.project_id) or (
        only_status
        and access.can_see_project(actor, unit.project_id)
        and access.has_role(actor, access.UNIT_STATUS_ROLES)
    )
    _require(allowed)
    fields = _unit_fields(unit.project, values, current=unit)
    with transaction.atomic():
        before, after = _diff(unit, fields)
        _save(Unit, unit, version, fields, _("房屋资料已被他人修改，请刷新后再试。"))
        if "status" in after:
            status_from = before.pop("status")
            status_to = after.pop("status")
            record(
                subject=unit,
                verb="unit.status_changed",
                actor=actor,
                data={"from": status_from, "to": status_to},
                reason=reason,
                at=now,
            )
        if after:
            record(
                subject=unit,
                verb="unit.updated",
                actor=actor,
                data={"before": before, "after": after},
                reason=reason,
                at=now,
            )
    return unit


def unit_retire(*, unit: Unit, actor: Any, now: datetime, reason: str = "") -> Unit:
    """A unit out of service (merged, demolished, entered twice by mistake): never deleted, only retired."""
    _require(access.can_manage_project(actor, unit.project_id))
    with transaction.atomic():
        if Residency.objects.filter(unit=unit, move_out_date__isnull=True).exists():
            raise ConflictError(_("该房屋还有住户，请先为住户办理迁出。"))
        _retire(unit, _("该房屋已停用。"), actor=actor, now=now, reason=reason)
    unit.refresh_from_db()
    return unit
