"""What customers raised (T03), activities and the letter register (T04), reassignment (T05)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass

_user = settings.AUTH_USER_MODEL


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
        "followup.FollowUpCall",
        verbose_name=_("来源电话"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
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
        "followup.FollowUpCall",
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
