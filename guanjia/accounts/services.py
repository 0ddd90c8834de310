"""Writes of 人员管理 (O02–O04): add a person, change their role, projects and details, reset a password,
switch them off and on, give a butler their households (O03).

Every write checks the access policy (``access.can_manage_staff``, ``can_grant``, ``can_manage_person``) and
raises PermissionError when the actor may not; bad input raises ValidationError naming the field; a stale
``version`` raises ConflictError. Each change appends timeline events on the person in the same transaction
(never a password).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from guanjia.accounts.access import (
    COMPANY_ROLES,
    can_grant,
    can_manage_person,
    can_manage_staff,
    mask_phone,
)
from guanjia.accounts.models import Role, User
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Project, Unit
from guanjia.timeline.services import record

#: Letters and digits that cannot be mistaken for one another when read out or copied from a screen.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """12 characters in groups of four (``k7mp-2qax-9dfe``): easy to read out, passes the password validators."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("not allowed to administer this person")


def _clean_name(raw: Any) -> str:
    name = str(raw or "").strip()
    if not name:
        raise ValidationError({"name": [_("请填写姓名")]})
    if len(name) > 50:
        raise ValidationError({"name": [_("姓名不能超过 50 个字")]})
    return name


def _clean_role(raw: Any) -> str:
    if raw not in Role.values:
        raise ValidationError({"role": [_("请选择有效的岗位")]})
    return str(raw)


def _clean_projects(role: str, projects: Iterable[Project]) -> list[Project]:
    chosen = sorted({p.pk: p for p in projects}.values(), key=lambda p: p.pk)
    if not chosen and role not in COMPANY_ROLES:
        raise ValidationError({"projects": [_("请至少选择一个所属项目")]})
    if len({p.company_id for p in chosen}) > 1:
        raise ValidationError({"projects": [_("所属项目须属于同一公司")]})
    return chosen


def _clean_username(raw: Any) -> str:
    username = str(raw or "").strip()
    if not username:
        raise ValidationError({"username": [_("请填写用户名")]})
    if len(username) > 150:
        raise ValidationError({"username": [_("用户名不能超过 150 个字符")]})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError({"username": [_("用户名只能包含字母、数字和 @ . + - _")]}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("用户名“%(name)s”已被使用") % {"name": username}]})
    return username


def _project_names(projects: Iterable[Project]) -> list[str]:
    return [p.name for p in projects]


def staff_create(
    *,
    actor: Any,
    now: datetime,
    username: str,
    name: str,
    role: str,
    projects: Iterable[Project],
    phone: str = "",
    password: str | None = None,
) -> tuple[User, str | None]:
    """Add a person. Without ``password`` they get a one-time password, returned here once and never stored
    in clear, which they must change at their first login. Returns (person, one-time password or None)."""
    _require(can_manage_staff(actor))
    role = _clean_role(role)
    chosen = _clean_projects(role, projects)
    _require(can_grant(actor, role=role, projects={p.pk for p in chosen}))
    person = User(
        username=_clean_username(username),
        name=_clean_name(name),
        phone=clean.phone(phone),
        role=role,
        company_id=chosen[0].company_id if chosen else getattr(actor, "company_id", None),
        company_wide=role in COMPANY_ROLES,
        is_active=True,
    )
    if person.company_id is None:
        raise ValidationError({"projects": [_("请选择所属项目")]})
    initial = None
    if password:
        try:
            validate_password(password, user=person)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    else:
        initial = password = one_time_password()
        person.must_change_password = True
    person.set_password(password)
    with transaction.atomic():
        person.save()
        person.projects.set(chosen)
        record(
            subject=person,
            verb="staff.created",
            actor=actor,
            at=now,
            data={
                "username": person.username,
                "role": role,
                "projects": [p.pk for p in chosen],
                "project_names": _project_names(chosen),
            },
        )
    return person, initial


#: What a change may carry; everything else is refused naming the field.
STAFF_EDITABLE = ("name", "phone", "role", "projects", "is_active")


def staff_update(
    *,
    person: User,
    actor: Any,
    now: datetime,
    changes: dict[str, Any],
    version: int | None = None,
    reason: str = "",
) -> User:
    """Change ``person``'s name, phone, role, projects (Project objects) or ``is_active``.

    ``version`` (the value last read), when given, must still be current, else ConflictError. Switching
    someone off keeps their history and open work; they can no longer log in, be assigned or be alerted.
    """
    clean.only_fields(changes, STAFF_EDITABLE)
    _require(can_manage_person(actor, person))
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        cleaned["name"] = _clean_name(changes["name"])
    if "phone" in changes:
        cleaned["phone"] = clean.phone(changes["phone"])
    if "role" in changes:
        cleaned["role"] = _clean_role(changes["role"])
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            raise ValidationError({"is_active": [_("请填写 true 或 false")]})
        cleaned["is_active"] = changes["is_active"]
    role = cleaned.get("role", person.role)
    if "projects" in changes:
        cleaned["projects"] = _clean_projects(role, changes["projects"])
    is_self = getattr(actor, "pk", None) == person.pk
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        if version is not None and locked.version != version:
            raise ConflictError(_("人员资料已被他人修改，请刷新后再试。"))
        before_projects = list(locked.projects.order_by("id"))
        after_projects = cleaned.get("projects", before_projects)
        role_changed = "role" in cleaned and cleaned["role"] != locked.role
        projects_changed = [p.pk for p in after_projects] != [p.pk for p in before_projects]
        if role_changed or projects_changed:
            if is_self:
                raise ValidationError({"role" if role_changed else "projects": [_("不能修改自己的岗位或所属项目")]})
            _require(can_grant(actor, role=role, projects={p.pk for p in after_projects}))
        if cleaned.get("is_active") is False and is_self:
            raise ValidationError({"is_active": [_("不能停用自己的账号")]})
        details = {f: cleaned[f] for f in ("name", "phone") if f in cleaned and cleaned[f] != getattr(locked, f)}
        switched = "is_active" in cleaned and cleaned["is_active"] != locked.is_active
        if not (details or role_changed or projects_changed or switched):
            return locked
        for f, value in details.items():
            setattr(locked, f, value)
        if details:
            # The phone itself is personal data: the timeline says that it changed, masked.
            shown = {f: (mask_phone(v) if f == "phone" and v else v) for f, v in details.items()}
            record(subject=locked, verb="staff.updated", actor=actor, at=now, data={"after": shown}, reason=reason)
        if role_changed:
            record(
                subject=locked,
                verb="staff.role_changed",
                actor=actor,
                at=now,
                data={"from": locked.role, "to": role},
                reason=reason,
            )
            locked.role = role
            locked.company_wide = role in COMPANY_ROLES
        if projects_changed:
            locked.projects.set(after_projects)
            if after_projects:
                locked.company_id = after_projects[0].company_id
            record(
                subject=locked,
                verb="staff.projects_changed",
                actor=actor,
                at=now,
                data={
                    "from": [p.pk for p in before_projects],
                    "to": [p.pk for p in after_projects],
                    "from_names": _project_names(before_projects),
                    "to_names": _project_names(after_projects),
                },
                reason=reason,
            )
        if switched:
            locked.is_active = cleaned["is_active"]
            if not locked.is_active:
                # An API token of a switched-off person opens nothing (the session is refused by the backend).
                Token.objects.filter(user=locked).delete()
            record(
                subject=locked,
                verb="staff.switched_on" if locked.is_active else "staff.switched_off",
                actor=actor,
                at=now,
                reason=reason,
            )
        locked.version += 1
        locked.save()
    return locked


def staff_reset_password(*, person: User, actor: Any, now: datetime, version: int | None = None) -> str:
    """A new one-time password for ``person``, returned once; they must change it at their next login.
    Their API tokens stop working. The timeline says that it was reset, never what it is."""
    _require(can_manage_person(actor, person))
    password = one_time_password()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        if version is not None and locked.version != version:
            raise ConflictError(_("人员资料已被他人修改，请刷新后再试。"))
        locked.set_password(password)
        locked.must_change_password = True
        locked.version += 1
        locked.save()
        Token.objects.filter(user=locked).delete()
        record(subject=locked, verb="staff.password_reset", actor=actor, at=now)
    return password


def staff_password_changed(*, user: User, now: datetime) -> None:
    """The person set their own password (after a one-time one): the forced change is over. The caller has
    already saved the new password (Django's PasswordChangeForm)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        record(subject=user, verb="staff.password_changed", actor=user, at=now)


def _locked_units() -> Any:
    return Unit.objects.select_for_update(of=("self",)).select_related("building")


def staff_assign_households(
    *, person: User, actor: Any, now: datetime, project: Project, units: Iterable[Unit]
) -> tuple[list[Unit], list[Unit]]:
    """O03: ``units`` of ``project`` become ``person``'s households; their other households in the project
    are left without a butler. A unit taken from another butler says so on its timeline.
    Returns (added, removed)."""
    _require(can_manage_person(actor, person))
    _require(can_grant(actor, role=person.role, projects={project.pk}))
    if person.role != Role.BUTLER or not person.is_active:
        raise ValidationError({"units": [_("只能为在职的管家分配负责户")]})
    if not person.projects.filter(pk=project.pk).exists():
        raise ValidationError({"units": [_("该管家不属于此项目")]})
    wanted = {u.pk: u for u in units}
    if any(u.project_id != project.pk for u in wanted.values()):
        raise ValidationError({"units": [_("房屋不属于该项目")]})
    with transaction.atomic():
        current = list(_locked_units().filter(project=project, butler=person))
        incoming = list(_locked_units().filter(pk__in=wanted).exclude(butler=person))
        removed = [u for u in current if u.pk not in wanted]
        for unit in removed:
            record(subject=unit, verb="unit.butler_changed", actor=actor, at=now, data={"from": person.pk, "to": None})
        for unit in incoming:
            record(
                subject=unit,
                verb="unit.butler_changed",
                actor=actor,
                at=now,
                data={"from": unit.butler_id, "to": person.pk},
            )
        Unit.objects.filter(pk__in=[u.pk for u in removed]).update(butler=None)
        Unit.objects.filter(pk__in=[u.pk for u in incoming]).update(butler=person)
        if removed or incoming:
            record(
                subject=person,
                verb="staff.households_assigned",
                actor=actor,
                at=now,
                project=project,
                data={
                    "project": project.pk,
                    "added": [str(u) for u in incoming],
                    "removed": [str(u) for u in removed],
                    "count": len(wanted),
                },
            )
    return incoming, removed
