"""Repairs. For now the repair price list (维修项目收费标准, R03–R05, R08): the standard items a technician
does at a known fee. Work orders come with the repairs issue."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PriceCategory(models.TextChoices):
    PLUMBING = "plumbing", _("水路")
    ELECTRICAL = "electrical", _("电路")
    DOORS_WINDOWS = "doors_windows", _("门窗")
    BATHROOM = "bathroom", _("卫浴")
    LOCKS = "locks", _("锁具")
    LIGHTING = "lighting", _("灯具")
    APPLIANCES = "appliances", _("家电")
    WALLS_FLOORS = "walls_floors", _("墙地面")
    OTHER = "other", _("其他")


class PriceItem(models.Model):
    """A standard repair item of one project's price list. Items are retired (``active`` off), not deleted:
    old work orders keep pointing at them."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="price_items"
    )
    code = models.CharField(_("编号"), max_length=16)
    name = models.CharField(_("项目名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=PriceCategory.choices, default=PriceCategory.OTHER)
    unit = models.CharField(_("计价单位"), max_length=8, default="次", help_text=_("例如 次、个、米"))
    fee_yuan = models.DecimalField(
        _("收费(元)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    labour_note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("例如 仅人工费，材料另计"))
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("维修收费项目")
        verbose_name_plural = _("维修项目收费标准")
        ordering = ["project_id", "category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="price_item_code_unique"),
            models.CheckConstraint(condition=models.Q(fee_yuan__gte=0), name="price_item_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
