"""Policy values: a company's or a project's override of a key of the registry (``registry.KEYS``).

No row means "inherit": a project inherits its company's value, a company the manual's default.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PolicyValue(models.Model):
    company = models.ForeignKey(
        "estates.Company", verbose_name=_("公司"), on_delete=models.CASCADE, related_name="policy_values"
    )
    project = models.ForeignKey(
        "estates.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_values",
        help_text=_("为空表示公司级设置"),
    )
    key = models.CharField(_("参数"), max_length=80)
    value = models.JSONField(_("取值"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("制度参数")
        verbose_name_plural = _("制度参数")
        ordering = ["company_id", "project_id", "key"]
        constraints = [
            # NULL project ids are distinct in a plain unique constraint, so the company level needs its own.
            models.UniqueConstraint(
                fields=["company", "key"], condition=Q(project__isnull=True), name="policy_company_key_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "project", "key"],
                condition=Q(project__isnull=False),
                name="policy_project_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value!r}"

    @property
    def scope(self) -> str:
        return "project" if self.project_id else "company"
