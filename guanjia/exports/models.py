"""Exports of the case flows (S03), the record of every purge after retention (S06), and the supervisor's
monthly summaries and yearly reviews of the follow-up work (S07)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    COMPLAINTS = "complaints", _("投诉")
    REPAIRS = "repairs", _("报修")
    RETURN_VISITS = "return_visits", _("回访")
    LEDGERS = "ledgers", _("前台台账")


class JobPurpose(models.TextChoices):
    ON_DEMAND = "on_demand", _("按需导出")
    MONTHLY = "monthly", _("月度存档")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class JobError:
    """Codes at the start of ``ExportJob.error`` (the technical detail may follow a colon)."""

    CRASHED = "crashed"
    INTERRUPTED = "interrupted"


JOB_ERRORS = {
    JobError.CRASHED: _("导出出错，请重新导出；如仍失败请联系系统管理员。"),
    JobError.INTERRUPTED: _("后台导出多次中断，已停止重试，请重新导出。"),
}


def export_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.project_id}/{instance.period_start:%Y%m}/{filename}"


class ExportJob(models.Model):
    """One spreadsheet of one flow for one period: a long export run in the background (progress in
    ``rows_done`` of ``rows_total``), or the kept monthly export (``purpose`` monthly, one per project, kind
    and month)."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=ExportKind.choices)
    purpose = models.CharField(_("用途"), max_length=16, choices=JobPurpose.choices, default=JobPurpose.ON_DEMAND)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"), help_text=_("含当日"))
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已导出行数"), default=0)
    file = models.FileField(_("文件"), upload_to=export_path, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("文件大小"), default=0)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统定时导出"),
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0, help_text=_("后台开始运行的次数"))
    heartbeat_at = models.DateTimeField(
        _("最近进展"), null=True, blank=True, help_text=_("排队、开始或写出一批行的时间；久无进展的任务会被重试")
    )

    class Meta:
        verbose_name = _("导出")
        verbose_name_plural = _("导出")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "period_start"],
                condition=Q(purpose="monthly"),
                name="export_one_monthly_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def error_message(self) -> str:
        """Why a failed job failed, in the reader's language (``error`` keeps a code and the technical detail)."""
        if self.status != JobStatus.FAILED:
            return ""
        code = self.error.split(":", 1)[0].strip()
        return str(JOB_ERRORS.get(code, JOB_ERRORS[JobError.CRASHED]))

    @property
    def filename(self) -> str:
        label = {"complaints": "投诉", "repairs": "报修", "return_visits": "回访", "ledgers": "前台台账"}[self.kind]
        return f"{label}_{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.xlsx"


class RetentionKind(models.TextChoices):
    RETURN_VISITS = "return_visits", _("回访记录")
    LEDGERS = "ledgers", _("前台台账")
    COMPLAINTS = "complaints", _("投诉处理单")


class RetentionPurge(models.Model):
    """S06: one deliberate deletion of records whose retention has ended (who, when, what range, counts).
    Append-only: the record of a deletion is never changed."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=RetentionKind.choices)
    before = models.DateField(_("删除此日期之前的记录"))
    retention_days = models.PositiveIntegerField(_("保存期限(天)"))
    counts = models.JSONField(_("删除条数"), default=dict)
    reason = models.TextField(_("原因"), max_length=1000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("到期删除记录")
        verbose_name_plural = _("到期删除记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} < {self.before}"

    @property
    def total(self) -> int:
        return sum(int(v) for v in self.counts.values())


class YearlyReview(models.Model):
    """S07: the supervisor's monthly summary (``month`` 1–12) or yearly review (``month`` empty) of the
    follow-up work, with the figures as they stood when it was written."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True, help_text=_("为空表示年度回顾"))
    text = models.TextField(_("总结"), max_length=20000)
    figures = models.JSONField(_("数据快照"), default=dict)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撰写人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("撰写时间"))

    class Meta:
        verbose_name = _("回访工作总结")
        verbose_name_plural = _("回访工作总结")
        ordering = ["-year", "-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], condition=Q(month__isnull=False), name="review_one_per_month"
            ),
            models.UniqueConstraint(
                fields=["project", "year"], condition=Q(month__isnull=True), name="review_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}"
