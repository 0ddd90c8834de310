"""Prospects graded A–D and followed up by grade (T06)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass

_user = settings.AUTH_USER_MODEL


# --- T06 leads --------------------------------------------------------------------------------------------------


class LeadGrade(models.TextChoices):
    A = "A", _("A 很有希望")
    B = "B", _("B 有希望")
    C = "C", _("C 一般")
    D = "D", _("D 希望不大")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("跟进中")
    WON = "won", _("已成交")
    LOST = "lost", _("已放弃")


class LeadChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    WECHAT = "wechat", _("微信")
    OTHER = "other", _("其他")


class LeadCadence(models.Model):
    """How often a lead of a grade is followed up. ``project`` null: the product default for every project."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grade = models.CharField(_("等级"), max_length=1, choices=LeadGrade.choices)
    every_days = models.PositiveSmallIntegerField(_("跟进间隔（天）"))

    class Meta:
        verbose_name = _("客户追踪频率")
        verbose_name_plural = _("客户追踪频率")
        constraints = [
            models.UniqueConstraint(fields=["project", "grade"], name="fu_cadence_unique"),
            models.UniqueConstraint(
                fields=["grade"], condition=Q(project__isnull=True), name="fu_cadence_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.every_days}"


class Lead(models.Model):
    """A prospect received by sales (客户资料表, T06)."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_leads"
    )
    name = models.CharField(_("客户姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    source = models.CharField(_("来源渠道"), max_length=100, blank=True)
    needs = models.TextField(_("对产品的要求"), blank=True)
    reason = models.TextField(_("成交或未成交原因"), blank=True)
    grade = models.CharField(_("等级"), max_length=1, choices=LeadGrade.choices)
    status = models.CharField(_("状态"), max_length=8, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    owner = models.ForeignKey(_user, verbose_name=_("销售人员"), on_delete=models.PROTECT, related_name="+")
    last_contact_at = models.DateTimeField(_("最近联系"))
    next_due_at = models.DateTimeField(_("下次跟进"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("意向客户")
        verbose_name_plural = _("意向客户")
        ordering = ["next_due_at", "id"]
        indexes = [models.Index(fields=["project", "status", "next_due_at"], name="fu_lead_proj_due")]

    def __str__(self) -> str:
        return self.name

    def is_due(self, now: datetime) -> bool:
        return self.status == LeadStatus.OPEN and self.next_due_at is not None and self.next_due_at <= now


class LeadContact(models.Model):
    """One contact with a lead (每一次追踪情况详细记录在案)."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    lead_id: int

    lead = models.ForeignKey(Lead, verbose_name=_("意向客户"), on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField(_("时间"))
    channel = models.CharField(_("方式"), max_length=20, choices=LeadChannel.choices, default=LeadChannel.PHONE)
    notes = models.TextField(_("情况"))
    grade_before = models.CharField(_("原等级"), max_length=1, choices=LeadGrade.choices)
    grade_after = models.CharField(_("新等级"), max_length=1, choices=LeadGrade.choices)
    by = models.ForeignKey(_user, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("追踪记录")
        verbose_name_plural = _("追踪记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.lead_id}"
