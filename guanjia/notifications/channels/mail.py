"""E-mail through Django's configured mail backend (EMAIL_HOST…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from guanjia.notifications.channels.base import ChannelError


def configured() -> bool:
    return bool(getattr(settings, "NOTIFY_EMAIL_LEVELS", []))


def send(payload: dict[str, Any], address: str) -> str:
    message = EmailMessage(
        subject=str(payload.get("subject", "")),
        body=str(payload.get("body", "")),
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        to=[address],
    )
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:  # smtplib's and the socket's errors
        raise ChannelError(f"mail: {type(exc).__name__}: {exc}"[:300]) from exc
    if sent != 1:
        raise ChannelError("the mail backend accepted nothing")
    return str(message.extra_headers.get("Message-ID", ""))
