"""Writes of the monthly report (S01, S02): the supervisor's analysis, and sending the report on — which
records who sent it when and to whom, freezes the figures as sent, and tells the CS supervisor and the office
manager."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_send_report
from guanjia.accounts.models import Role, User
from guanjia.core.errors import ConflictError
from guanjia.notifications.services import notify
from guanjia.reports.models import MonthlyReport
from guanjia.reports.selectors import ReportScope, month_end_lists, monthly_figures
from guanjia.timeline.services import record

#: S01: the report goes to the CS supervisor and the office manager.
RECIPIENT_ROLES = (Role.CS_SUPERVISOR, Role.OFFICE_MANAGER)
ANALYSIS_MAX = 10000


def _check(scope: ReportScope, month: date, actor: Any, now: datetime) -> None:
    if not can_send_report(actor, scope.project):
        raise PermissionError("role may not write or send the monthly report")
    if scope.company is None:
        raise ValidationError({"project": [_("请选择项目或所属公司。")]})
    if month > timezone.localdate(now).replace(day=1):
        raise ValidationError({"month": [_("不能编写尚未开始的月份的报表。")]})


def _clean_analysis(analysis: Any) -> str:
    text = str(analysis or "").strip()
    if len(text) > ANALYSIS_MAX:
        raise ValidationError({"analysis": [_("分析说明不能超过 %(n)s 字。") % {"n": ANALYSIS_MAX}]})
    return text


def _locked_report(scope: ReportScope, month: date) -> MonthlyReport:
    """The report row of ``scope`` and ``month``, created as a draft if needed, locked. Caller is atomic."""
    assert scope.company is not None
    report, _created = MonthlyReport._default_manager.get_or_create(
        project=scope.project, company=scope.company, month=month
    )
    return MonthlyReport._default_manager.select_for_update().get(pk=report.pk)


def _refuse_if_sent(report: MonthlyReport) -> None:
    if report.sent_at is not None:
        sent_at = timezone.localtime(report.sent_at)
        raise ConflictError(
            _("本月报表已于 %(at)s 由 %(who)s 发送，不能再修改。")
            % {"at": f"{sent_at:%Y-%m-%d %H:%M}", "who": report.sent_by or ""}
        )


def monthly_report_save(
    *, scope: ReportScope, month: date, analysis: Any, actor: Any, now: datetime | None = None
) -> MonthlyReport:
    """S02: save the supervisor's written analysis of ``month`` as a draft (the report is not sent)."""
    now = now or timezone.now()
    _check(scope, month, actor, now)
    text = _clean_analysis(analysis)
    with transaction.atomic():
        report = _locked_report(scope, month)
        _refuse_if_sent(report)
        report.analysis, report.updated_at, report.updated_by = text, now, actor
        report.version += 1
        report.save(update_fields=["analysis", "updated_at", "updated_by", "version"])
        record(subject=report, verb="report.analysis_saved", actor=actor, data={"month": f"{month:%Y-%m}"}, at=now)
    return report


def report_recipients(scope: ReportScope) -> list[User]:
    """S01: the CS supervisors and office managers of the report's projects (company-wide ones included)."""
    company_id = scope.company.pk if scope.company is not None else None
    people = User.objects.filter(is_active=True, role__in=RECIPIENT_ROLES).filter(
        Q(projects__in=scope.projects) | Q(company_wide=True, company_id=company_id)
    )
    return list(people.distinct().order_by("id"))


def monthly_report_send(
    *, scope: ReportScope, month: date, actor: Any, analysis: Any = None, now: datetime | None = None
) -> MonthlyReport:
    """S01, S02: send the month's report on. Records who sent it and when, and to whom; freezes the figures
    and the month-end lists as they are now (``MonthlyReport.figures``); tells each recipient (the CS
    supervisor and the office manager) in the inbox. ``analysis``, when given, replaces the draft's text.
    A report is sent once: sending again is a ConflictError (409)."""
    now = now or timezone.now()
    _check(scope, month, actor, now)
    text = None if analysis is None else _clean_analysis(analysis)
    with transaction.atomic():
        report = _locked_report(scope, month)
        _refuse_if_sent(report)
        if text is not None:
            report.analysis = text
        people = [u for u in report_recipients(scope) if u.pk != getattr(actor, "pk", None)]
        figures = monthly_figures(projects=scope.projects, month=month)
        figures["lists"] = month_end_lists(projects=scope.projects, month=month)
        report.figures = figures
        report.sent_at, report.sent_by = now, actor
        report.recipients = [{"id": u.pk, "name": u.display_name, "role": u.role} for u in people]
        report.updated_at, report.updated_by = now, actor
        report.version += 1
        report.save()
        record(
            subject=report,
            verb="report.sent",
            actor=actor,
            data={"month": f"{month:%Y-%m}", "recipients": [u.pk for u in people], "late": report.is_late},
            at=now,
        )
        query = f"?month={month:%Y-%m}&project={scope.project.pk if scope.project else 'company'}"
        notify(
            recipients=people,
            kind="report.monthly",
            title=_("%(name)s %(month)s 客户服务信息统计分析已发送") % {"name": scope.name, "month": f"{month:%Y-%m}"},
            body=report.analysis[:500],
            url=reverse("reports:monthly") + query,
            project=scope.project,
            dedupe_key=f"report-monthly-{report.pk}",
        )
    return report
