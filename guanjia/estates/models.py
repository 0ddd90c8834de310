"""Estates (O01): a company runs projects; a project has buildings, units and the customers of each unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Retirable(models.Model):
    """Something other records point at: never deleted, only retired. A retired item leaves the pickers and
    the default lists; its history (and everything that refers to it) stays."""

    is_retired = models.BooleanField(_("已停用"), default=False, db_index=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        abstract = True


class Company(models.Model):
    name = models.CharField(_("公司名称"), max_length=100)
    code = models.SlugField(_("公司代码"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.name


class Project(Retirable):
    """A managed estate (管理处)."""

    company = models.ForeignKey(Company, verbose_name=_("公司"), on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(_("项目名称"), max_length=100)
    code = models.SlugField(_("项目代码"), max_length=32, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("服务中心电话"), max_length=32, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["company_id", "code"]

    def __str__(self) -> str:
        return self.name


class Building(Retirable):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="buildings")
    number = models.CharField(_("楼栋号"), max_length=16, help_text=_("例如 3、A、12"))
    name = models.CharField(_("楼栋名称"), max_length=50, blank=True, help_text=_("为空时显示为“3栋”"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="building_number_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or f"{self.number}栋"


class UnitStatus(models.TextChoices):
    OCCUPIED = "occupied", _("已入住")
    VACANT = "vacant", _("空置")
    DECORATING = "decorating", _("装修中")


class Unit(Retirable):
    """A home: 栋-单元-房号. ``project`` repeats ``building.project`` so every scope filter is one join shorter."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="units")
    building = models.ForeignKey(Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="units")
    entrance = models.CharField(_("单元"), max_length=8, blank=True, help_text=_("无单元时留空"))
    room = models.CharField(_("房号"), max_length=16)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    area_m2 = models.DecimalField(_("建筑面积(㎡)"), max_digits=8, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.OCCUPIED)
    butler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("管家"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
        help_text=_("负责该户的管家 (O03)"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["project_id", "building_id", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "room"], name="unit_address_unique"),
        ]
        indexes = [models.Index(fields=["project", "room"])]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The address as the desk writes it: "3栋2单元1201", or "3栋1201" without an entrance."""
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building.label}{entrance}{self.room}"

    @property
    def short_number(self) -> str:
        """The dashed form residents say on the phone: "3-2-1201"."""
        parts = [self.building.number, self.entrance, self.room]
        return "-".join(p for p in parts if p)


class CustomerKind(models.TextChoices):
    OWNER = "owner", _("业主")
    TENANT = "tenant", _("租户")
    HOUSEHOLD_MEMBER = "household_member", _("家庭成员")


class Customer(models.Model):
    """A person of the archive. ``kind`` is the main kind: the kind of the first current residency (kept by
    ``estates.services``); each unit's own kind is on its ``Residency`` (an owner of one unit may rent
    another)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("主要类别"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.OWNER)
    units: models.ManyToManyField[Unit, Residency] = models.ManyToManyField(
        Unit, through="Residency", related_name="customers", verbose_name=_("房屋")
    )
    # Search keys derived from the name when it is written (estates.services), kept as columns so a
    # search over 100,000 customers is an indexed prefix match, not Python over every row.
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, blank=True, db_index=True)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True)
    id_number_last4 = models.CharField(_("证件号后四位"), max_length=4, blank=True)
    id_number_hash = models.CharField(_("证件号校验值"), max_length=64, blank=True, db_index=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["project_id", "id"]
        indexes = [
            models.Index(fields=["project", "name"]),
            models.Index(fields=["project", "name_pinyin"], name="customer_pinyin"),
            # PostgreSQL under a non-C collation cannot use a plain b-tree for LIKE 'prefix%'; this one it can.
            models.Index(fields=["name"], name="customer_name_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def primary_phone(self) -> str:
        phones = list(self.phones.all())
        return phones[0].number if phones else ""

    def home_unit(self) -> Unit | None:
        """The customer's first unit (the lowest id, of a residency of any kind): the unit a complaint of theirs
        is about when it names none. One plain query: building ``self.units.order_by("pk")`` cost three times
        the CPU of reading it, on every such registration."""
        units, residencies = Unit._meta.db_table, Residency._meta.db_table
        found = Unit.objects.raw(
            f"SELECT u.* FROM {units} u JOIN {residencies} r ON r.unit_id = u.id "  # noqa: S608 (model tables)
            "WHERE r.customer_id = %s ORDER BY u.id LIMIT 1",
            [self.pk],
        )
        return next(iter(found), None)

    def has_unit(self, unit: Unit) -> bool:
        """``unit`` is one of the customer's (a residency of any kind, current or past): a case registered for
        the customer may name it."""
        return self.units.filter(pk=unit.pk).exists()


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("电话"), max_length=20, db_index=True)
    label = models.CharField(_("说明"), max_length=20, blank=True, help_text=_("例如 本人、家属、办公"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("客户电话")
        verbose_name_plural = _("客户电话")
        ordering = ["customer_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="customer_phone_unique")]

    def __str__(self) -> str:
        return self.number


class Residency(models.Model):
    """A customer's tie to a unit: as what (owner, tenant, household member) and from when to when (the
    move-in handover and move-out themselves are in the F07 archive)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="residencies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="residencies")
    kind = models.CharField(_("类别"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.OWNER)
    move_in_date = models.DateField(_("入住日期"), null=True, blank=True)
    move_out_date = models.DateField(_("迁出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("住户关系")
        verbose_name_plural = _("住户关系")
        ordering = ["customer_id", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "unit"], name="residency_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.unit_id}"

    @property
    def is_current(self) -> bool:
        return self.move_out_date is None
