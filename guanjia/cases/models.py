"""What complaints and repairs share: the case record, its number, dispatch and its tracked time limits.

``Case`` is abstract: ``complaints.Complaint`` and ``repairs.Repair`` each add their own status choices,
allowed-transitions map and facts. ``Deadline`` is concrete and generic (it points at any subject through
a content type), so one sweep serves every kind of time limit of every kind of case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanjia.core.states import can_transition


class Department(models.TextChoices):
    """The departments a case is dispatched to (and, for complaints, complained about)."""

    ENGINEERING = "engineering", _("工程部")
    SECURITY = "security", _("秩序部")
    ENVIRONMENT = "environment", _("环境部")
    CUSTOMER_SERVICE = "customer_service", _("客服中心")
    OTHER = "other", _("其他")


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("进行中")
    MET = "met", _("按时完成")
    MISSED = "missed", _("已超时")
    CANCELLED = "cancelled", _("已取消")


#: Display names of the kinds of deadline used by complaints (C13, C16) and repairs (R02–R05), return visits.
DEADLINE_KIND_LABELS: dict[str, Any] = {
    "response": _("响应"),
    "escalate": _("上报"),
    "resolve": _("处理完成"),
    "next_reply": _("约定回复"),
    "inform": _("当日告知结果"),
    "order": _("开派工单"),
    "notify": _("通知部门"),
    "arrive": _("到场"),
    "assess": _("评估报价"),
    "visit": _("回访"),
}


class Deadline(models.Model):
    """One tracked time limit of one subject (usually a case). Rows are never deleted: a replaced limit
    stays as ``cancelled``, so the history of what was promised, kept and missed is complete.

    ``fired`` tells whether the automatic action for a missed limit ran. A limit that had already passed
    when its case was entered after the fact (a paper form typed in later, C11) is created ``missed`` with
    ``fired=False``: it counts as missed in the reports but alerts no one — until a step recorded with a time
    before its due meets it (``cases.services.deadline_meet``: a limit is judged by the times of its steps).
    """

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="deadlines"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("类别"), max_length=32)
    due_at = models.DateTimeField(_("期限"))
    remind_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=DeadlineState.choices, default=DeadlineState.PENDING)
    created_at = models.DateTimeField(_("设定时间"), default=timezone.now)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    late = models.BooleanField(_("超时完成"), default=False)
    missed_at = models.DateTimeField(_("记为超时的时间"), null=True, blank=True)
    fired = models.BooleanField(_("已自动处理"), default=False, help_text=_("超时后的自动处理（提醒、上报）已执行"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理失败次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    data = models.JSONField(_("参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="deadline_sweep_due"),
            models.Index(fields=["state", "remind_at"], name="deadline_sweep_remind"),
            models.Index(fields=["subject_type", "subject_id", "kind"], name="deadline_subject"),
            models.Index(fields=["project", "due_at"], name="deadline_project_due"),
        ]
        constraints = [
            # At most one open limit of a kind per subject: setting a new one replaces (cancels) the old.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=Q(state="pending"),
                name="deadline_one_pending_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        return str(DEADLINE_KIND_LABELS.get(self.kind, self.kind))

    @property
    def met_on_time(self) -> bool:
        return self.met_at is not None and self.met_at <= self.due_at

    def is_overdue(self, now: datetime) -> bool:
        """Past its limit and not met: pending past due (the sweep has not run yet) or missed."""
        if self.state == DeadlineState.PENDING:
            return self.due_at <= now
        return self.state == DeadlineState.MISSED and self.met_at is None


class CaseCounter(models.Model):
    """The last number given out per prefix and day; the row is locked while a number is taken."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%y%m%d}:{self.last}"


def next_due_index(case_type: str, open_statuses: tuple[str, ...]) -> models.Index:
    """For a subclass's ``Meta.indexes``: its open cases per project, the one due next first (ties by receipt),
    as boards read them. Partial on the kind's open statuses, so it grows with the open work, not the archive."""
    fields = ["project", "next_due_at", "received_at", "id"]
    return models.Index(
        fields=fields, name=f"{case_type}_proj_next_due", condition=Q(status__in=[str(s) for s in open_statuses])
    )


class Case(models.Model):
    """The shared record of a complaint or a repair.

    A subclass sets ``CASE_TYPE`` (the timeline verb prefix, e.g. "complaint"), ``NUMBER_PREFIX``
    ("TS", "BX"), overrides ``status`` with its own choices and default, and defines
    ``ALLOWED_TRANSITIONS`` ({from: {to, …}}); ``guanjia.cases.services.case_transition`` is the only
    way a status changes. A subclass that declares ``class Meta`` should inherit ``Case.Meta``.
    """

    CASE_TYPE: ClassVar[str] = "case"
    NUMBER_PREFIX: ClassVar[str] = "AJ"
    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {}

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    number = models.CharField(_("编号"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    customer_name = models.CharField(_("客户姓名"), max_length=50, blank=True, help_text=_("档案外来电人填写"))
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "estates.Unit",
        verbose_name=_("房屋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    received_at = models.DateTimeField(_("受理时间"), help_text=_("客户提出的时间；补录纸质单时可早于登记时间"))
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=24)
    department = models.CharField(_("责任部门"), max_length=20, choices=Department.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: The earliest pending limit of the case (None when it has none), kept by ``cases.services`` in the same
    #: transaction as every change of a limit's state (``refresh_next_due``): boards sort on it with an index.
    next_due_at = models.DateTimeField(_("最近时限"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    deadlines = GenericRelation(
        Deadline,
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="%(class)s",
    )

    class Meta:
        abstract = True
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["project", "received_at"], name="%(class)s_proj_recv")]

    def __str__(self) -> str:
        return self.number

    @property
    def display_customer(self) -> str:
        """The name to show: the archive's, or what the caller gave when not in the archive."""
        if self.customer_id is not None and self.customer is not None:
            return self.customer.name
        return self.customer_name

    def can_become(self, to: str) -> bool:
        return can_transition(self, to)
