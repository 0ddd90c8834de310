"""The outgoing channels, one module each; ``send(delivery, now)`` hands a queued row to its channel.

Each is off until its settings are filled in (see config/settings/base.py, "Outgoing channels"); the console
stays the default, and a message for a channel that is off is recorded as "not configured".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from guanjia.notifications.channels import mail, sms, webhook, wechat, wecom
from guanjia.notifications.channels.base import ChannelError, NotConfigured

if TYPE_CHECKING:
    from guanjia.notifications.models import Delivery

__all__ = ["ChannelError", "NotConfigured", "configured", "send"]

_CONFIGURED = {
    "sms": sms.configured,
    "wecom": wecom.configured,
    "wechat": wechat.configured,
    "email": mail.configured,
    "webhook": webhook.configured,
}


def configured(channel: str) -> bool:
    check = _CONFIGURED.get(channel)
    return bool(check and check())


def send(delivery: Delivery, now: datetime) -> str:
    """Send ``delivery`` through its channel; returns the provider's message id, raises ``ChannelError``
    (refused, maybe retryable) or ``NotConfigured``."""
    channel, payload, to = delivery.channel, delivery.payload, delivery.recipient
    if not configured(channel):
        raise NotConfigured(f"channel {channel} is off")
    if channel == "sms":
        return sms.send(payload, to, now)
    if channel == "wecom":
        return wecom.send(payload, to)
    if channel == "wechat":
        return wechat.send(payload, to)
    if channel == "email":
        return mail.send(payload, to)
    if channel == "webhook":
        return webhook.send(payload, to, delivery.pk)
    raise NotConfigured(f"unknown channel {channel}")
