"""Return visits (回访, V01–V08), household visits (走访, V09) and the service records visited besides
complaints and repairs (special services, community activities, other services).

Reports (issue 7) read these models; the fields listed in the shared contract keep their names and meaning:
``done_at`` (on time ⇔ ``done_at <= due_at``), ``method``, ``visitor``, ``customer``, ``satisfaction`` (1–5),
``unsatisfied`` (stored: satisfaction ≤ 2), the V05 texts, the V06 review and ``rectification``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanjia.core.evidence import SignedImage


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
    CANCELLED = "cancelled", _("已取消")


class Method(models.TextChoices):
    """V03."""

    PHONE = "phone", _("电话回访")
    ON_SITE = "on_site", _("上门回访")
    OTHER = "other", _("其他方式")


class Satisfaction(models.IntegerChoices):
    """V05: five levels; 2 and below is an unsatisfied (unqualified) visit (V06)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, pgettext_lazy("satisfaction", "一般")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


#: V06: a satisfaction at or below this is an unqualified visit.
UNSATISFIED_AT_MOST = 2


class Outcome(models.TextChoices):
    """The outcome of one phone attempt."""

    REACHED = "reached", _("已接通")
    NO_ANSWER = "no_answer", _("无人接听")
    REFUSED = "refused", _("拒绝回访")
    WRONG_NUMBER = "wrong_number", _("号码错误")


class ReviewDecision(models.TextChoices):
    """V06: what the CS supervisor decides on a reviewed visit."""

    ACCEPTED = "accepted", _("审核通过")
    RECTIFY = "rectify", _("整改")


class ReturnVisit(models.Model):
    """One planned return visit of one completed case (V01): one per case, except a community activity, which
    gets one per sampled participant."""

    #: A visit is made or cancelled while open (planned, or flagged missed by the sweep); then it stays so.
    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        VisitStatus.PLANNED: frozenset({VisitStatus.DONE, VisitStatus.MISSED, VisitStatus.CANCELLED}),
        VisitStatus.MISSED: frozenset({VisitStatus.DONE, VisitStatus.CANCELLED}),
    }

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="return_visits"
    )
    case_type = models.CharField(_("类别"), max_length=20, choices=CaseType.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    grade = models.CharField(_("投诉级别"), max_length=16, null=True, blank=True, help_text=_("计划时投诉的级别"))
    due_at = models.DateTimeField(_("回访期限"), null=True, blank=True, help_text=_("特约服务按协议期确定"))
    visitor_role = models.CharField(_("回访人岗位"), max_length=32)
    on_site_required = models.BooleanField(_("须上门回访"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    planned_at = models.DateTimeField(_("计划时间"))
    customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The result (V05)
    method = models.CharField(_("回访方式"), max_length=16, choices=Method.choices, blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits_made",
    )
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True, choices=Satisfaction.choices)
    unsatisfied = models.BooleanField(_("不合格回访"), default=False, help_text=_("满意度为不满意或非常不满意"))
    quality = models.TextField(_("服务质量"), blank=True)
    effect = models.TextField(_("服务效果"), blank=True)
    shortfalls = models.TextField(_("缺陷与不足"), blank=True)
    suggestions = models.TextField(_("意见和建议"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    # The customer's signature on an on-site visit (V03) is evidence of its own: ``VisitSignature``.
    # Phone attempts that did not reach the customer (V03)
    attempts_count = models.PositiveSmallIntegerField(_("未接通次数"), default=0)
    retry_at = models.DateTimeField(_("再次回访时间"), null=True, blank=True)
    # The supervisor's review (V06)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    review_decision = models.CharField(_("审核结论"), max_length=16, choices=ReviewDecision.choices, blank=True)
    reported_to_gm_at = models.DateTimeField(_("报总经理时间"), null=True, blank=True)
    rectification = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("整改投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifies_visits",
    )
    rectify_by = models.DateTimeField(_("整改期限"), null=True, blank=True)
    # V07: the visit was still open 3 days after its plan; the desk goes to the door.
    door_followup_at = models.DateTimeField(_("上门跟进任务时间"), null=True, blank=True)
    door_followup_done_at = models.DateTimeField(_("上门跟进完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["project", "status", "due_at"], name="visit_proj_status_due"),
            models.Index(fields=["project", "due_at"], name="visit_proj_due"),  # the month's visits, any status
            models.Index(fields=["project", "done_at"], name="visit_proj_done"),
            models.Index(fields=["visitor", "done_at"], name="visit_visitor_done"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=~Q(case_type="activity"),
                name="visit_one_per_case",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "customer"],
                condition=Q(case_type="activity"),
                name="visit_one_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="visit_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{CaseType(self.case_type).label} #{self.object_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (VisitStatus.PLANNED, VisitStatus.MISSED)

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None or self.due_at is None:
            return None
        return self.done_at <= self.due_at

    @property
    def awaiting_review(self) -> bool:
        return self.status == VisitStatus.DONE and self.unsatisfied and self.reviewed_at is None


class VisitAttempt(models.Model):
    """One try at a visit, kept whatever its outcome (a phone call not answered, a refusal, the visit itself)."""

    visit = models.ForeignKey(ReturnVisit, verbose_name=_("回访"), on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, default=Outcome.REACHED)
    notes = models.TextField(_("备注"), blank=True)
    retry_at = models.DateTimeField(_("再次回访时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["visit_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.at:%Y-%m-%d %H:%M} {self.outcome}"


class VisitSignature(SignedImage):
    """V03: the customer's signature on an on-site visit, drawn when the visit is made. Append-only and one per
    visit: once signed, it is never replaced or deleted (a visit is made once)."""

    visit = models.OneToOneField(
        ReturnVisit, verbose_name=_("回访"), on_delete=models.PROTECT, related_name="signature"
    )

    class Meta:
        verbose_name = _("客户签名")
        verbose_name_plural = _("客户签名")
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.signed_at:%Y-%m-%d %H:%M}"

    def file_path(self, filename: str) -> str:
        return f"signatures/visits/{self.visit_id}-{self.sha256[:16]}.png"


class ServiceKind(models.TextChoices):
    SPECIAL_SERVICE = "special_service", _("特约服务")
    ACTIVITY = "activity", _("小区活动")
    OTHER = "other", _("其他服务")


class ServiceRecord(models.Model):
    """A completed service other than a complaint or repair that must be visited (V01): a special (paid,
    contracted) service, a community activity with its participants, or another service."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="service_records"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ServiceKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement_start = models.DateField(_("协议开始"), null=True, blank=True)
    agreement_end = models.DateField(_("协议结束"), null=True, blank=True)
    participants: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "estates.Customer", verbose_name=_("参加者"), blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-completed_at", "id"]

    def __str__(self) -> str:
        return self.title


class HouseholdVisitCampaign(models.Model):
    """V09: one half-year round of household visits (走访) of an area; every household of it is listed."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="household_campaigns"
    )
    name = models.CharField(_("名称"), max_length=100)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    target_coverage = models.PositiveSmallIntegerField(_("目标走访率(%)"), default=98)
    buildings: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "estates.Building", verbose_name=_("楼栋"), blank=True, related_name="+", help_text=_("为空表示全部楼栋")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.name


class HouseholdVisit(models.Model):
    """One household of a campaign; ``visited_at`` is set when it has been visited."""

    campaign = models.ForeignKey(
        HouseholdVisitCampaign, verbose_name=_("走访计划"), on_delete=models.CASCADE, related_name="households"
    )
    unit = models.ForeignKey("estates.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("接待人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("走访情况"), blank=True)
    issues_raised = models.TextField(_("提出的问题"), blank=True)

    class Meta:
        verbose_name = _("走访户")
        verbose_name_plural = _("走访户")
        ordering = ["campaign_id", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="household_visit_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.unit_id}"


class HouseholdIssue(models.Model):
    """V09: an issue a household raised, turned into a complaint or a repair and tracked until handled."""

    household = models.ForeignKey(
        HouseholdVisit, verbose_name=_("走访户"), on_delete=models.CASCADE, related_name="issues"
    )
    description = models.TextField(_("问题"))
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    repair = models.ForeignKey(
        "repairs.Repair", verbose_name=_("报修"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("走访问题")
        verbose_name_plural = _("走访问题")
        ordering = ["household_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(complaint__isnull=False) | Q(repair__isnull=False), name="household_issue_has_case"
            )
        ]

    def __str__(self) -> str:
        return self.description[:30]
