"""The monthly report as sent (S01, S02): the supervisor's written analysis, who sent it when and to whom, and
the figures frozen at that moment. The figures themselves are never stored otherwise: they are computed from
the cases by ``guanjia.reports.selectors`` whenever a page or the API asks."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanjia.core.periods import Period


class MonthlyReport(models.Model):
    """One month's report of one project, or of the whole company when ``project`` is empty.

    A draft holds the analysis while the supervisor writes it; sending freezes it: ``figures`` keeps the
    numbers and lists exactly as they were sent, so later corrections to cases do not change a sent report.
    """

    company = models.ForeignKey("estates.Company", verbose_name=_("公司"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "estates.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monthly_reports",
        help_text=_("为空表示全公司汇总"),
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    analysis = models.TextField(_("分析说明"), max_length=10000, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipients = models.JSONField(_("接收人"), default=list, blank=True, help_text=_("[{id, name, role}]"))
    figures = models.JSONField(_("发送时的数据"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("月度统计分析")
        verbose_name_plural = _("月度统计分析")
        ordering = ["-month", "project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"], condition=Q(project__isnull=False), name="monthly_report_one_per_project"
            ),
            models.UniqueConstraint(
                fields=["company", "month"], condition=Q(project__isnull=True), name="monthly_report_one_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.project or self.company}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def due_date(self) -> date:
        """S01: compiled and sent by the 30th (the last day of a shorter month)."""
        return report_due_date(self.month)

    @property
    def is_late(self) -> bool:
        """Sent after the 30th (S01)."""
        return self.sent_at is not None and timezone.localdate(self.sent_at) > self.due_date


def report_due_date(month: date) -> date:
    return month.replace(day=min(30, Period.month_of(month).end.day))
