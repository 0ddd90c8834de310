"""The append-only timeline: every state change in Guanjia is one Event (who, when, what, why).

Events are written in the same transaction as the change they record (see ``services.record``) and are
never updated or deleted: the queryset and the model refuse both, so nothing a customer said or a
clerk did can be rewritten after the fact.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a recorded event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("timeline events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("timeline events are append-only")

    def for_subject(self, subject: models.Model) -> EventQuerySet:
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


class Event(models.Model):
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

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not business logic: a stored event is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("timeline events are append-only")
