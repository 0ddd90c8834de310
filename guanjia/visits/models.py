"""Return visits (回访, V01–V03). Minimal for now: the visit planned when a case is completed, with its due
time, visitor role and status. The visits issue adds recording, review and the pages."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    INCIDENT = "incident", _("重大事件")
    COMPLAINT = "complaint", _("投诉")
    REPAIR = "repair", _("工程维修")
    SPECIAL_SERVICE = "special_service", _("特约服务")
    ACTIVITY = "activity", _("小区活动")
    OTHER = "other", _("其他服务")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("待回访")
    DONE = "done", _("已回访")
    MISSED = "missed", _("逾期未回访")


class ReturnVisit(models.Model):
    """One planned return visit of one completed case (V01). At most one per case."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="return_visits"
    )
    case_type = models.CharField(_("类别"), max_length=20, choices=CaseType.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField(_("回访期限"), null=True, blank=True, help_text=_("特约服务按协议期确定"))
    visitor_role = models.CharField(_("回访人岗位"), max_length=32)
    on_site_required = models.BooleanField(_("须上门回访"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    planned_at = models.DateTimeField(_("计划时间"))

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["project", "status", "due_at"], name="visit_proj_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="visit_one_per_case"),
        ]

    def __str__(self) -> str:
        return f"{CaseType(self.case_type).label} #{self.object_id}"
