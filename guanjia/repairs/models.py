"""Repairs (R01–R13): the repair price list (维修项目收费标准) and the work order (派工单), a ``cases.Case``,
with its reported and actual items, photos, signatures and the warranty follow-up notes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanjia.cases.files import IMAGE_TYPES
from guanjia.cases.models import Case, next_due_index
from guanjia.core.evidence import SignedImage, StoredImage


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


# --- Work orders (R01–R13) ---------------------------------------------------------------------------------


class RepairStatus(models.TextChoices):
    LOGGED = "logged", _("已登记")
    ORDERED = "ordered", _("已开派工单")
    NOTIFIED = "notified", _("部门已领单")
    QUOTED = "quoted", _("已评估报价")
    CONSENTED = "consented", _("客户已同意收费")
    WITH_CONTRACTOR = "with_contractor", _("已转维保单位")
    ACCEPTED = "accepted", _("已接单")
    ARRIVED = "arrived", _("已到场")
    IN_PROGRESS = "in_progress", _("维修中")
    COMPLETED = "completed", _("已完成")
    DECLINED = "declined", _("客户拒绝维修")
    RETURNED = "returned", _("已交回前台")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


class RepairSource(models.TextChoices):
    """R01 and R12: where the request came from."""

    RESIDENT = "resident", _("客户报修")
    PATROL = "patrol", _("巡查发现")
    DUTY_LOG = "duty_log", _("值班日志")
    VACANT_INSPECTION = "vacant_inspection", _("空置房巡查")
    SECURITY_REPORT = "security_report", _("秩序部日报")


class PaymentMethod(models.TextChoices):
    NONE = "none", _("无需收费")
    CASH = "cash", _("现金")
    CARD = "card", _("刷卡")
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")


#: The ways a fee is actually collected (R05): the money then goes to finance.
COLLECTED_PAYMENT_METHODS = frozenset(
    {PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY}
)


class MaterialsQuality(models.TextChoices):
    """R09: the technician's verdict on materials the customer supplied."""

    ACCEPTABLE = "acceptable", _("合格")
    UNACCEPTABLE = "unacceptable", _("不合格")
    POOR = "poor", _("质量差")


#: Statuses in which the work is still to be done (the ledger's "open" filter, the technician's list).
OPEN_STATUSES = (
    RepairStatus.LOGGED,
    RepairStatus.ORDERED,
    RepairStatus.NOTIFIED,
    RepairStatus.QUOTED,
    RepairStatus.CONSENTED,
    RepairStatus.WITH_CONTRACTOR,
    RepairStatus.ACCEPTED,
    RepairStatus.ARRIVED,
    RepairStatus.IN_PROGRESS,
)
S = RepairStatus


class Repair(Case):
    """A repair work order (派工单). The flow (``ALLOWED_TRANSITIONS``) follows R01–R11:

    logged → ordered (work order written, R02) → notified (department has it, R02) → [non-standard: quoted
    (R05 assessed) → consented (customer agreed the fee)] → accepted (technician) → arrived (R03/R04) →
    in_progress (customer agreed, R08) → completed (customer signed, R10) → returned (department copy back
    at the desk, R11) → closed (after the return visit). A customer who declines (R08) ends in declined →
    returned. Warranty repairs (R13) go from ordered to the contractor and are completed from there.
    """

    CASE_TYPE = "repair"
    NUMBER_PREFIX = "BX"
    ALLOWED_TRANSITIONS = {
        S.LOGGED: frozenset({S.ORDERED, S.CANCELLED}),
        S.ORDERED: frozenset({S.NOTIFIED, S.WITH_CONTRACTOR, S.CANCELLED}),
        S.NOTIFIED: frozenset({S.ACCEPTED, S.QUOTED, S.CANCELLED}),
        S.QUOTED: frozenset({S.CONSENTED, S.DECLINED, S.CANCELLED}),
        S.CONSENTED: frozenset({S.ACCEPTED, S.CANCELLED}),
        S.WITH_CONTRACTOR: frozenset({S.COMPLETED, S.CANCELLED}),
        S.ACCEPTED: frozenset({S.ARRIVED, S.ACCEPTED, S.CANCELLED}),
        S.ARRIVED: frozenset({S.IN_PROGRESS, S.DECLINED}),
        S.IN_PROGRESS: frozenset({S.COMPLETED}),
        S.COMPLETED: frozenset({S.RETURNED}),
        S.DECLINED: frozenset({S.RETURNED}),
        S.RETURNED: frozenset({S.CLOSED}),
    }

    status = models.CharField(_("状态"), max_length=24, choices=RepairStatus.choices, default=RepairStatus.LOGGED)
    source = models.CharField(_("来源"), max_length=20, choices=RepairSource.choices, default=RepairSource.RESIDENT)
    description = models.TextField(_("报修内容"), max_length=2000)
    location = models.CharField(_("维修地点"), max_length=200, blank=True, help_text=_("公共区域报修填写"))
    price_item = models.ForeignKey(
        PriceItem,
        verbose_name=_("标准项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
        help_text=_("空表示非标准项目 (R05)"),
    )
    urgent = models.BooleanField(_("即时维修"), default=True)
    appointment_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    # --- Stored limits (the tracked rows are cases.Deadline; these are what the order shows) ------------
    order_due_at = models.DateTimeField(_("开单时限"), null=True, blank=True)
    assess_due_at = models.DateTimeField(_("评估时限"), null=True, blank=True)
    arrive_due_at = models.DateTimeField(_("到场时限"), null=True, blank=True)
    # --- Steps --------------------------------------------------------------------------------------------
    ordered_at = models.DateTimeField(_("开单时间"), null=True, blank=True)
    notified_at = models.DateTimeField(_("通知部门时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开工时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("交回前台时间"), null=True, blank=True)
    # --- R05: assessment of a non-standard item -----------------------------------------------------------
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feasible = models.BooleanField(_("可以维修"), null=True, blank=True)
    assessment = models.TextField(_("评估意见"), max_length=2000, blank=True)
    quoted_fee_yuan = models.DecimalField(_("报价(元)"), max_digits=9, decimal_places=2, null=True, blank=True)
    consent_at = models.DateTimeField(_("客户同意收费时间"), null=True, blank=True)
    # --- R08: the customer agrees to the fee or declines --------------------------------------------------
    customer_agreed_at = models.DateTimeField(_("客户同意维修时间"), null=True, blank=True)
    decline_reason = models.TextField(_("拒绝原因"), max_length=1000, blank=True)
    # --- R07: reported vs actual ---------------------------------------------------------------------------
    difference_note = models.TextField(_("差异说明"), max_length=1000, blank=True)
    # --- R09: customer-supplied materials -----------------------------------------------------------------
    materials_supplied = models.BooleanField(_("客户自备材料"), default=False)
    materials_quality = models.CharField(_("材料检验"), max_length=16, choices=MaterialsQuality.choices, blank=True)
    materials_warned = models.BooleanField(_("已提示客户"), default=False)
    materials_note = models.CharField(_("材料说明"), max_length=200, blank=True)
    # --- R10 and R05: completion and fee -----------------------------------------------------------------
    customer_signed = models.BooleanField(_("客户已签字确认"), default=False)
    fee_yuan = models.DecimalField(_("收费(元)"), max_digits=9, decimal_places=2, null=True, blank=True)
    payment_method = models.CharField(_("收费方式"), max_length=8, choices=PaymentMethod.choices, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收费人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_to_finance_at = models.DateTimeField(_("交财务时间"), null=True, blank=True)
    # --- R13: warranty -------------------------------------------------------------------------------------
    warranty = models.BooleanField(_("保修期内维保"), default=False)
    contractor = models.CharField(_("维保单位"), max_length=100, blank=True)
    contractor_phone = models.CharField(_("维保单位电话"), max_length=20, blank=True)

    class Meta(Case.Meta):
        verbose_name = _("报修")
        verbose_name_plural = _("报修")
        indexes = [
            models.Index(fields=["project", "status"], name="repair_proj_status"),
            models.Index(fields=["project", "received_at"], name="repair_proj_recv"),
            models.Index(fields=["assignee", "status"], name="repair_assignee_status"),
            next_due_index("repair", OPEN_STATUSES),
        ]

    @property
    def is_standard(self) -> bool:
        return self.price_item_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def address(self) -> str:
        if self.unit_id is not None and self.unit is not None:
            return str(self.unit)
        return self.location


class LineKind(models.TextChoices):
    REPORTED = "reported", _("报修项目")
    ACTUAL = "actual", _("实际项目")


class RepairLine(models.Model):
    """One item on the order (R07): what was reported, and what was actually done with its fee."""

    repair = models.ForeignKey(Repair, verbose_name=_("报修"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("类别"), max_length=10, choices=LineKind.choices)
    price_item = models.ForeignKey(
        PriceItem, verbose_name=_("标准项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("项目"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    unit_fee_yuan = models.DecimalField(_("单价(元)"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("维修项目")
        verbose_name_plural = _("维修项目")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def fee_yuan(self) -> Decimal:
        return self.unit_fee_yuan * self.quantity


class RepairNote(models.Model):
    """R13: the butler's daily note on a warranty repair (photos attach to it)."""

    repair = models.ForeignKey(Repair, verbose_name=_("报修"), on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("跟进记录"), max_length=2000)
    written_at = models.DateTimeField(_("记录时间"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("维保跟进记录")
        verbose_name_plural = _("维保跟进记录")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("维修前")
    AFTER = "after", _("维修后")
    WARRANTY_NOTE = "warranty_note", _("维保跟进")


def photo_path(instance: RepairPhoto, filename: str) -> str:
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(instance.image_format, "bin")
    return f"repairs/{instance.repair_id}/photos/{instance.sha256[:16]}.{extension}"


class RepairPhoto(StoredImage):
    """A photo of the work (before, after, a warranty follow-up), as checked and re-encoded. Append-only."""

    repair = models.ForeignKey(Repair, verbose_name=_("报修"), on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("类别"), max_length=16, choices=PhotoKind.choices)
    note = models.ForeignKey(
        RepairNote, verbose_name=_("跟进记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    image_format = models.CharField(_("格式"), max_length=8)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size_bytes = models.PositiveIntegerField(_("大小"))
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("维修照片")
        verbose_name_plural = _("维修照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:8]}"

    def file_path(self, filename: str) -> str:
        return photo_path(self, filename)

    @property
    def content_type(self) -> str:
        return IMAGE_TYPES.get(self.image_format, "application/octet-stream")


class SignerRole(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    TECHNICIAN = "technician", _("维修人员")
    SUPERVISOR = "supervisor", _("部门主管")


def signature_path(instance: RepairSignature, filename: str) -> str:
    return f"signatures/repairs/{instance.repair_id}/{instance.role}-{instance.sha256[:16]}.png"


class RepairSignature(SignedImage):
    """A signature drawn on the screen (PNG): the customer's on completion (R10), or the technician's and the
    department supervisor's on a declined order (R08). Append-only."""

    repair = models.ForeignKey(Repair, verbose_name=_("报修"), on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("签名人身份"), max_length=12, choices=SignerRole.choices)

    class Meta:
        verbose_name = _("签名")
        verbose_name_plural = _("签名")
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.signer_name}"

    def file_path(self, filename: str) -> str:
        return signature_path(self, filename)
