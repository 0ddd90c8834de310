"""What a report covers and the expressions every report shares: the month parameter, the user's scope
(O04), the definitions of "kept in time" and "repair on time", and the report record."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_view_company_reports, can_view_reports, project_ids, visible_projects
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.models import ComplaintStatus
from guanjia.estates.models import Company, Project
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.reports.models import MonthlyReport
from guanjia.visits.models import VisitStatus

ProjectIds = list[int]

#: Complaint statuses that count as handled (处理完毕) for the handling rate.
COMPLAINT_DONE = (ComplaintStatus.COMPLETED, ComplaintStatus.CLOSED)
#: Repair statuses that count as completed: the same as ``repairs.selectors.repair_timeliness``.
REPAIR_DONE = (RepairStatus.COMPLETED, RepairStatus.RETURNED, RepairStatus.CLOSED)
VISIT_CANCELLED = VisitStatus.CANCELLED
VISIT_DONE = VisitStatus.DONE


# --- Parameters -------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def parse_month(raw: str | None, *, default: date | None = None) -> date:
    """``YYYY-MM`` → the 1st of that month; empty → ``default`` (this month). ValidationError names ``month``."""
    if raw is None or raw == "":
        return default or timezone.localdate().replace(day=1)
    match = _MONTH.match(raw.strip())
    if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-05。")]})
    return date(int(match[1]), int(match[2]), 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


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


# --- Shared expressions ----------------------------------------------------------------------------------


def _ids(projects: Iterable[Project | int]) -> ProjectIds:
    return [p if isinstance(p, int) else p.pk for p in projects]


def _limits(model: type[models.Model], kind: str) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), kind=kind
    ).exclude(state=DeadlineState.CANCELLED)


def _kept_in_time(model: type[models.Model], kind: str) -> Q:
    """The case's ``kind`` limits (replaced ones aside) were all kept on time: at least one was met with
    ``met_at <= due_at`` and none was missed or met late."""
    limits = _limits(model, kind)
    kept = limits.filter(met_at__isnull=False, met_at__lte=F("due_at"))
    broken = limits.filter(Q(state=DeadlineState.MISSED) | Q(met_at__gt=F("due_at")))
    return Q(Exists(kept)) & ~Q(Exists(broken))


def _repair_on_time() -> Q:
    """维修及时率's definition (``repairs.selectors.repair_timeliness``): completed, and none of its limits
    (order, notify, assess, arrive) missed."""
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Repair), subject_id=OuterRef("pk"), state=DeadlineState.MISSED
    )
    return Q(status__in=REPAIR_DONE) & ~Q(Exists(missed))


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
