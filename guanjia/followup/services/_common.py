"""Helpers the follow-up services share: day arithmetic (months: ``core.periods``), who is told, checks on people."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import FOLLOWUP_ROLES, can_follow_up, can_see_project, can_supervise_followup, has_role
from guanjia.accounts.models import Role, User
from guanjia.core import clean
from guanjia.estates.models import Project
from guanjia.notifications.selectors import StaffOfProjects, staff_with_roles
from guanjia.workdays.deadlines import end_of_days, local_day


def start_of(day: date) -> datetime:
    """00:00 local of ``day``."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def end_of(day: date) -> datetime:
    """24:00 of ``day`` (as 00:00 of the next day, as ``workdays.deadlines`` represents it)."""
    return end_of_days(start_of(day), 0)


def within_days(at: datetime, n: int) -> datetime:
    """ "Within n days" of ``at``: 24:00 of the n-th day after its local day (V04)."""
    return end_of_days(at, n)


def today(now: datetime) -> date:
    return local_day(now)


def days_after(day: date, n: int) -> date:
    return day + timedelta(days=n)


def require_follow_up(user: Any, project: Project | int) -> None:
    if not can_follow_up(user, project):
        raise PermissionDenied(_("您的岗位无权执行此操作。"))


def require_supervisor(user: Any, project: Project | int) -> None:
    if not can_supervise_followup(user, project):
        raise PermissionDenied(_("只有客服主管及以上可以执行此操作。"))


def check_worker(user: Any, project: Project, field: str) -> None:
    """``user`` can be given follow-up work in ``project``: active, of the project, of a follow-up role."""
    if user is None or not user.is_active or not can_see_project(user, project) or not has_role(user, FOLLOWUP_ROLES):
        raise ValidationError({field: [_("请选择本项目负责跟踪服务的员工")]})


def required_text(value: Any, field: str, message: str, max_length: int | None = None) -> str:
    return clean.text(value, field, required=True, required_message=message, max_length=max_length)


def supervisors(project: Project, staff: Callable[[Project, list[str]], list[User]] | None = None) -> list[User]:
    """Whom T03 reports reach: the CS supervisors, or the office manager where there is none (looked up through
    ``staff``, a ``StaffOfProjects`` of a sweep batch, when given)."""
    lookup = staff or (lambda where, roles: list(staff_with_roles(where, roles)))
    return lookup(project, [Role.CS_SUPERVISOR]) or lookup(project, [Role.OFFICE_MANAGER])


class SupervisorsOf:
    """``supervisors(project)`` for a sweep batch: the staff of all its projects read at once
    (``StaffOfProjects``), not once per project or deadline."""

    def __init__(self, projects: Iterable[Project]) -> None:
        self._staff = StaffOfProjects(projects)

    def __call__(self, project: Project) -> list[User]:
        return supervisors(project, self._staff)
