"""What the operator's readiness check reads: when each background process last showed it was alive."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """One row per background duty ("sweep", "worker"), overwritten each time it runs: the table never grows,
    and the database is the one place every process (web, sweeper, Celery worker) shares."""

    name = models.CharField(_("名称"), max_length=32, primary_key=True)
    at = models.DateTimeField(_("最近运行时间"))

    class Meta:
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
