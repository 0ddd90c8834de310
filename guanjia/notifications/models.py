"""The in-app inbox: every notification is a row here first; SMS and email are extra copies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    INFO = "info", _("通知")
    WARNING = "warning", _("提醒")
    URGENT = "urgent", _("紧急")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=64)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "level", "read_at"], name="notification_urgent"),
        ]
        constraints = [
            # The same event never reaches the same person twice (a retried handler, a double submit).
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notification_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    """Where a copy of a message leaves the building (the in-app inbox is not a channel: it is the record)."""

    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群")
    WECHAT = "wechat", _("微信公众号")
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("对接接口")
    CONSOLE = "console", _("服务器控制台")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    NOT_CONFIGURED = "not_configured", _("未配置")


class Delivery(models.Model):
    """One message on its way out through one channel: the durable outbox.

    Written in the transaction of the change that causes it (nothing leaves for a change that rolled back);
    a worker claims due rows one by one (a conditional UPDATE, so two workers never send the same row), sends
    them, and records what the provider answered. ``sent`` means the provider accepted the message (HTTP 2xx
    and its own success code), nothing less.
    """

    channel = models.CharField(_("通道"), max_length=16, choices=Channel.choices)
    provider = models.CharField(_("服务商"), max_length=16, blank=True)
    kind = models.CharField(_("类别"), max_length=64)
    ref = models.CharField(_("关联"), max_length=100, blank=True, db_index=True, help_text=_("如 custody:12"))
    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.CharField(_("接收地址"), max_length=500, blank=True)
    recipient_display = models.CharField(_("接收方"), max_length=100, blank=True, help_text=_("已打码"))
    urgent = models.BooleanField(_("紧急"), default=False)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["project", "created_at"], name="delivery_project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_display}"


class NotificationPreference(models.Model):
    """A person's quiet hours: non-urgent copies to phones and chats wait until they end (urgent go at once).
    No row, or no start and end, means no quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None and self.quiet_start != self.quiet_end
