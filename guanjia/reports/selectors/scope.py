"""What a report covers: the month parameter, the user's scope (O04), and the report record. What "done",
"kept in time" and "on time" mean is declared once in ``guanjia.cases.kinds``; months are ``core.periods``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_view_company_reports, can_view_reports, project_ids, visible_projects
from guanjia.core.periods import parse_month
from guanjia.estates.models import Company, Project
from guanjia.reports.models import MonthlyReport

ProjectIds = list[int]


# --- Parameters -------------------------------------------------------------------------------------------


def report_month(raw: str | None, *, default: date | None = None) -> date:
    """The ``month`` parameter (``YYYY-MM``) → the 1st of that month; empty → ``default`` (this month).
    ValidationError names ``month``."""
    if raw is None or raw == "":
        return default or timezone.localdate().replace(day=1)
    try:
        return parse_month(raw)
    except ValueError:
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-05。")]}) from None


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: one project, or the company (``project`` None) as the user sees it."""

    project: Project | None
    company: Company | None
    projects: ProjectIds

    @property
    def is_company(self) -> bool:
        return self.project is None

    @property
    def name(self) -> str:
        if self.project is not None:
            return self.project.name
        return self.company.name if self.company is not None else _("全部项目")


def report_scope(user: Any, raw_project: Any) -> ReportScope:
    """The scope of a report request (O04). ``raw_project`` empty → the company: only company-wide staff.

    Raises ValidationError naming ``project`` for a malformed id or one the user cannot see (an outsider
    learns nothing about it), PermissionDenied for a role that does not read reports.
    """
    if raw_project in (None, "", "company"):
        if not can_view_company_reports(user):
            raise PermissionDenied(_("全公司汇总仅限公司级管理人员查看，请选择项目。"))
        company = getattr(user, "company", None)
        return ReportScope(project=None, company=company, projects=sorted(project_ids(user)))
    try:
        pk = int(str(raw_project))
    except ValueError:
        raise ValidationError({"project": [_("项目编号应为数字。")]}) from None
    project = visible_projects(user).select_related("company").filter(pk=pk).first()
    if project is None:
        raise ValidationError({"project": [_("项目不存在或无权查看。")]})
    if not can_view_reports(user, project):
        raise PermissionDenied(_("您的岗位无权查看统计报表。"))
    return ReportScope(project=project, company=project.company, projects=[project.pk])


# --- Shared helpers --------------------------------------------------------------------------------------


def _ids(projects: Iterable[Project | int]) -> ProjectIds:
    return [p if isinstance(p, int) else p.pk for p in projects]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- The report record ----------------------------------------------------------------------------------------


def report_for(scope: ReportScope, month: date) -> MonthlyReport | None:
    """The draft or sent report of ``scope`` for ``month``, if one was started."""
    rows = MonthlyReport._default_manager.select_related("sent_by", "updated_by")
    if scope.project is not None:
        return rows.filter(project=scope.project, month=month).first()
    if scope.company is None:
        return None
    return rows.filter(company=scope.company, project__isnull=True, month=month).first()
