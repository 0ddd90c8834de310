"""What a page says about a message that was meant to leave: its real delivery status, in plain words."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from guanjia.notifications.models import Channel, Delivery, DeliveryStatus


def latest_by_ref(refs: Iterable[str]) -> dict[str, Delivery]:
    """The newest delivery of each of ``refs`` (one query)."""
    refs = [r for r in set(refs) if r]
    found: dict[str, Delivery] = {}
    if not refs:
        return found
    for row in Delivery.objects.filter(ref__in=refs).order_by("ref", "-created_at", "-id"):
        found.setdefault(row.ref, row)
    return found


def status_word(delivery: Delivery) -> str:
    """sent / sending / failed / not configured, as a short label."""
    if delivery.status == DeliveryStatus.SENT:
        return _("已发送")
    if delivery.status == DeliveryStatus.FAILED:
        return _("发送失败")
    if delivery.status == DeliveryStatus.NOT_CONFIGURED:
        return _("未配置")
    if delivery.attempts:
        return _("发送未成功，稍后重试")
    return _("发送中")


def status_text(delivery: Delivery | None) -> str:
    """One sentence for a page: where the message went and what became of it."""
    if delivery is None:
        return ""
    to = delivery.recipient_display or str(_("工作群"))
    channel = Channel(delivery.channel).label if delivery.channel in Channel.values else delivery.channel
    if delivery.status == DeliveryStatus.SENT:
        return _("已通过%(channel)s发送至 %(to)s") % {"channel": channel, "to": to}
    if delivery.status == DeliveryStatus.FAILED:
        return _("%(channel)s发送至 %(to)s 失败，请另行告知") % {"channel": channel, "to": to}
    if delivery.status == DeliveryStatus.NOT_CONFIGURED:
        return _("未发送：%(channel)s通道未配置，仅打印在服务器控制台上（%(to)s），请另行告知") % {
            "channel": channel,
            "to": to,
        }
    if delivery.attempts:
        return _("%(channel)s发送至 %(to)s 未成功，稍后自动重试") % {"channel": channel, "to": to}
    return _("%(channel)s正在发送至 %(to)s") % {"channel": channel, "to": to}
