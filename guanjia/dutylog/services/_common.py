"""The checks every write of the dutylog shares: a required value, the same project, the actor's project."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_see_project
from guanjia.accounts.models import User
from guanjia.estates.models import Project


def _require(value: Any, field: str, message: str | None = None) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message or _("请填写此项。")})


def _same_project(project: Project, field: str, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "project_id", project.pk) != project.pk:
            raise ValidationError({field: _("不属于本项目。")})


def _staff_of(project: Project, field: str, *users: User | None) -> None:
    for user in users:
        if user is not None and not can_see_project(user, project):
            raise ValidationError({field: _("该员工不在本项目。")})


def _check_actor(actor: User, project: Project) -> None:
    if not can_see_project(actor, project):
        raise PermissionDenied
