"""Satisfaction questionnaires (T07)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

_user = settings.AUTH_USER_MODEL


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
