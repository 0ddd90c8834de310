"""The residents' door: one-time sign-in codes, resident sessions, the privacy consent, and what a resident
reports online until the desk accepts it as a complaint or a repair.

A resident is not a member of staff: they are the people of the archive (``estates.Customer``) whose phone on
file is the one they signed in with. Everything they may see is derived from that phone (``households``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanjia.core.evidence import StoredImage

#: The version of the privacy notice the resident agrees to; a new version asks again.
CONSENT_VERSION = "2026-12"


class SignInCode(models.Model):
    """A one-time 6-digit code sent to a phone (kept only as a keyed hash). Rows are written for every request,
    known phone or not, so the limits and the answer are the same for both."""

    phone = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(_("验证码校验值"), max_length=64)
    client_ip = models.CharField(_("客户端地址"), max_length=45, blank=True)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "created_at"], name="signin_code_phone"),
            models.Index(fields=["client_ip", "created_at"], name="signin_code_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class ResidentSession(models.Model):
    """A signed-in resident: the phone they proved they hold. The API token is kept only as its SHA-256; the
    pages keep this row's id in the session cookie."""

    key_hash = models.CharField(max_length=64, unique=True)
    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    created_at = models.DateTimeField(_("登录时间"))
    ended_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    #: DRF and the pages treat a signed-in resident as authenticated (never as staff).
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True

    class Meta:
        verbose_name = _("业主登录")
        verbose_name_plural = _("业主登录")

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class PrivacyConsent(models.Model):
    """The resident agreed to the privacy notice (PIPL) of ``version`` at ``accepted_at``. Kept, never changed."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    version = models.CharField(_("版本"), max_length=16)
    accepted_at = models.DateTimeField(_("同意时间"))
    client_ip = models.CharField(_("客户端地址"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("隐私政策同意记录")
        verbose_name_plural = _("隐私政策同意记录")
        ordering = ["-accepted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["phone", "version"], name="privacy_consent_once")]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.version}"


class ReportKind(models.TextChoices):
    REPAIR = "repair", _("报修")
    COMPLAINT = "complaint", _("投诉建议")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待前台受理")
    ACCEPTED = "accepted", _("已受理")


class OnlineReport(models.Model):
    """What a resident reported from their phone. The desk member who accepts it registers the complaint or
    the repair (channel ``online``, received when the resident submitted it) and becomes its first responder."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="online_reports"
    )
    unit = models.ForeignKey("estates.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=ReportKind.choices)
    description = models.TextField(_("内容"), max_length=2000)
    appointment_at = models.DateTimeField(_("预约上门时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint = models.OneToOneField(
        "complaints.Complaint", null=True, blank=True, on_delete=models.PROTECT, related_name="online_report"
    )
    repair = models.OneToOneField(
        "repairs.Repair", null=True, blank=True, on_delete=models.PROTECT, related_name="online_report"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        ReportStatus.SUBMITTED: frozenset({ReportStatus.ACCEPTED}),
    }

    class Meta:
        verbose_name = _("业主在线提交")
        verbose_name_plural = _("业主在线提交")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status", "submitted_at"], name="online_report_inbox"),
            models.Index(fields=["unit", "kind", "submitted_at"], name="online_report_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def case(self) -> models.Model | None:
        return self.complaint if self.kind == ReportKind.COMPLAINT else self.repair


IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ReportPhoto(StoredImage):
    """A photo the resident took with the report, as checked and re-encoded (``cases.uploads``). Append-only."""

    report = models.ForeignKey(OnlineReport, verbose_name=_("提交"), on_delete=models.PROTECT, related_name="photos")
    image_format = models.CharField(_("格式"), max_length=8)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size_bytes = models.PositiveIntegerField(_("大小"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("业主上传照片")
        verbose_name_plural = _("业主上传照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.sha256[:8]

    def file_path(self, filename: str) -> str:
        extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(self.image_format, "bin")
        return f"residents/{self.report_id}/{self.sha256[:16]}.{extension}"

    @property
    def content_type(self) -> str:
        return IMAGE_TYPES.get(self.image_format, "application/octet-stream")


class SignatureRequest(models.Model):
    """R10 on the resident's phone: the technician asked the customer to sign the repair order on their own
    phone. Pending until the household's resident signs; the signature itself is the repair's customer
    signature (``repairs.RepairSignature``, collected by the technician who asked). Never changed once signed."""

    repair = models.ForeignKey(
        "repairs.Repair", verbose_name=_("报修"), on_delete=models.PROTECT, related_name="phone_sign_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("发起时间"))
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    signature = models.OneToOneField(
        "repairs.RepairSignature",
        verbose_name=_("签名"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phone_request",
    )

    class Meta:
        verbose_name = _("手机签名请求")
        verbose_name_plural = _("手机签名请求")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repair"], condition=models.Q(signed_at__isnull=True), name="one_pending_sign_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.repair_id} {self.requested_at:%Y-%m-%d %H:%M}"
