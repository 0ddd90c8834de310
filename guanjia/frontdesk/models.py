"""The front desk's ledgers (F01–F07): one custody ledger, the visitor log, pre-registered visitor passes and
the customer-archive events.

Personal data: an ID number is never stored, only its last four characters and a keyed hash
(``estates.services.id_number_keys``); a pickup or pass code is stored as a keyed hash and shown to staff once,
when it is issued. A waiting item's pickup code is also kept sealed (encrypted, ``sealed_codes``) for its
household's own list, and cleared when the item leaves the desk. Rows older than their retention are purged
by ``services.ledgers_purge`` (S06), on record.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CustodyKind(models.TextChoices):
    PARCEL = "parcel", _("快递包裹")
    MAIL = "mail", _("信件")
    LEFT_ITEM = "left_item", _("转交物品")
    LOST_FOUND = "lost_found", _("失物招领")
    LOAN = "loan", _("借用物品")
    KEY = "key", _("钥匙")
    RELEASE_SLIP = "release_slip", _("大件物品放行条")


class CustodyStatus(models.TextChoices):
    HELD = "held", _("在前台")
    HANDED_OVER = "handed_over", _("已交付")
    RETURNED = "returned", _("已归还")
    RELEASED = "released", _("已放行")
    DISPOSED = "disposed", _("已处置")


class ProofKind(models.TextChoices):
    ID_CARD = "id_card", _("身份证件")
    WORK_CARD = "work_card", _("工作证")
    PICKUP_CODE = "pickup_code", _("取件码")
    OWNER_KNOWN = "owner_known", _("能说明物品特征（失主）")


#: Kinds handed to their addressee against proof (F02, F03).
PICKUP_KINDS = frozenset({CustodyKind.PARCEL, CustodyKind.MAIL, CustodyKind.LEFT_ITEM, CustodyKind.LOST_FOUND})
#: Kinds that go out and come back (F04 loans, F05 keys).
RETURNABLE_KINDS = frozenset({CustodyKind.LOAN, CustodyKind.KEY})


class CustodyItem(models.Model):
    """One thing the desk keeps, lends or lets out: what, whose, where it sits, who received it, who took
    it, when, against what proof.

    Life of a row, by kind (``services`` is the only writer of ``status``):

    - parcel, mail, left item, lost and found: held → handed_over (against proof, exactly once), or
      held → disposed (unclaimed, on record);
    - loan: created handed_over (lent, ``due_back_at``) → returned (with a damage check, F04);
    - key: held → handed_over (issued: to whom, why, until when) → held again when it comes back (F05);
      every issue and return is on the item's timeline;
    - release slip: held (authorised by the unit's customer, waiting at the gate) → released (F06).
    """

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="custody_items"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=CustodyKind.choices)
    description = models.CharField(_("物品"), max_length=200)
    tracking_number = models.CharField(_("快递单号"), max_length=64, blank=True, db_index=True)
    # Whose it is: a customer and/or unit of the archive, a member of staff (work card), or free text.
    owner_customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("收件客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody_items",
    )
    owner_unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件员工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("收件人/借用人"), max_length=50, blank=True)
    owner_phone = models.CharField(_("收件人电话"), max_length=20, blank=True)
    addressee_id_last4 = models.CharField(_("收件人证件后四位"), max_length=4, blank=True)
    addressee_id_hash = models.CharField(_("收件人证件校验值"), max_length=64, blank=True)
    depositor_name = models.CharField(_("寄件/寄存人"), max_length=50, blank=True)
    depositor_contact = models.CharField(_("寄件/寄存人联系方式"), max_length=50, blank=True)
    found_place = models.CharField(_("拾获地点"), max_length=100, blank=True)
    shelf = models.CharField(_("存放位置"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("收到时间"), db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经手人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=CustodyStatus.choices, default=CustodyStatus.HELD)
    pickup_code_hash = models.CharField(_("取件码校验值"), max_length=64, blank=True, db_index=True)
    # The same code sealed (``sealed_codes``) for the household's own list; empty once the item leaves the desk.
    pickup_code_sealed = models.CharField(_("取件码（加密）"), max_length=200, blank=True, editable=False)
    code_sent_at = models.DateTimeField(_("取件码发送时间"), null=True, blank=True)
    code_sent_to = models.CharField(_("取件码发送至"), max_length=20, blank=True, help_text=_("已打码"))
    handed_over_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交付人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_by_name = models.CharField(_("领取人"), max_length=50, blank=True)
    proof_kind = models.CharField(_("凭证"), max_length=16, choices=ProofKind.choices, blank=True)
    proof_detail = models.CharField(_("凭证说明"), max_length=200, blank=True, help_text=_("证件仅记后四位"))
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    due_back_at = models.DateTimeField(_("应归还时间"), null=True, blank=True, db_index=True)
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    returned_by_name = models.CharField(_("归还人"), max_length=50, blank=True)
    damage_note = models.CharField(_("损坏情况"), max_length=200, blank=True)
    authorised_by = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("放行授权客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disposed_note = models.CharField(_("处置说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    deadlines = GenericRelation(
        "cases.Deadline", content_type_field="subject_type", object_id_field="subject_id", related_query_name="custody"
    )

    class Meta:
        verbose_name = _("寄存/借用台账")
        verbose_name_plural = _("寄存/借用台账")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status", "kind"], name="custody_open"),
            models.Index(fields=["project", "received_at"], name="custody_received"),
        ]
        constraints = [
            # A code typed at the counter finds one waiting item of the project, never two.
            models.UniqueConstraint(
                fields=["project", "pickup_code_hash"],
                condition=Q(status="held") & ~Q(pickup_code_hash=""),
                name="custody_one_held_item_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description}"

    @property
    def owner_label(self) -> str:
        """Whose it is, as the desk says it: "李明 · 3栋2单元1201"."""
        parts: list[str] = []
        name = self.owner_name or (self.owner_customer.name if self.owner_customer_id and self.owner_customer else "")
        if not name and self.owner_staff_id and self.owner_staff:
            name = self.owner_staff.display_name
        if name:
            parts.append(name)
        if self.owner_unit_id and self.owner_unit:
            parts.append(self.owner_unit.number)
        return " · ".join(parts)

    @property
    def is_out(self) -> bool:
        """A loan or key that is out with someone."""
        return self.kind in RETURNABLE_KINDS and self.status == CustodyStatus.HANDED_OVER

    def is_overdue(self, now: datetime) -> bool:
        return self.is_out and self.due_back_at is not None and self.due_back_at <= now


class VisitorStatus(models.TextChoices):
    WAITING = "waiting", _("等待业主确认")
    HOST_CONFIRMED = "host_confirmed", _("业主已确认")
    ADMITTED = "admitted", _("已进入")
    REFUSED = "refused", _("未获准进入")
    LEFT = "left", _("已离开")


class ConfirmMethod(models.TextChoices):
    INTERCOM = "intercom", _("可视对讲")
    PHONE = "phone", _("电话")
    PASS = "pass", _("业主预约通行码")
    IN_PERSON = "in_person", _("业主到前台")


class VisitorPass(models.Model):
    """A visitor announced by a resident (by phone to the desk, or through the API): valid on one day,
    opened at the counter with its code. The code is kept as a keyed hash and shown once."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="visitor_passes"
    )
    unit = models.ForeignKey("estates.Unit", verbose_name=_("被访房屋"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("预约客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_name = models.CharField(_("访客姓名"), max_length=50)
    valid_on = models.DateField(_("有效日期"))
    code_hash = models.CharField(_("通行码校验值"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("访客预约")
        verbose_name_plural = _("访客预约")
        ordering = ["-valid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "valid_on", "code_hash"], name="visitor_pass_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_name} {self.valid_on}"


class Visitor(models.Model):
    """One visit (F01): registered and verified at the counter, admitted only after the host confirms,
    signed out when leaving (the visitor slip comes back)."""

    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        VisitorStatus.WAITING: frozenset({VisitorStatus.HOST_CONFIRMED, VisitorStatus.REFUSED}),
        VisitorStatus.HOST_CONFIRMED: frozenset({VisitorStatus.ADMITTED, VisitorStatus.REFUSED}),
        VisitorStatus.ADMITTED: frozenset({VisitorStatus.LEFT}),
        VisitorStatus.REFUSED: frozenset(),
        VisitorStatus.LEFT: frozenset(),
    }

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="visitors"
    )
    name = models.CharField(_("访客姓名"), max_length=50)
    id_last4 = models.CharField(_("证件后四位"), max_length=4, blank=True)
    id_hash = models.CharField(_("证件校验值"), max_length=64, blank=True)
    phone = models.CharField(_("访客电话"), max_length=20, blank=True)
    party_size = models.PositiveSmallIntegerField(_("人数"), default=1)
    host_unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("被访房屋"), on_delete=models.PROTECT, related_name="+"
    )
    host_customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("被访客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("来访事由"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=VisitorStatus.choices, default=VisitorStatus.WAITING)
    arrived_at = models.DateTimeField(_("到达时间"), db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    id_verified = models.BooleanField(_("已核验证件"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_pass = models.ForeignKey(
        VisitorPass, verbose_name=_("预约"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    host_confirmed_at = models.DateTimeField(_("业主确认时间"), null=True, blank=True)
    host_confirmed_by = models.CharField(_("确认人"), max_length=50, blank=True)
    host_confirm_method = models.CharField(_("确认方式"), max_length=16, choices=ConfirmMethod.choices, blank=True)
    admitted_at = models.DateTimeField(_("进入时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    slip_returned = models.BooleanField(_("访客单已交回"), default=False)
    refused_reason = models.CharField(_("未准入原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("访客登记")
        verbose_name_plural = _("访客登记")
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="visitor_open")]

    def __str__(self) -> str:
        return f"{self.name} → {self.host_unit_id}"


class ArchiveEventKind(models.TextChoices):
    MOVE_IN_HANDOVER = "move_in_handover", _("入住交接")
    MOVE_OUT = "move_out", _("迁出")
    DECORATION_APPLICATION = "decoration_application", _("装修申请")
    DECORATION_REVIEW = "decoration_review", _("装修审核")


class ArchiveEvent(models.Model):
    """A moment of a customer's and unit's archive (F07): move-in handover, move-out, a decoration
    application and its review."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="archive_events"
    )
    customer = models.ForeignKey(
        "estates.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_events",
    )
    kind = models.CharField(_("类别"), max_length=32, choices=ArchiveEventKind.choices)
    date = models.DateField(_("日期"))
    details = models.TextField(_("内容"), blank=True)
    documents_note = models.CharField(_("资料"), max_length=200, blank=True, help_text=_("收取或移交的资料、钥匙等"))
    approved = models.BooleanField(_("审核通过"), null=True, blank=True, help_text=_("仅装修审核填写"))
    application = models.ForeignKey(
        "self", verbose_name=_("所审申请"), null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("客户档案事件")
        verbose_name_plural = _("客户档案事件")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"
