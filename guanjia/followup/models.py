"""Follow-up service (跟踪服务, T01–T07, seeds 001 and 003).

- ``CustomerProfile`` and ``ServiceRecord``: the customer archive of T01 (客户档案基本资料表), due complete
  2 days after a first service; until then it is an open task with a deadline.
- ``PlanTemplate``/``PlanStep``: follow-up schedules (T02); ``FollowUpPlan`` applies one to a customer and
  generates ``FollowUpCall`` rows, each with its due window.
- ``FollowUpCall``: one phone follow-up (plan step or activity invitation, T04), recorded with outcome,
  notes and what the customer raised (跟踪服务电话记录表/登记表, T03). Anything raised is an ``Issue`` that
  must be handled or reported to the supervisor within 2 days, and answered the day a solution is found.
- ``Activity`` and ``LetterRegister``: invitations by phone 2 weeks ahead, letters within 2 days, registered
  (跟踪服务信函登记表, T04).
- ``Reassignment``: a supervisor moves an absent person's open work in one action (T05).
- ``Lead``/``LeadContact``/``LeadCadence``: prospects graded A–D and followed up by grade (T06).
- ``Survey``/``SurveyRound``/``SurveyResponse``/``SurveyAnswer``: satisfaction questionnaires (T07).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

_user = settings.AUTH_USER_MODEL


# --- T01 the customer archive --------------------------------------------------------------------------------


class CustomerProfile(models.Model):
    """The follow-up archive of one customer (客户档案基本资料表). Created at the first service or
    consultation; ``archive_due_at`` is 24:00 of the 2nd day after it (V04 counting)."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int
    customer_id: int
    unit_id: int | None
    owner_id: int | None
    services: RelatedManager[ServiceRecord]

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_profiles"
    )
    customer = models.OneToOneField(
        "estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="followup_profile"
    )
    unit = models.ForeignKey(
        "estates.Unit",
        verbose_name=_("地址（房屋）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    first_service_at = models.DateTimeField(_("首次服务或咨询时间"))
    wishes = models.TextField(_("客户希望得到的服务"), blank=True)
    owner = models.ForeignKey(
        _user, verbose_name=_("跟踪负责人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archive_due_at = models.DateTimeField(_("建档期限"), db_index=True)
    completed_at = models.DateTimeField(_("建档完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("跟踪服务档案")
        verbose_name_plural = _("跟踪服务档案")
        ordering = ["archive_due_at", "id"]
        indexes = [models.Index(fields=["project", "completed_at", "archive_due_at"], name="fu_profile_task")]

    def __str__(self) -> str:
        return str(self.customer)

    def missing_fields(self, records: list[ServiceRecord] | None = None) -> list[str]:
        """The T01 fields still empty, by name (``records`` avoids a query when already loaded)."""
        missing = []
        if not self.unit_id:
            missing.append("unit")
        if not self.phone.strip():
            missing.append("phone")
        if not self.wishes.strip():
            missing.append("wishes")
        rows = records if records is not None else list(self.services.all())
        if not rows:
            missing.append("service")
        elif not any(r.is_complete for r in rows):
            missing.append("service_cycle")
        return missing

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ServiceRecord(models.Model):
    """One service of the customer: what was serviced, when, its cycle and the next due date (T01)."""

    profile = models.ForeignKey(
        CustomerProfile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="services"
    )
    served_on = models.DateField(_("服务日期"))
    serviced = models.CharField(_("服务项目"), max_length=200)
    cycle_days = models.PositiveIntegerField(_("服务周期（天）"), null=True, blank=True, help_text=_("无周期时留空"))
    next_due_on = models.DateField(_("下次服务日期"), null=True, blank=True)
    no_cycle = models.BooleanField(_("无服务周期"), default=False)
    recorded_by = models.ForeignKey(_user, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.served_on} {self.serviced}"

    @property
    def is_complete(self) -> bool:
        """A cycle and next due date, or an explicit "no cycle" (a one-off service)."""
        return self.no_cycle or (self.cycle_days is not None and self.next_due_on is not None)


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


# --- T03 what the customer raised -------------------------------------------------------------------------------


class IssueKind(models.TextChoices):
    REQUEST = "request", _("要求")
    WISH = "wish", _("希望")
    COMPLAINT = "complaint", _("投诉")
    QUESTION = "question", _("咨询")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ESCALATED = "escalated", _("已报主管")
    SOLVED = "solved", _("已有解决办法")
    ANSWERED = "answered", _("已答复客户")


class Issue(models.Model):
    """Something the customer asked for or complained about on a follow-up call (T03). If it cannot be
    answered on the call it is studied; still unresolved after 2 days it goes to the supervisor
    (``handle_due_at``); the customer is answered the day a solution is found (``answer_due_at``)."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int
    customer_id: int

    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        IssueStatus.OPEN: frozenset({IssueStatus.ESCALATED, IssueStatus.SOLVED, IssueStatus.ANSWERED}),
        IssueStatus.ESCALATED: frozenset({IssueStatus.SOLVED, IssueStatus.ANSWERED}),
        IssueStatus.SOLVED: frozenset({IssueStatus.ANSWERED}),
        IssueStatus.ANSWERED: frozenset(),
    }

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_issues"
    )
    customer = models.ForeignKey("estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(
        FollowUpCall, verbose_name=_("来源电话"), null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=IssueKind.choices, default=IssueKind.REQUEST)
    text = models.TextField(_("内容"))
    owner = models.ForeignKey(_user, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_at = models.DateTimeField(_("提出时间"))
    handle_due_at = models.DateTimeField(_("处理或上报期限"), db_index=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    escalated_automatically = models.BooleanField(_("超期自动上报"), default=False)
    solution = models.TextField(_("解决办法"), blank=True)
    solved_at = models.DateTimeField(_("找到办法时间"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("答复期限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复客户时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("客户提出事项")
        verbose_name_plural = _("客户提出事项")
        ordering = ["handle_due_at", "id"]
        indexes = [models.Index(fields=["project", "status", "handle_due_at"], name="fu_issue_proj_status")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_closed(self) -> bool:
        return self.status == IssueStatus.ANSWERED


# --- T04 activities and the letter register --------------------------------------------------------------------


class Activity(models.Model):
    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_activities"
    )
    name = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    created_by = models.ForeignKey(_user, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("客户活动")
        verbose_name_plural = _("客户活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.name}"


class LetterKind(models.TextChoices):
    INVITATION = "invitation", _("邀请函")
    NOTICE = "notice", _("通知")
    REPLY = "reply", _("答复函")


class LetterRegister(models.Model):
    """跟踪服务信函登记表: every follow-up letter sent, one row each (T04)."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_letters"
    )
    customer = models.ForeignKey("estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=LetterKind.choices, default=LetterKind.INVITATION)
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    call = models.ForeignKey(
        FollowUpCall,
        verbose_name=_("邀请电话"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    subject = models.CharField(_("事由"), max_length=200)
    sent_on = models.DateField(_("寄出日期"))
    address = models.CharField(_("寄送地址"), max_length=200, blank=True)
    registered_by = models.ForeignKey(_user, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信函登记")
        verbose_name_plural = _("信函登记")
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.subject}"


# --- T05 reassignment -------------------------------------------------------------------------------------------


class Reassignment(models.Model):
    """A supervisor handed an absent person's open follow-up work to someone else (T05)."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(_user, verbose_name=_("原负责人"), on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(_user, verbose_name=_("代理人"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    counts = models.JSONField(_("转交数量"), default=dict)
    by = models.ForeignKey(_user, verbose_name=_("指派人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("临时指派")
        verbose_name_plural = _("临时指派")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


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


# --- T07 satisfaction surveys -----------------------------------------------------------------------------------


class QuestionType(models.TextChoices):
    RATING = "rating", _("评分 1–5")
    CHOICE = "choice", _("单选")
    TEXT = "text", _("文字")


class Schedule(models.TextChoices):
    ONCE = "once", _("一次")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


#: Months between rounds of each schedule (``once`` runs one round).
SCHEDULE_MONTHS = {Schedule.MONTHLY: 1, Schedule.QUARTERLY: 3, Schedule.HALF_YEARLY: 6, Schedule.YEARLY: 12}


class Survey(models.Model):
    """A satisfaction questionnaire. ``questions`` is a list of
    ``{"key": "q1", "text": "…", "type": "rating"|"choice"|"text", "choices": ["…", …]}``."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    project_id: int
    rounds: RelatedManager[SurveyRound]

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="followup_surveys"
    )
    title = models.CharField(_("问卷名称"), max_length=100)
    questions = models.JSONField(_("问题"), default=list)
    schedule = models.CharField(_("周期"), max_length=16, choices=Schedule.choices, default=Schedule.QUARTERLY)
    next_round_on = models.DateField(_("下一轮开始日期"), null=True, blank=True, db_index=True)
    round_days = models.PositiveSmallIntegerField(_("每轮开放天数"), default=14)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(_user, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("满意度问卷")
        verbose_name_plural = _("满意度问卷")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def question(self, key: str) -> dict[str, Any] | None:
        return next((q for q in self.questions if q.get("key") == key), None)


class SurveyRound(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="rounds")
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问卷轮次")
        verbose_name_plural = _("问卷轮次")
        ordering = ["-opens_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["survey", "opens_on"], name="fu_round_unique")]

    def __str__(self) -> str:
        return f"{self.survey} {self.opens_on}"

    def is_open(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


class ResponseVia(models.TextChoices):
    LINK = "link", _("客户手机填写")
    STAFF = "staff", _("电话中代填")


class SurveyResponse(models.Model):
    """One customer's questionnaire in one round: created with a token when the round opens (the link sent
    to the customer's phone); ``answered_at`` is set when it is answered, by link or by staff on a call."""

    # For type checkers (the foreign key ids and reverse relations Django adds).
    round_id: int
    customer_id: int

    round = models.ForeignKey(SurveyRound, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="responses")
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    token = models.CharField(_("填写链接码"), max_length=43, unique=True)
    answered_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    via = models.CharField(_("方式"), max_length=8, choices=ResponseVia.choices, blank=True)
    filled_by = models.ForeignKey(
        _user, verbose_name=_("代填人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "customer"], name="fu_response_once")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.customer_id}"


class SurveyAnswer(models.Model):
    """One answer, in a column by type so the summary is an SQL aggregate."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(_("问题"), max_length=20)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    choice = models.CharField(_("选项"), max_length=100, blank=True)
    text = models.TextField(_("文字"), blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [models.UniqueConstraint(fields=["response", "question_key"], name="fu_answer_once")]
        indexes = [models.Index(fields=["question_key", "rating"], name="fu_answer_rating")]

    def __str__(self) -> str:
        return self.question_key
