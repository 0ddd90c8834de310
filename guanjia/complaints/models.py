"""Complaints (C01–C20): the case, the incident that groups complaints about one event, the incoming-mail
register of written complaints, and the customer's signature on the opinion form.

The grade is computed by ``guanjia.complaints.grading`` from the facts stored here; deadlines live in
``cases.Deadline`` (kinds "response", "escalate", "resolve", "next_reply"); every change is a timeline event.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanjia.cases.models import Case, Department, next_due_index
from guanjia.complaints.grading import Grade, GradeFacts, Injury
from guanjia.core.evidence import SignedImage


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("书面")
    ONLINE = "online", _("网络")
    WECHAT = "wechat", _("微信")
    OTHER = "other", _("其他")


class Nature(models.TextChoices):
    UNDETERMINED = "undetermined", _("待定")
    VALID = "valid", _("有效投诉")
    INVALID = "invalid", _("无效投诉")


class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    DISPATCHED = "dispatched", _("已派单")
    ACKNOWLEDGED = "acknowledged", _("已签收处理中")
    COMPLETED = "completed", _("已完成")
    CLOSED = "closed", _("已关闭")


class GroupMeasure(models.TextChoices):
    """C19: how a group complaint or an issue of common concern was answered."""

    MEETING = "meeting", _("召开座谈会")
    PUBLIC_NOTICE = "public_notice", _("公告处理结果")


class InformMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    WRITTEN = "written", _("书面")
    OTHER = "other", _("其他")


OPEN_STATUSES = (ComplaintStatus.REGISTERED, ComplaintStatus.DISPATCHED, ComplaintStatus.ACKNOWLEDGED)


class Incident(models.Model):
    """An event that several complaints are about (C12). Its customer count drives C06."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="incidents"
    )
    title = models.CharField(_("事件名称"), max_length=100)
    building = models.ForeignKey(
        "estates.Building", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("地点/设施"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建立人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("投诉事件")
        verbose_name_plural = _("投诉事件")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Complaint(Case):
    CASE_TYPE = "complaint"
    NUMBER_PREFIX = "TS"
    ALLOWED_TRANSITIONS = {
        ComplaintStatus.REGISTERED: frozenset({ComplaintStatus.DISPATCHED, ComplaintStatus.COMPLETED}),
        ComplaintStatus.DISPATCHED: frozenset({ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.COMPLETED}),
        ComplaintStatus.ACKNOWLEDGED: frozenset({ComplaintStatus.COMPLETED}),
        ComplaintStatus.COMPLETED: frozenset({ComplaintStatus.CLOSED}),
    }

    status = models.CharField(
        _("状态"), max_length=24, choices=ComplaintStatus.choices, default=ComplaintStatus.REGISTERED
    )
    # --- What the customer said (C02); never overwritten: corrections are timeline events -----------------
    channel = models.CharField(_("投诉方式"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("投诉内容"), max_length=5000)
    location = models.CharField(_("发生地点"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    against_department = models.CharField(
        _("被投诉部门"), max_length=20, choices=Department.choices, default=Department.OTHER
    )
    against_person = models.CharField(_("被投诉人"), max_length=50, blank=True)
    customer_request = models.TextField(_("客户要求"), max_length=2000, blank=True)
    requested_deadline = models.DateTimeField(_("客户要求期限"), null=True, blank=True)
    incident = models.ForeignKey(
        Incident, verbose_name=_("所属事件"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    # --- Facts that drive the grade (C05–C08) ------------------------------------------------------------
    economic_loss_yuan = models.DecimalField(
        _("经济损失(元)"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    injury = models.CharField(_("人身伤害"), max_length=10, choices=Injury.choices, default=Injury.NONE)
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    media_days = models.PositiveSmallIntegerField(_("负面报道天数"), default=0)
    media_outlets = models.PositiveSmallIntegerField(_("报道媒体家数"), default=0)
    to_authorities = models.BooleanField(_("向上级主管部门投诉"), default=False)
    repeat_count = models.PositiveSmallIntegerField(
        _("此前反映未解决次数"), default=0, help_text=_("本次之前同一事项已提出而未解决的次数")
    )
    mishandled_count = models.PositiveSmallIntegerField(_("处理不当次数"), default=0)
    # --- Nature and grade (C04, C10) ---------------------------------------------------------------------
    nature = models.CharField(_("投诉性质"), max_length=16, choices=Nature.choices, default=Nature.UNDETERMINED)
    nature_referred = models.BooleanField(_("已提请主管/经理判定"), default=False)
    computed_grade = models.CharField(_("按规则定级"), max_length=16, choices=Grade.choices, default=Grade.GENERAL)
    grade = models.CharField(_("投诉级别"), max_length=16, choices=Grade.choices, default=Grade.GENERAL)
    grade_reasons = models.JSONField(_("定级依据"), default=list, blank=True)
    escalate_to = models.CharField(_("上报对象"), max_length=32, blank=True)
    # --- Handling (C13–C19) ------------------------------------------------------------------------------
    entered_late = models.BooleanField(
        _("事后补录"), default=False, help_text=_("纸质单事后录入：已过的时限记为超时，但不自动升级")
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_reply_at = models.DateTimeField(_("约定下次回复时间"), null=True, blank=True)
    special_service = models.BooleanField(_("特约服务投诉"), default=False)
    result = models.TextField(_("处理结果"), max_length=5000, blank=True)
    settled_on_the_spot = models.BooleanField(
        _("当场解决"), default=False, help_text=_("首问责任人即时处理完成，未派单 (C15)")
    )
    customer_informed_at = models.DateTimeField(_("告知客户时间"), null=True, blank=True)
    customer_informed_method = models.CharField(_("告知方式"), max_length=16, choices=InformMethod.choices, blank=True)
    group_measure = models.CharField(_("集体投诉处理方式"), max_length=16, choices=GroupMeasure.choices, blank=True)
    group_measure_at = models.DateTimeField(_("座谈/公告时间"), null=True, blank=True)
    group_measure_note = models.TextField(_("座谈/公告说明"), max_length=2000, blank=True)

    class Meta(Case.Meta):
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [
            models.Index(fields=["project", "status"], name="complaint_proj_status"),
            models.Index(fields=["project", "received_at"], name="complaint_proj_recv"),
            next_due_index("complaint", OPEN_STATUSES),
        ]

    def facts(self, *, customers_in_incident: int = 1) -> GradeFacts:
        """The facts of C05–C11 as the grade calculator takes them."""
        return GradeFacts(
            economic_loss_yuan=self.economic_loss_yuan,
            customers_in_incident=customers_in_incident,
            deaths=self.deaths,
            injury=self.injury,
            media_days=self.media_days,
            media_outlets=self.media_outlets,
            to_authorities=self.to_authorities,
            repeat_count=self.repeat_count,
            mishandled_steps=self.mishandled_count,
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class BoardStamp(models.Model):
    """A project's board stamp: a number the database raises in the transaction of every complaint row written in
    the project (inserted, updated by any path, deleted), by a trigger (migration 0006), so an unchanged stamp
    means no complaint of the project changed. On PostgreSQL the trigger is deferred to COMMIT, so concurrent
    registrations in one estate wait for each other's stamp only while they commit.

    No foreign key: a stamp outlives nothing it could block (a project deleted with its complaints)."""

    project_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("看板版本")
        verbose_name_plural = _("看板版本")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.version}"


class MailEntry(models.Model):
    """收文登记簿 (C17): a written complaint as it arrived, routed to the office manager and CS supervisor,
    and the written reply."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    complaint = models.OneToOneField(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="mail_entry"
    )
    received_at = models.DateTimeField(_("收文时间"))
    sender = models.CharField(_("来文人"), max_length=100)
    subject = models.CharField(_("来文事由"), max_length=200)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    routed_to = models.CharField(_("呈送"), max_length=100, default="管理处经理、客服主管")
    reply_text = models.TextField(_("书面回复"), max_length=5000, blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("收文登记")
        verbose_name_plural = _("收文登记簿")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


def signature_path(instance: ComplaintSignature, filename: str) -> str:
    return f"signatures/complaints/{instance.complaint_id}/{instance.sha256[:16]}.png"


class ComplaintSignature(SignedImage):
    """The customer's signature on the opinion form (客户意见受理表, C20). Append-only: a signature is never
    replaced or deleted; signing again adds another row."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="signatures"
    )
    opinion = models.TextField(_("客户意见"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("客户签名")
        verbose_name_plural = _("客户签名")
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.signed_at:%Y-%m-%d %H:%M}"

    def file_path(self, filename: str) -> str:
        return signature_path(self, filename)
