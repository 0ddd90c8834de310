"""The customer archive of T01 (客户档案基本资料表): the profile and the services it records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
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
