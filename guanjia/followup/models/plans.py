"""Follow-up schedules (T02) and the phone follow-ups they generate (T03, T04)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from guanjia.followup.models.issues import Issue, LetterRegister

_user = settings.AUTH_USER_MODEL


# --- T02 plan templates and plans ----------------------------------------------------------------------------


class PlanTemplate(models.Model):
    """A follow-up schedule. ``company`` null: one of the manual's templates (seeded), read-only;
    otherwise defined by an administrator of that company."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    company_id: int | None
    steps: RelatedManager[PlanStep]

    company = models.ForeignKey(
        "estates.Company", verbose_name=_("公司"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("代码"), max_length=40, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        _user, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("跟踪计划模板")
        verbose_name_plural = _("跟踪计划模板")
        ordering = ["company_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.company_id is None


class PlanStep(models.Model):
    """One call of a template: not before ``offset`` after the service, due by 24:00 of the window's last
    day (``offset + window_days``). Offsets are in days or in calendar months."""

    template = models.ForeignKey(PlanTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("名称"), max_length=100)
    offset_days = models.PositiveIntegerField(_("服务后天数"), default=0)
    offset_months = models.PositiveSmallIntegerField(_("服务后月数"), default=0)
    window_days = models.PositiveSmallIntegerField(_("可延后天数"), default=0)

    class Meta:
        verbose_name = _("计划步骤")
        verbose_name_plural = _("计划步骤")
        ordering = ["template_id", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="fu_step_position_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def offset_label(self) -> str:
        if self.offset_months:
            return str(_("第 %(n)s 个月") % {"n": self.offset_months})
        if self.window_days:
            return str(_("第 %(a)s–%(b)s 天") % {"a": self.offset_days, "b": self.offset_days + self.window_days})
        return str(_("第 %(n)s 天") % {"n": self.offset_days})


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class FollowUpPlan(models.Model):
    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int
    customer_id: int
    calls: RelatedManager[FollowUpCall]

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_plans"
    )
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="followup_plans"
    )
    template = models.ForeignKey(PlanTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="plans")
    serviced = models.CharField(_("服务项目"), max_length=200)
    service_at = models.DateTimeField(_("服务时间"))
    assignee = models.ForeignKey(_user, verbose_name=_("跟踪业务员"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(_user, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("跟踪计划")
        verbose_name_plural = _("跟踪计划")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.template}"


class CallPurpose(models.TextChoices):
    PLAN = "plan", _("跟踪服务")
    INVITATION = "invitation", _("活动邀请")


class CallStatus(models.TextChoices):
    PENDING = "pending", _("待拨打")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("已通话")
    NO_ANSWER = "no_answer", _("无人接听")
    BUSY = "busy", _("占线/稍后再打")
    WRONG_NUMBER = "wrong_number", _("号码有误")
    DECLINED = "declined", _("客户不便交谈")


class FollowUpCall(models.Model):
    """One follow-up phone call due in a window (T02) or an activity invitation (T04).

    ``status`` moves once: pending → done (reached and recorded) or cancelled. An attempt that does not reach
    the customer is recorded (``attempts``, ``last_outcome``, on the timeline) and the call stays pending.
    """

    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int
    customer_id: int
    plan_id: int | None
    activity_id: int | None
    assignee_id: int
    issues: RelatedManager[Issue]
    letters: RelatedManager[LetterRegister]

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (CallStatus.PENDING,)

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_calls"
    )
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="followup_calls"
    )
    purpose = models.CharField(_("类别"), max_length=16, choices=CallPurpose.choices, default=CallPurpose.PLAN)
    plan = models.ForeignKey(
        FollowUpPlan, verbose_name=_("跟踪计划"), null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    activity = models.ForeignKey(
        "Activity", verbose_name=_("活动"), null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    label = models.CharField(_("事项"), max_length=100)
    not_before = models.DateField(_("最早拨打日"))
    due_at = models.DateTimeField(_("期限"))
    assignee = models.ForeignKey(_user, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=CallStatus.choices, default=CallStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("拨打次数"), default=0)
    last_outcome = models.CharField(_("最近结果"), max_length=16, choices=CallOutcome.choices, blank=True)
    called_at = models.DateTimeField(_("通话时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        _user, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("谈话要点"), blank=True)
    raised = models.TextField(_("客户要求、希望或投诉"), blank=True)
    letter_due_at = models.DateTimeField(_("信函期限"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("跟踪服务电话")
        verbose_name_plural = _("跟踪服务电话")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["project", "status", "due_at"], name="fu_call_proj_status_due"),
            models.Index(fields=["assignee", "status", "due_at"], name="fu_call_assignee_due"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.label}"

    def is_overdue(self, now: datetime) -> bool:
        return self.status == CallStatus.PENDING and self.due_at <= now

    def is_open_on(self, day: date) -> bool:
        return self.status == CallStatus.PENDING and self.not_before <= day
