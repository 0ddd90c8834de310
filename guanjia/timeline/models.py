"""The append-only timeline: every state change in Guanjia is one Event (who, when, what, why).

Events are written in the same transaction as the change they record (see ``services.record``) and are
never updated or deleted: the queryset and the model refuse both (``core.evidence.AppendOnly``), so nothing
a customer said or a clerk did can be rewritten after the fact.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanjia.core.evidence import AppendOnly, AppendOnlyQuerySet


class EventQuerySet(AppendOnlyQuerySet["Event"]):
    def for_subject(self, subject: models.Model) -> EventQuerySet:
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


EventManager = models.Manager.from_queryset(EventQuerySet)


class Event(AppendOnly):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动操作"),
    )
    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    verb = models.CharField(_("动作"), max_length=64)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    objects: ClassVar[EventManager] = EventManager()

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"
